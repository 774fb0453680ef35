#!/usr/bin/env python3
"""Generates ledger events shaped like real use, for the bulk benchmarks (tests/bench/run.sh).

Writes JSON Lines for `plaint ledger import` and, optionally, the same events as a flat COPY text
file for the reference `\\copy` into a plain copy of plaint.ledger_event.

Shape: cases are opened over time and interleaved (a window of --active open cases; each event
goes to a random open case); every case gets 8..12 events (mean ~10); payloads are canonical
JSON objects of about 100-200 bytes. With --cases-from/--cases the events go to a fixed set of
existing cases instead (to grow the ledger without growing the number of cases).
Deterministic for a given --seed.
"""
import argparse
import json
import random
import sys

TYPES = [
    "complaint.created",
    "complaint.triaged",
    "complaint.assigned",
    "complaint.note",
    "complaint.customer_reply",
    "complaint.escalated",
    "complaint.refund_proposed",
    "complaint.resolved",
]
CHANNELS = ["email", "phone", "web", "letter", "branch"]
ROLES = ["operator", "supervisor", "complaints_officer"]
WORDS = (
    "customer reports card payment declined twice refund requested branch staff unhelpful "
    "delay statement error fee charged without notice account closed letter not received "
    "transfer missing interest wrong address updated callback promised escalation needed"
).split()


def payload(rng, n, seq):
    note_len = rng.randint(20, 95)
    words = []
    size = 0
    while size < note_len:
        w = rng.choice(WORDS)
        words.append(w)
        size += len(w) + 1
    doc = {
        "amount": {"currency": "EUR", "minor": rng.randint(100, 500000)},
        "channel": rng.choice(CHANNELS),
        "n": n,
        "note": " ".join(words),
        "step": seq,
    }
    # RFC 8785 for this shape: sorted keys, no spaces, integers only, ASCII strings.
    return json.dumps(doc, sort_keys=True, separators=(",", ":"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, required=True)
    ap.add_argument("--out", required=True, help="JSON Lines file for plaint ledger import")
    ap.add_argument("--copy-out", help="also write the events as COPY text (reference)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--prefix", default="C", help="case id prefix")
    ap.add_argument("--active", type=int, default=2000, help="open cases at any time")
    ap.add_argument("--cases", type=int, default=0,
                    help="use exactly this many existing cases (PREFIX-00000000..) instead")
    ap.add_argument("--idempotency-keys", action="store_true",
                    help="give every event an idempotency key")
    a = ap.parse_args()

    rng = random.Random(a.seed)
    out = open(a.out, "w", encoding="ascii")
    cout = open(a.copy_out, "w", encoding="ascii") if a.copy_out else None
    seqs = {}
    targets = {}
    active = []
    next_case = 0

    def open_case():
        nonlocal next_case
        cid = "%s-%08d" % (a.prefix, next_case)
        next_case += 1
        seqs[cid] = 0
        targets[cid] = rng.randint(8, 12)
        return cid

    if a.cases > 0:
        active = ["%s-%08d" % (a.prefix, i) for i in range(a.cases)]
        for cid in active:
            seqs[cid] = 0
    else:
        active = [open_case() for _ in range(a.active)]

    for n in range(a.events):
        k = rng.randrange(len(active))
        cid = active[k]
        seqs[cid] += 1
        seq = seqs[cid]
        typ = TYPES[0] if seq == 1 else rng.choice(TYPES[1:])
        role = rng.choice(ROLES)
        actor = "agent-%03d" % rng.randrange(200)
        body = payload(rng, n, seq)
        key = None
        if a.idempotency_keys:
            key = "%s-%d-%d" % (a.prefix, a.seed, n)
        # All strings here are plain ASCII without quotes or backslashes: no escaping needed.
        out.write('{"actor":"%s","case":"%s",%s"payload":%s,"role":"%s","type":"%s"}\n' % (
            actor, cid, '"idempotency_key":"%s",' % key if key is not None else "", body, role,
            typ))
        if cout is not None:
            # case_id case_seq event_type actor actor_role occurred_at payload prev_hash hash key
            prev = "%064x" % rng.getrandbits(256)
            h = "%064x" % rng.getrandbits(256)
            cout.write("\t".join([cid, str(seq), typ, actor, role, "2024-01-01 00:00:00+00",
                                  body.replace("\\", "\\\\"), "\\\\x" + prev, "\\\\x" + h,
                                  key if key is not None else "\\N"]))
            cout.write("\n")
        if a.cases == 0 and seq >= targets[cid]:
            active[k] = open_case()
    out.close()
    if cout is not None:
        cout.close()
    cases = next_case if a.cases == 0 else a.cases
    print("%d events, %d cases" % (a.events, cases), file=sys.stderr)


if __name__ == "__main__":
    main()
