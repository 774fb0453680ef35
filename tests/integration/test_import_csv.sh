#!/usr/bin/env bash
# plaint import csv on the real CFPB data: per-product and per-channel counts equal those of an
# independent count with Python's csv module (through the same mapping file); re-importing adds
# nothing; bad rows are reported at the right line and column; --strict writes nothing.
. "$(dirname "$0")/lib/common.sh"

DATA=${PLAINT_SOURCE_DIR}/../shared/data/cfpb_complaints.csv
[ -f "$DATA" ] || DATA=/work/shared/data/cfpb_complaints.csv
MAP=${PLAINT_SOURCE_DIR}/reports/mappings/cfpb.xml
H=$(new_home)
export PLAINT_HOME=$H PLAINT_SEAL_EVERY_EVENTS=0 PLAINT_SEAL_EVERY_SECONDS=0
unset PLAINT_TOKEN
expect_exit 0 "db start" -- "$PLAINT_BIN" db start
expect_exit 0 "db migrate" -- "$PLAINT_BIN" db migrate
expect_exit 0 "keys init" -- "$PLAINT_BIN" keys init
P="psql -X -q -t -A -h $H/pg/run -U plaint_admin -d plaint"
q() { $P -c "$1"; }

expect_exit 0 "import the CFPB file" -- "$PLAINT_BIN" import csv "$DATA" --mapping "$MAP"
check "3690 imported" -- grep -q "3690 complaints imported" "$TMP_OUT"

# Independent counts: Python's csv module, channel values mapped by the mapping file itself.
python3 - "$DATA" "$MAP" >"$TEST_ROOT/expected.txt" <<'PY'
import csv, sys, collections
import xml.etree.ElementTree as ET
ns = {"m": "urn:plaint:mapping:1"}
root = ET.parse(sys.argv[2]).getroot()
chan = None
for f in root.iter("{urn:plaint:mapping:1}field"):
    if f.get("name") == "channel":
        chan = f
col = chan.get("column")
vmap = {v.get("from"): v.get("to") for v in chan.iter("{urn:plaint:mapping:1}value")}
prod = collections.Counter()
ch = collections.Counter()
with open(sys.argv[1], newline="", encoding="utf-8-sig") as fh:
    for r in csv.DictReader(fh):
        prod[r["Product"]] += 1
        ch[vmap[r[col]]] += 1
for k in sorted(prod):
    print("product|%s|%d" % (k, prod[k]))
for k in sorted(ch):
    print("channel|%s|%d" % (k, ch[k]))
PY
q "SELECT 'product|' || category || '|' || count(*) FROM plaint.complaint GROUP BY category UNION ALL SELECT 'channel|' || channel || '|' || count(*) FROM plaint.complaint GROUP BY channel" | LC_ALL=C sort >"$TEST_ROOT/got.txt"
LC_ALL=C sort -o "$TEST_ROOT/expected.txt" "$TEST_ROOT/expected.txt"
check "per-product and per-channel counts equal Python's ($(wc -l <"$TEST_ROOT/expected.txt") groups)" -- diff "$TEST_ROOT/expected.txt" "$TEST_ROOT/got.txt"
check "every complaint went through intake (under investigation or escalated)" -- test "$(q "SELECT count(*) FROM plaint.complaint WHERE status IN ('under_investigation', 'escalated') AND severity_level IS NOT NULL AND final_due IS NOT NULL")" = 3690
check "two intake tasks per complaint" -- test "$(q "SELECT count(*) FROM plaint.task")" = 7380
check "an acknowledgement per complaint" -- test "$(q "SELECT count(*) FROM plaint.outbox WHERE kind = 'acknowledgement'")" = 3690
check "source fields kept (company response)" -- test "$(q "SELECT count(*) FROM plaint.complaint_source_field WHERE value = 'Closed with monetary relief'")" = 78

events=$(q "SELECT count(*) FROM plaint.ledger_event")
expect_exit 0 "re-import" -- "$PLAINT_BIN" import csv "$DATA" --mapping "$MAP"
check "re-import skips every row" -- grep -q "0 complaints imported, 3690 already there" "$TMP_OUT"
check "re-import adds no event" -- test "$(q "SELECT count(*) FROM plaint.ledger_event WHERE case_id <> 'policy'")" = "$(($events - $(q "SELECT count(*) FROM plaint.ledger_event WHERE case_id = 'policy'")))"

# A broken file: header, a good row, a row whose narrative spans three lines, a bad date.
B=$TEST_ROOT/broken.csv
head -1 "$DATA" >"$B"
cat >>"$B" <<'CSV'
2020-03-18,Debt collection,I do not know,Attempts to collect debt not owed,Debt is not yours,,,ACME,FL,330XX,,Other,Web,2020-03-18,Closed with explanation,Yes,N/A,9000001
2020-03-19,Debt collection,I do not know,Attempts to collect debt not owed,Debt is not yours,"line one
line two
line three",,ACME,FL,330XX,,Other,Web,2020-03-19,Closed with explanation,Yes,N/A,9000002
2020-13-45,Debt collection,I do not know,Attempts to collect debt not owed,Debt is not yours,,,ACME,FL,330XX,,Other,Web,2020-03-20,Closed with explanation,Yes,N/A,9000003
2020-03-21,Debt collection,I do not know,Attempts to collect debt not owed,Debt is not yours,,,ACME,FL,330XX,,Other,Carrier pigeon,2020-03-21,Closed with explanation,Yes,N/A,9000004
CSV
before=$(q "SELECT count(*) FROM plaint.complaint")
expect_exit 3 "--strict refuses the broken file" -- "$PLAINT_BIN" import csv "$B" --mapping "$MAP" --strict
check "the bad date is reported at line 6, column 1" -- grep -q "broken.csv:6:1: .*Date received" "$TMP_ERR"
check "the unknown channel at line 7, column 13" -- grep -q "broken.csv:7:13: .*Carrier pigeon" "$TMP_ERR"
check "--strict wrote nothing" -- test "$(q "SELECT count(*) FROM plaint.complaint")" = "$before"
expect_exit 3 "without --strict the good rows go in, exit 3" -- "$PLAINT_BIN" import csv "$B" --mapping "$MAP"
check "two rows imported" -- test "$(q "SELECT count(*) FROM plaint.complaint")" = $((before + 2))
check "the three-line narrative kept" -- test "$(q "SELECT count(*) FROM plaint.complaint WHERE source_id = '9000002' AND narrative = E'line one\nline two\nline three'")" = 1
expect_exit 3 "importing it again adds nothing" -- "$PLAINT_BIN" import csv "$B" --mapping "$MAP"
check "still two more" -- test "$(q "SELECT count(*) FROM plaint.complaint")" = $((before + 2))
expect_exit 3 "a missing file is refused (bad input)" -- "$PLAINT_BIN" import csv "$TEST_ROOT/nope.csv" --mapping "$MAP"
expect_exit 2 "--mapping is required" -- "$PLAINT_BIN" import csv "$B"
expect_exit 0 "replay --check" -- "$PLAINT_BIN" ledger replay --check

# Batches change nothing: 800 records imported one row per batch (every fact read from the
# database, or from the batch the writer thread is still appending) and 400 rows per batch
# (facts combined from the database, the batch in flight and the batch) give the same events,
# byte for byte. Right after a record with a narrative the sample repeats it under a new
# Complaint ID (a duplicate of the row before: with one row per batch that row is still being
# written when the duplicate's facts are read) and then under its own ID (skipped).
S=$TEST_ROOT/sample.csv
python3 - "$DATA" "$S" <<'PY'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8-sig") as fh, open(sys.argv[2], "w", newline="", encoding="utf-8") as out:
    r = csv.reader(fh)
    w = csv.writer(out, lineterminator="\n")
    header = next(r)
    w.writerow(header)
    cid = header.index("Complaint ID")
    narr = header.index("Consumer complaint narrative")
    done = False
    for i, row in enumerate(r):
        if i >= 800:
            break
        w.writerow(row)
        if not done and i > 500 and row[narr].strip():
            w.writerow(row[:cid] + ["999000001"] + row[cid + 1:])
            w.writerow(row)
            done = True
    assert done
PY
digest() { psql -X -q -t -A -h "$1/pg/run" -U plaint_admin -d plaint -c "SELECT md5(string_agg(case_id || '|' || case_seq || '|' || event_type || '|' || payload, E'\n' ORDER BY case_id, case_seq)) FROM plaint.ledger_event WHERE case_id LIKE 'CMP-%'"; }
for b in 1 400; do
    HB=$(new_home)
    PLAINT_HOME=$HB "$PLAINT_BIN" db start >/dev/null 2>&1 && PLAINT_HOME=$HB "$PLAINT_BIN" db migrate >/dev/null 2>&1
    expect_exit 0 "sample imported with --batch $b" -- env PLAINT_HOME="$HB" "$PLAINT_BIN" import csv "$S" --mapping "$MAP" --batch "$b"
    check "the repeated Complaint ID is skipped (--batch $b)" -- grep -q "801 complaints imported, 1 already there" "$TMP_OUT"
    eval "D$b=\$(digest \"$HB\")"
    expect_exit 0 "replay --check after --batch $b" -- env PLAINT_HOME="$HB" "$PLAINT_BIN" ledger replay --check
done
check "one row per batch and 400 per batch give identical events" -- test "$D1" = "$D400"
check "the repeated narrative is a duplicate of the complaint just before it" -- test "$(psql -X -q -t -A -h "$HB/pg/run" -U plaint_admin -d plaint -c "SELECT d.source_id FROM plaint.complaint c JOIN plaint.complaint d ON d.ref = c.duplicate_of WHERE c.source_id = '999000001'")" = "$(python3 -c "import csv,sys; r=list(csv.reader(open(sys.argv[1], encoding='utf-8'))); i=[x[r[0].index('Complaint ID')] for x in r].index('999000001'); print(r[i-1][r[0].index('Complaint ID')])" "$S")"
check "(and the digests are not empty)" -- test -n "$D1"
finish
