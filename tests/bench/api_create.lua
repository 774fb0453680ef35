-- wrk script for tests/bench/api_load.sh: POST /api/v1/complaints with a unique Idempotency-Key
-- per request (run nonce from the command line, wrk thread number, per-thread counter).
-- Usage: wrk ... -s api_create.lua URL -- TOKEN NONCE
local n = 0

function setup(thread)
    n = n + 1
    thread:set("tid", n)
end

local token, nonce, counter = "", "", 0
local body = '{"channel":"web","category":"Mortgage","issue":"Late fee",' ..
             '"narrative":"wrk load test","urgency":"normal"}'

function init(args)
    token = args[1]
    nonce = args[2]
end

function request()
    counter = counter + 1
    return wrk.format("POST", "/api/v1/complaints", {
        ["Authorization"] = "Bearer " .. token,
        ["Content-Type"] = "application/json",
        ["Idempotency-Key"] = string.format("wrk-%s-%d-%d", nonce, tid, counter),
    }, body)
end

function done(summary, latency, requests)
    io.write(string.format("wrk errors: connect %d, read %d, write %d, timeout %d, non-2xx/3xx %d\n",
        summary.errors.connect, summary.errors.read, summary.errors.write,
        summary.errors.timeout, summary.errors.status))
end
