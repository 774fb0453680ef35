#!/usr/bin/env python3
"""Forges ledger history the way an attacker with superuser access (but without the signing key)
would: reads the ledger tables through psql, changes them, recomputes every event hash, per-case
chain link, position hash and case head exactly as docs/ledger-format.md / src/core/chain.c,
src/core/merkle.c and src/core/checkpoint.c define them, and writes the tables back with the
append-only triggers disabled. The tamper tests use it so that a detected forgery is detected
because of the signed checkpoints, not because the forgery was sloppy.

Usage: forge.py --host SOCKET_DIR --dbname DB COMMAND [ARGS]
  selftest                       recompute everything from the stored fields; exit 0 only if every
                                 event hash, position hash, Merkle root and checkpoint hash matches
                                 what plaint stored (proves this file implements the format)
  insert --case C --after-seq N  insert a forged event after (C, N): later events of C are
                                 renumbered, every hash recomputed, later positions shifted by one
  rewrite --case C --seq N --payload JSON [--checkpoints keep|rehash|resign --key PEM]
                                 change one payload and recompute the whole history; optionally
                                 recompute the checkpoints too (keeping the old signatures), or
                                 re-sign them with the attacker's own key and store that key
  append --case C [--pending]    a forged event after the case's last one, with a correct hash
                                 and chain link but no position; --pending also queues it for
                                 the next seal (which is what a real append does)
  eventhash --case C --seq N     print the recomputed hash of one event
Only psql and openssl are needed (no Python packages beyond the standard library).
"""
import argparse
import base64
import datetime
import hashlib
import json
import os
import subprocess
import sys
import tempfile

EVENT_PREFIX = b"plaint.event.v1\n"
CHECKPOINT_PREFIX = b"plaint.checkpoint.v1\n"
GENESIS = "00" * 32


# --- the format -------------------------------------------------------------------------------

def jcs(value):
    """RFC 8785 for what the tests use: ASCII keys, strings, integers, objects, arrays."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def fmt_time(us):
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=us)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % (
        t.year, t.month, t.day, t.hour, t.minute, t.second, t.microsecond)


def event_canonical(ev):
    """The event's canonical JSON: payload is embedded as its stored (canonical) text."""
    return ("{\"actor\":" + jcs(ev["actor"]) + ",\"case\":" + jcs(ev["case"]) +
            ",\"payload\":" + ev["payload"] + ",\"prev\":\"" + ev["prev"] + "\",\"role\":" +
            jcs(ev["role"]) + ",\"seq\":%d,\"time\":\"%s\"" % (ev["seq"], fmt_time(ev["time_us"])) +
            ",\"type\":" + jcs(ev["type"]) + ",\"v\":1}")


def event_hash(ev):
    return hashlib.sha256(EVENT_PREFIX + event_canonical(ev).encode("utf-8")).hexdigest()


def merkle_root(leaves):
    """RFC 9162 MTH over the event hashes (each leaf's data is the 32-byte event hash)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + merkle_root(leaves[:k]) + merkle_root(leaves[k:])).digest()


def checkpoint_message(cp):
    return CHECKPOINT_PREFIX + (
        "{\"key\":\"%s\",\"prev\":\"%s\",\"root\":\"%s\",\"seq\":%d,\"size\":%d,\"time\":\"%s\","
        "\"v\":1}" % (cp["key_id"], cp["prev"], cp["root"], cp["seq"], cp["size"],
                      fmt_time(cp["time_us"]))).encode("ascii")


def frontier(leaves):
    """The Merkle frontier cache plaint stores next to a checkpoint (8-byte big-endian size, then
    the roots of the perfect subtrees, largest first)."""
    out = len(leaves).to_bytes(8, "big")
    start = 0
    n = len(leaves)
    bit = 1 << 63
    while bit:
        if n & bit:
            out += merkle_root(leaves[start:start + bit])
            start += bit
        bit >>= 1
    return out


# --- the database -----------------------------------------------------------------------------

class Db:
    def __init__(self, host, dbname):
        self.base = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", host, "-U",
                     "plaint_admin", "-d", dbname]

    def query_json(self, sql):
        out = subprocess.run(self.base + ["-At", "-c", "SELECT coalesce(json_agg(t), '[]') FROM (" +
                                          sql + ") t"],
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out)

    def run(self, sql):
        subprocess.run(self.base + ["-1", "-f", "-"], input=sql, check=True, text=True)


def load(db):
    events = db.query_json(
        "SELECT e.id, e.case_id AS case, e.case_seq AS seq, e.event_type AS type, e.actor, "
        "e.actor_role AS role, (extract(epoch FROM e.occurred_at) * 1000000)::bigint AS time_us, "
        "e.payload, encode(e.prev_hash, 'hex') AS prev, encode(e.hash, 'hex') AS hash, "
        "e.idempotency_key AS key, p.position, encode(p.event_hash, 'hex') AS poshash, "
        "q.event_id IS NOT NULL AS pending FROM plaint.ledger_event e "
        "LEFT JOIN plaint.ledger_position p ON p.event_id = e.id "
        "LEFT JOIN plaint.ledger_pending q ON q.event_id = e.id ORDER BY e.id")
    cps = db.query_json(
        "SELECT seq, tree_size AS size, encode(root_hash, 'hex') AS root, "
        "encode(prev_hash, 'hex') AS prev, "
        "(extract(epoch FROM created_at) * 1000000)::bigint AS time_us, key_id, "
        "encode(signature, 'hex') AS sig, encode(hash, 'hex') AS hash, "
        "encode(frontier, 'hex') AS frontier FROM plaint.ledger_checkpoint ORDER BY seq")
    keys = db.query_json("SELECT key_id, public_key FROM plaint.ledger_key ORDER BY key_id")
    return events, cps, keys


def rechain(events):
    """Recomputes prev and hash along every case's chain, in seq order."""
    last = {}
    for ev in sorted(events, key=lambda e: (e["case"], e["seq"])):
        ev["prev"] = last.get(ev["case"], GENESIS)
        ev["hash"] = event_hash(ev)
        last[ev["case"]] = ev["hash"]


def leaves(events):
    pos = sorted((e for e in events if e["position"] is not None), key=lambda e: e["position"])
    return [bytes.fromhex(e["hash"]) for e in pos]


def rehash_checkpoints(cps, events, key_id=None, keyfile=None):
    lv = leaves(events)
    prev = GENESIS
    for cp in cps:
        cp["root"] = merkle_root(lv[:cp["size"]]).hex()
        cp["frontier"] = frontier(lv[:cp["size"]]).hex()
        cp["prev"] = prev
        if key_id is not None:
            cp["key_id"] = key_id
        msg = checkpoint_message(cp)
        cp["hash"] = hashlib.sha256(msg).hexdigest()
        if keyfile is not None:
            cp["sig"] = sign(keyfile, msg).hex()
        prev = cp["hash"]


def sign(keyfile, msg):
    with tempfile.TemporaryDirectory() as d:
        m = os.path.join(d, "msg")
        s = os.path.join(d, "sig")
        with open(m, "wb") as f:
            f.write(msg)
        subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", keyfile, "-rawin", "-in", m,
                        "-out", s], check=True)
        with open(s, "rb") as f:
            return f.read()


def public_key(keyfile):
    """(key id, public PEM) of an Ed25519 private key: the id is SHA-256 of the raw key."""
    pem = subprocess.run(["openssl", "pkey", "-in", keyfile, "-pubout"], check=True,
                         capture_output=True, text=True).stdout
    der = base64.b64decode("".join(l for l in pem.splitlines() if not l.startswith("-----")))
    return hashlib.sha256(der[-32:]).hexdigest(), pem


def lit(v):
    if v is None:
        return "NULL"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def hexlit(h):
    return "'\\x%s'::bytea" % h


def store(db, events, cps=None, keys=None):
    """Replaces the ledger tables' contents with the forged ones, triggers disabled."""
    sql = ["SET session_replication_role = replica;",
           "DELETE FROM plaint.ledger_position;", "DELETE FROM plaint.ledger_pending;",
           "DELETE FROM plaint.ledger_event;", "DELETE FROM plaint.ledger_case_head;"]
    for e in events:
        sql.append("INSERT INTO plaint.ledger_event (id, case_id, case_seq, event_type, actor, "
                   "actor_role, occurred_at, payload, prev_hash, hash, idempotency_key) VALUES "
                   "(%d, %s, %d, %s, %s, %s, 'epoch'::timestamptz + %d * interval "
                   "'1 microsecond', %s, %s, %s, %s);" %
                   (e["id"], lit(e["case"]), e["seq"], lit(e["type"]), lit(e["actor"]),
                    lit(e["role"]), e["time_us"], lit(e["payload"]), hexlit(e["prev"]),
                    hexlit(e["hash"]), lit(e["key"])))
        if e["position"] is not None:
            sql.append("INSERT INTO plaint.ledger_position (position, event_id, event_hash) "
                       "VALUES (%d, %d, %s);" % (e["position"], e["id"], hexlit(e["hash"])))
        if e["pending"]:
            sql.append("INSERT INTO plaint.ledger_pending (event_id) VALUES (%d);" % e["id"])
    heads = {}
    for e in events:
        if e["case"] not in heads or heads[e["case"]]["seq"] < e["seq"]:
            heads[e["case"]] = e
    for c, e in heads.items():
        sql.append("INSERT INTO plaint.ledger_case_head (case_id, last_seq, last_hash) VALUES "
                   "(%s, %d, %s);" % (lit(c), e["seq"], hexlit(e["hash"])))
    sql.append("SELECT setval('plaint.ledger_event_id_seq', %d);" % max(e["id"] for e in events))
    if keys is not None:
        sql.append("DELETE FROM plaint.ledger_key;")
        for k in keys:
            sql.append("INSERT INTO plaint.ledger_key (key_id, public_key) VALUES (%s, %s);" %
                       (lit(k["key_id"]), lit(k["public_key"])))
    if cps is not None:
        sql.append("DELETE FROM plaint.ledger_checkpoint;")
        for cp in cps:
            sql.append("INSERT INTO plaint.ledger_checkpoint (seq, tree_size, root_hash, "
                       "prev_hash, created_at, key_id, signature, hash, frontier) VALUES "
                       "(%d, %d, %s, %s, 'epoch'::timestamptz + %d * interval '1 microsecond', "
                       "%s, %s, %s, %s);" %
                       (cp["seq"], cp["size"], hexlit(cp["root"]), hexlit(cp["prev"]),
                        cp["time_us"], lit(cp["key_id"]), hexlit(cp["sig"]), hexlit(cp["hash"]),
                        hexlit(cp["frontier"])))
    db.run("\n".join(sql) + "\n")


# --- commands ---------------------------------------------------------------------------------

def find(events, case, seq):
    for e in events:
        if e["case"] == case and e["seq"] == seq:
            return e
    sys.exit("forge: no event (%s, %d)" % (case, seq))


def cmd_selftest(db, _args):
    events, cps, _keys = load(db)
    bad = []
    stored = {e["id"]: (e["prev"], e["hash"]) for e in events}
    rechain(events)
    for e in events:
        if (e["prev"], e["hash"]) != stored[e["id"]]:
            bad.append("event (%s, %d): recomputed %s, stored %s" %
                       (e["case"], e["seq"], e["hash"], stored[e["id"]][1]))
        if e["position"] is not None and e["poshash"] != e["hash"]:
            bad.append("position %d: hash differs" % e["position"])
    orig = [dict(cp) for cp in cps]
    rehash_checkpoints(cps, events)
    for a, b in zip(orig, cps):
        for k in ("root", "prev", "hash", "frontier"):
            if a[k] != b[k]:
                bad.append("checkpoint %d: %s recomputed %s, stored %s" % (a["seq"], k, b[k], a[k]))
    for line in bad:
        print("forge selftest: " + line, file=sys.stderr)
    print("forge selftest: %d events, %d checkpoints, %d mismatches" %
          (len(events), len(cps), len(bad)))
    return 1 if bad else 0


def cmd_insert(db, args):
    events, _cps, _keys = load(db)
    after = find(events, args.case, args.after_seq)
    if after["position"] is None:
        sys.exit("forge: insert after a sequenced event")
    pos = after["position"] + 1
    for e in events:
        if e["case"] == args.case and e["seq"] > args.after_seq:
            e["seq"] += 1
        if e["position"] is not None and e["position"] >= pos:
            e["position"] += 1
    forged = dict(after)
    forged.update(id=max(e["id"] for e in events) + 1, seq=args.after_seq + 1, position=pos,
                  type=args.type, payload=jcs(json.loads(args.payload)), key=None,
                  pending=False, time_us=after["time_us"] + 1)
    events.append(forged)
    rechain(events)
    store(db, events)
    print("forged event (%s, %d) at position %d, hash %s" %
          (args.case, forged["seq"], pos, forged["hash"]))
    return 0


def cmd_rewrite(db, args):
    events, cps, keys = load(db)
    find(events, args.case, args.seq)["payload"] = jcs(json.loads(args.payload))
    rechain(events)
    if args.checkpoints == "keep":
        store(db, events)
    elif args.checkpoints == "rehash":
        rehash_checkpoints(cps, events)
        store(db, events, cps)
    else:
        kid, pem = public_key(args.key)
        rehash_checkpoints(cps, events, kid, args.key)
        store(db, events, cps, [{"key_id": kid, "public_key": pem}])
    return 0


def cmd_append(db, args):
    events, _cps, _keys = load(db)
    last = max((e for e in events if e["case"] == args.case), key=lambda e: e["seq"])
    forged = dict(last)
    forged.update(id=max(e["id"] for e in events) + 1, seq=last["seq"] + 1, position=None,
                  type=args.type, payload=jcs(json.loads(args.payload)), key=None,
                  pending=args.pending, time_us=last["time_us"] + 1)
    events.append(forged)
    rechain(events)
    store(db, events)
    print("forged event (%s, %d), hash %s" % (args.case, forged["seq"], forged["hash"]))
    return 0


def cmd_eventhash(db, args):
    events, _cps, _keys = load(db)
    print(event_hash(find(events, args.case, args.seq)))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", required=True)
    ap.add_argument("--dbname", required=True)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("selftest")
    p = sub.add_parser("insert")
    p.add_argument("--case", required=True)
    p.add_argument("--after-seq", type=int, required=True)
    p.add_argument("--type", default="forged.event")
    p.add_argument("--payload", default='{"forged":true}')
    p = sub.add_parser("rewrite")
    p.add_argument("--case", required=True)
    p.add_argument("--seq", type=int, required=True)
    p.add_argument("--payload", required=True)
    p.add_argument("--checkpoints", choices=("keep", "rehash", "resign"), default="keep")
    p.add_argument("--key")
    p = sub.add_parser("append")
    p.add_argument("--case", required=True)
    p.add_argument("--pending", action="store_true")
    p.add_argument("--type", default="forged.event")
    p.add_argument("--payload", default='{"forged":true}')
    p = sub.add_parser("eventhash")
    p.add_argument("--case", required=True)
    p.add_argument("--seq", type=int, required=True)
    args = ap.parse_args()
    if args.cmd == "rewrite" and args.checkpoints == "resign" and not args.key:
        ap.error("--checkpoints resign needs --key")
    db = Db(args.host, args.dbname)
    return {"selftest": cmd_selftest, "insert": cmd_insert, "rewrite": cmd_rewrite,
            "append": cmd_append, "eventhash": cmd_eventhash}[args.cmd](db, args)


if __name__ == "__main__":
    sys.exit(main())
