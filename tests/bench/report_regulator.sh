#!/usr/bin/env bash
# Regulator return benchmark (docs/benchmarks.md, "Regulator return (issue 6)"): the time of
# `plaint report regulator --period 2026-H1` over N complaints (default 1,000,000) against the
# bare SQL aggregate that produces the same figures, measured alternately in the same run on the
# same cluster; medians and their ratio (target <= 2).
#
#   bash tests/bench/report_regulator.sh [--quick | --complaints N] [--runs R]
#
# Population: plaint's figures are computed from the ledger events below a checkpoint, so the
# benchmark writes those events directly as the schema owner with generate_series (no
# `plaint import`, which goes through the whole intake at ~1,600 complaints/s): per complaint a
# complaint.received; for 70% a resolution.logged and a status change to resolved (some within
# 3 business days, most later); for 5% a reopening. Triggers are off while loading
# (session_replication_role = replica: no projector, so the projections stay empty; they are
# not read). Event hashes are SHA-256 of the payload, not the chain format: `plaint ledger seal`
# positions and seals them (the report needs a checkpoint), `plaint verify` would refuse them.
# Environment: PLAINT_BENCH_BUILD (default build/), PLAINT_BENCH_WORK (default
# /var/tmp/plaint-bench-report).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${PLAINT_BENCH_BUILD:-$ROOT/build}
WORK=${PLAINT_BENCH_WORK:-/var/tmp/plaint-bench-report}
PLAINT=$BUILD/plaint
N=1000000
RUNS=3
while [[ $# -gt 0 ]]; do
    case $1 in
    --quick) N=100000; RUNS=1 ;;
    --complaints) N=$2; shift ;;
    --runs) RUNS=$2; shift ;;
    -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    esac
    shift
done
export PLAINT_SEAL_EVERY_EVENTS=0 PLAINT_SEAL_EVERY_SECONDS=0
unset PLAINT_DB PLAINT_CONFIG PLAINT_TOKEN
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
[[ -x $PLAINT ]] || { log "build first: cmake --preset default && cmake --build build"; exit 1; }
mkdir -p "$WORK"
chmod 711 "$WORK"
H=$(mktemp -d "$WORK/home-XXXXXX")
chmod 711 "$H"
export PLAINT_HOME=$H
cleanup() {
    "$PLAINT" db stop >/dev/null 2>&1 || true
    rm -rf "$H"
}
trap cleanup EXIT
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
psql_owner() { psql -X -q -t -A -v ON_ERROR_STOP=1 -h "$H/pg/run" -U plaint_admin -d plaint "$@"; }

log "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$PLAINT" db start >/dev/null
"$PLAINT" db migrate >/dev/null 2>&1
"$PLAINT" keys init >/dev/null
"$PLAINT" keys cert >/dev/null

log "populating $N complaints (ledger events, generate_series)"
t0=$(now)
psql_owner <<SQL
SET session_replication_role = replica;
CREATE TEMP TABLE cat (k int PRIMARY KEY, name text);
INSERT INTO cat VALUES
 (0, 'Credit reporting, credit repair services, or other personal consumer reports'),
 (1, 'Debt collection'), (2, 'Mortgage'), (3, 'Credit card or prepaid card'),
 (4, 'Checking or savings account'), (5, 'Student loan'), (6, 'Vehicle loan or lease'),
 (7, 'Money transfer, virtual currency, or money service'),
 (8, 'Payday loan, title loan, or personal loan'), (9, 'Credit reporting'),
 (10, 'Bank account or service'), (11, 'Something not mapped');
CREATE TEMP TABLE c AS
SELECT i, format('CMP-2026-%s', lpad(i::text, 7, '0')) AS ref,
       timestamptz '2025-01-01 00:00:00+00' + ((i * 7919) % 670) * interval '1 day'
         + ((i * 104729) % 86400) * interval '1 second' AS received,
       (i % 10) < 7 AS resolved, (i % 20) = 0 AS reopened,
       (i % 12) AS k
FROM generate_series(1::bigint, $N) i;
INSERT INTO plaint.ledger_event (case_id, case_seq, event_type, actor, actor_role, occurred_at,
                                 payload, prev_hash, hash)
SELECT ref, 1, 'complaint.received', 'bench', 'intake_agent', received, p,
       '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea,
       sha256(convert_to(p, 'UTF8'))
FROM (SELECT c.ref, c.received, json_build_object('category', cat.name, 'channel', 'web',
        'received_at', to_char(c.received AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
        'urgency', 'normal')::text AS p
      FROM c JOIN cat ON cat.k = c.k) x;
INSERT INTO plaint.ledger_event (case_id, case_seq, event_type, actor, actor_role, occurred_at,
                                 payload, prev_hash, hash)
SELECT ref, seq, et, 'bench', 'tier2_investigator', at, p,
       '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea,
       sha256(convert_to(p || seq, 'UTF8'))
FROM (SELECT c.ref, 2 AS seq, 'resolution.logged' AS et,
             c.received + ((c.i % 37) * interval '1 day') + interval '1 hour' AS at,
             json_build_object('outcome', CASE WHEN c.i % 3 = 0 THEN 'not_upheld' ELSE 'upheld' END,
               'upheld', c.i % 3 <> 0, 'redress', (c.i % 5) * 1250, 'currency', 'GBP',
               'root_cause', (ARRAY['delay', 'admin error', 'fees', 'product defect', 'other'])[c.i % 5 + 1],
               'summary', 'x')::text AS p
      FROM c WHERE c.resolved
      UNION ALL
      SELECT c.ref, 3, 'complaint.status_changed',
             c.received + ((c.i % 37) * interval '1 day') + interval '1 hour',
             '{"from":"resolution_proposed","to":"resolved"}'
      FROM c WHERE c.resolved
      UNION ALL
      SELECT c.ref, 4, 'complaint.status_changed',
             c.received + ((c.i % 37) * interval '1 day') + interval '3 days',
             '{"from":"resolved","to":"reopened"}'
      FROM c WHERE c.resolved AND c.reopened) y;
INSERT INTO plaint.ledger_pending (event_id) SELECT id FROM plaint.ledger_event;
ANALYZE plaint.ledger_event;
SQL
EVENTS=$(psql_owner -c "SELECT count(*) FROM plaint.ledger_event")
t1=$(now)
log "populated: $EVENTS events in $(echo "$t1 - $t0" | bc) s"
t0=$(now)
"$PLAINT" ledger seal >/dev/null
psql_owner -c "ANALYZE plaint.ledger_position" >/dev/null
log "sealed in $(echo "$(now) - $t0" | bc) s"

# The bare SQL aggregate: the same figures straight from the events, deadlines computed in SQL
# from the uk-ew holidays of policies/sla.xml (the 3rd business day after the local day of
# receipt, 17:00 Europe/London; the end of the local day 8 weeks after it). It takes max() and
# bool_or() where plaint takes the last event in case order: the same here, since every
# synthetic complaint has at most one resolution; the figures are compared below.
HOLIDAYS=$(sed -n '/<calendar id="uk-ew"/,/<\/calendar>/s/.*date="\([0-9-]*\)".*/'"'"'\1'"'"'/p' \
    "$ROOT/policies/sla.xml" | paste -sd, -)
MAP=$(sed -n '/<group id=/{s/.*<group id="\([^"]*\)".*/\1/;h}; /<category>/{s/.*<category>\(.*\)<\/category>.*/\1/;G;s/\n/\t/;p}' \
    "$ROOT/reports/regulator-return.xml" |
    awk -F'\t' '{gsub(/'"'"'/, "'"''"'", $1); printf "%s('"'"'%s'"'"', '"'"'%s'"'"')", (NR > 1 ? ", " : ""), $1, $2}')
TREE=$(psql_owner -c "SELECT max(tree_size) FROM plaint.ledger_checkpoint")
cat >"$H/bare.sql" <<SQL
WITH ev AS (
 SELECT e.case_id, e.case_seq, e.event_type, e.occurred_at, e.payload::jsonb AS p
 FROM plaint.ledger_event e JOIN plaint.ledger_position lp ON lp.event_id = e.id
 WHERE lp.position < $TREE AND e.case_id LIKE 'CMP-%'
  AND e.event_type IN ('complaint.received', 'complaint.status_changed', 'resolution.logged')),
k AS (
 SELECT case_id,
  min(p->>'category') FILTER (WHERE event_type = 'complaint.received') AS category,
  min((p->>'received_at')::timestamptz) FILTER (WHERE event_type = 'complaint.received') AS received_at,
  max(case_seq) FILTER (WHERE event_type = 'complaint.status_changed' AND p->>'to' = 'reopened') AS ro,
  max(case_seq) FILTER (WHERE event_type = 'complaint.status_changed' AND p->>'to' = 'resolved') AS rs,
  max(occurred_at) FILTER (WHERE event_type = 'complaint.status_changed' AND p->>'to' = 'resolved') AS rs_at,
  bool_or((p->>'upheld')::boolean) FILTER (WHERE event_type = 'resolution.logged') AS upheld
 FROM ev GROUP BY case_id),
c AS (SELECT category, received_at, CASE WHEN rs > COALESCE(ro, 0) THEN rs_at END AS closed_at, upheld
      FROM k),
days AS (SELECT d::date AS day FROM generate_series(date '2024-01-01', date '2027-01-31', interval '1 day') d),
bd AS (SELECT day FROM days WHERE extract(isodow FROM day) < 6 AND day NOT IN ($HOLIDAYS)),
due AS (SELECT d.day,
         ((SELECT b.day FROM bd b WHERE b.day > d.day ORDER BY b.day OFFSET 2 LIMIT 1) + time '17:00')
           AT TIME ZONE 'Europe/London' AS sdue,
         ((d.day + 57)::timestamp AT TIME ZONE 'Europe/London') - interval '1 microsecond' AS fdue
        FROM days d),
m(category, grp) AS (VALUES $MAP),
x AS (SELECT COALESCE(m.grp, 'other') AS grp, c.*, due.sdue, due.fdue
      FROM c LEFT JOIN m ON m.category = c.category
      LEFT JOIN due ON due.day = (c.received_at AT TIME ZONE 'Europe/London')::date
      WHERE c.received_at < '2026-07-01 00:00:00+00'
        AND (c.closed_at IS NULL OR c.closed_at >= '2026-01-01 00:00:00+00'))
SELECT grp, count(*) FILTER (WHERE received_at < '2026-01-01 00:00:00+00') AS outstanding,
       count(*) FILTER (WHERE received_at >= '2026-01-01 00:00:00+00') AS opened,
       count(*) FILTER (WHERE closed_at < '2026-07-01 00:00:00+00') AS closed,
       count(*) FILTER (WHERE closed_at < '2026-07-01 00:00:00+00' AND closed_at <= sdue) AS s,
       count(*) FILTER (WHERE closed_at < '2026-07-01 00:00:00+00' AND closed_at > sdue
                          AND closed_at <= fdue) AS f,
       count(*) FILTER (WHERE closed_at < '2026-07-01 00:00:00+00' AND upheld) AS u
FROM x GROUP BY grp ORDER BY grp;
SQL

log "warm-up: one report and one bare query"
"$PLAINT" report regulator --period 2026-H1 --out "$H/warm.xml" >/dev/null
psql_owner -f "$H/bare.sql" >/dev/null
REPORT=()
BARE=()
for r in $(seq 1 "$RUNS"); do
    t0=$(now)
    "$PLAINT" report regulator --period 2026-H1 --out "$H/r$r.xml" >"$H/out$r.txt"
    t1=$(now)
    psql_owner -F ' ' -f "$H/bare.sql" >"$H/bare$r.txt"
    t2=$(now)
    REPORT+=("$(echo "$t1 - $t0" | bc)")
    BARE+=("$(echo "$t2 - $t1" | bc)")
    log "run $r: report ${REPORT[-1]} s, bare SQL ${BARE[-1]} s, load $(cut -d' ' -f1 /proc/loadavg)"
done
cmp -s "$H/r1.xml" "$H/r$RUNS.xml" && log "the report runs gave byte-identical XML"

# Same figures: the bare query's rows against the return's groups.
fig() { # file group element (the embedded definition, whose groups look alike, left out)
    sed '/<definition /,/<\/definition>/d' "$1" |
        sed -n "/<group id=\"$2\"/,/<\/group>/s|.*<$3[^>]*>\([0-9]*\)</$3>.*|\1|p"
}
SAME=yes
while read -r grp o n c s f u; do
    for pair in "outstanding-at-start:$o" "opened:$n" "closed:$c" "closed-within-summary-days:$s" \
        "closed-within-final-weeks:$f" "upheld:$u"; do
        got=$(fig "$H/r1.xml" "$grp" "${pair%%:*}")
        if [[ $got != "${pair#*:}" ]]; then
            SAME=no
            log "MISMATCH $grp ${pair%%:*}: report $got, bare SQL ${pair#*:}"
        fi
    done
done <"$H/bare1.txt"
log "figures equal (report vs bare SQL, every group): $SAME"
MR=$(printf '%s\n' "${REPORT[@]}" | median)
MB=$(printf '%s\n' "${BARE[@]}" | median)
echo "complaints: $N; events: $EVENTS; runs: $RUNS; nproc $(nproc); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "report regulator median: $MR s (runs: ${REPORT[*]})"
echo "bare SQL median:         $MB s (runs: ${BARE[*]})"
echo "ratio: $(echo "scale=2; $MR / $MB" | bc); figures equal: $SAME"
echo "total of the return: $(sed -n '/<total>/,/<\/total>/p' "$H/r1.xml" | grep -o '<[a-z-]*[^>]*>[0-9]*<' | tr '\n' ' ')"
[[ $SAME == yes ]]
