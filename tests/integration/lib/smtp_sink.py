"""A minimal SMTP sink for the outbox tests (test_outbox_send.sh, test_serve_workers.sh).

    smtp_sink.py serve PORT FILE   listen on 127.0.0.1:PORT; print "ready" once listening
    smtp_sink.py count FILE MSG    print how many messages in FILE carry the Message-ID
                                   <plaint.MSG@bank.example>

The server speaks 220, EHLO/HELO, MAIL, RCPT (550 for addresses containing "reject"), DATA
(dot-unstuffed, must be UTF-8), RSET, NOOP, QUIT; anything else is 502. Each accepted message is
one JSON line {"from", "to", "data"} appended to FILE. While FILE.slow exists, a message is
announced by creating FILE.receiving and accepted only 3 s later (a delivery in flight).
"""
import asyncio
import json
import os
import sys


def serve(port, out):
    async def handle(r, w):
        def say(s):
            w.write((s + "\r\n").encode())
        say("220 sink ESMTP")
        env = {"from": None, "to": []}
        try:
            while True:
                line = await r.readline()
                if not line:
                    break
                cmd = line.decode("ascii", "replace").strip()
                u = cmd.upper()
                if u.startswith("EHLO"):
                    w.write(b"250-sink\r\n250 8BITMIME\r\n")
                elif u.startswith(("HELO", "NOOP", "RSET")):
                    say("250 ok")
                elif u.startswith("MAIL FROM:"):
                    env = {"from": cmd[10:].strip(), "to": []}
                    say("250 ok")
                elif u.startswith("RCPT TO:"):
                    if "reject" in cmd:
                        say("550 no such user")
                    else:
                        env["to"].append(cmd[8:].strip())
                        say("250 ok")
                elif u == "DATA":
                    say("354 go ahead")
                    await w.drain()
                    data = bytearray()
                    while True:
                        l = await r.readline()
                        if l in (b".\r\n", b""):
                            break
                        data += l[1:] if l.startswith(b"..") else l
                    env["data"] = data.decode("utf-8", "strict")
                    if os.path.exists(out + ".slow"):
                        open(out + ".receiving", "w").close()
                        await asyncio.sleep(3)
                    with open(out, "a") as f:
                        f.write(json.dumps(env) + "\n")
                    say("250 queued")
                elif u == "QUIT":
                    say("221 bye")
                    await w.drain()
                    break
                else:
                    say("502 not implemented")
                await w.drain()
        finally:
            w.close()

    async def main():
        srv = await asyncio.start_server(handle, "127.0.0.1", port, reuse_address=True)
        print("ready", flush=True)
        async with srv:
            await srv.serve_forever()
    asyncio.run(main())


def count(path, msg):
    want = "<plaint.%s@bank.example>" % msg
    n = 0
    with open(path) as f:
        for line in f:
            if ("\r\nMessage-ID: %s\r\n" % want) in "\r\n" + json.loads(line)["data"]:
                n += 1
    print(n)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "count":
        count(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: smtp_sink.py serve PORT FILE | count FILE MSG")
