#!/usr/bin/env python3
"""Damages exported ledger bundles for tests/integration/test_bundle.sh.

  bundle_tool.py flip --bundle DIR --file NAME --pubkey PEM --plaint BIN --positions SPEC
                      [--xor HEX,...] [--jobs N]
      For each byte position, in a fresh copy of the bundle, XOR that one byte of NAME with one
      of the values (taken in turn) and run `plaint verify --bundle`. Prints every run that did
      not exit 1 (and any sanitizer report) and a summary; exits 0 only if every run exited 1.
      SPEC: 'all', or 'sample:N' (N positions spread evenly over the file, plus the first and
      last byte, every newline, and one byte of every distinct character class of the file).
      --skip-value KEY leaves the bytes of the string value of member KEY alone.
  bundle_tool.py rewrite --bundle DIR --line N --payload JSON
      An attacker's edit of an exported bundle: replaces the payload of event line N (1-based),
      recomputes that event's hash and the chain links after it (docs/ledger-format.md), and the
      manifest's SHA-256 and sizes, so only the signed checkpoints can expose it.
  bundle_tool.py manifest --bundle DIR
      Recomputes the manifest's file hashes and sizes after an edit.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

EVENT_PREFIX = b"plaint.event.v1\n"
FILES = ("events.jsonl", "checkpoints.jsonl", "pubkey.pem", "manifest.json")


def jcs(value):
    """RFC 8785 for the values in the tests' bundles (integers, strings, objects)."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def positions(data, spec, skip_value=None):
    out = positions_of(data, spec)
    if skip_value:
        key = b'"' + skip_value.encode() + b'":"'
        start = data.find(key) + len(key)
        end = data.find(b'"', start)
        if start < len(key) or end < 0:
            sys.exit("bundle_tool: no string member %s" % skip_value)
        out = [p for p in out if not start <= p < end]
    return out


def positions_of(data, spec):
    if spec == "all":
        return list(range(len(data)))
    n = int(spec.split(":", 1)[1])
    out = {0, len(data) - 1}
    out.update(i * (len(data) - 1) // (n - 1) for i in range(n))
    seen = set()
    for i, b in enumerate(data):
        if b == 0x0A:
            out.add(i)
        cls = (chr(b) if b < 0x80 and not chr(b).isalnum() else
               "d" if chr(b).isdigit() else "x" if chr(b) in "abcdef" else
               "a" if b < 0x80 else "u")
        if cls not in seen:
            seen.add(cls)
            out.add(i)
    return sorted(out)


def flip_one(job):
    src, work, name, pos, xor, plaint, pubkey = job
    for f in FILES:
        shutil.copyfile(os.path.join(src, f), os.path.join(work, f))
    path = os.path.join(work, name)
    with open(path, "r+b") as f:
        f.seek(pos)
        b = f.read(1)[0]
        f.seek(pos)
        f.write(bytes([b ^ xor]))
    r = subprocess.run([plaint, "verify", "--bundle", work, "--pubkey", pubkey, "--json"],
                       capture_output=True, text=True, errors="replace")
    return pos, b, xor, r.returncode, r.stdout, r.stderr


def cmd_flip(args):
    with open(os.path.join(args.bundle, args.file), "rb") as f:
        data = f.read()
    xors = [int(x, 16) for x in args.xor.split(",")]
    pos = positions(data, args.positions, args.skip_value)
    root = tempfile.mkdtemp(prefix="plaint-flip-")
    works = []
    for i in range(args.jobs):
        works.append(os.path.join(root, str(i)))
        os.mkdir(works[-1])
    bad = 0
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
            # one work directory per worker: job k runs in directory k % jobs, and a worker only
            # takes the next job of its own directory after the previous one finished
            batches = [pos[i::args.jobs] for i in range(args.jobs)]

            def run_batch(i):
                return [flip_one((args.bundle, works[i], args.file, p, xors[p % len(xors)],
                                  args.plaint, args.pubkey)) for p in batches[i]]
            results = [r for rs in ex.map(run_batch, range(args.jobs)) for r in rs]
    finally:
        shutil.rmtree(root)
    for p, b, x, rc, out, err in sorted(results):
        sanitizer = "Sanitizer" in err or "runtime error" in err
        if rc != 1 or sanitizer:
            bad += 1
            print("%s byte %d (0x%02x ^ 0x%02x = 0x%02x): exit %d: %s %s" %
                  (args.file, p, b, x, b ^ x, rc, out.strip()[:300], err.strip()[:600]))
    print("%s: %d positions of %d bytes flipped, %d did not exit 1" %
          (args.file, len(results), len(data), bad))
    return 1 if bad else 0


def write_manifest(bundle):
    path = os.path.join(bundle, "manifest.json")
    with open(path) as f:
        man = json.load(f)
    for name in man["files"]:
        with open(os.path.join(bundle, name), "rb") as f:
            data = f.read()
        man["files"][name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    with open(path, "w") as f:
        f.write(jcs(man) + "\n")  # canonical, one line, ending in a newline like every line


def cmd_rewrite(args):
    path = os.path.join(args.bundle, "events.jsonl")
    with open(path, encoding="utf-8") as f:
        lines = [json.loads(l) for l in f]
    lines[args.line - 1]["event"]["payload"] = json.loads(args.payload)
    last = {}
    for rec in lines:
        ev = rec["event"]
        if ev["case"] in last:
            ev["prev"] = last[ev["case"]]
        rec["hash"] = hashlib.sha256(EVENT_PREFIX + jcs(ev).encode("utf-8")).hexdigest()
        last[ev["case"]] = rec["hash"]
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(jcs(rec) + "\n" for rec in lines))
    write_manifest(args.bundle)
    return 0


def cmd_manifest(args):
    write_manifest(args.bundle)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("flip")
    p.add_argument("--bundle", required=True)
    p.add_argument("--file", required=True)
    p.add_argument("--pubkey", required=True)
    p.add_argument("--plaint", required=True)
    p.add_argument("--positions", default="all")
    p.add_argument("--xor", default="01")
    p.add_argument("--skip-value", help="leave the bytes of this string member's value alone")
    p.add_argument("--jobs", type=int, default=max(2, os.cpu_count() or 2))
    p = sub.add_parser("rewrite")
    p.add_argument("--bundle", required=True)
    p.add_argument("--line", type=int, required=True)
    p.add_argument("--payload", required=True)
    p = sub.add_parser("manifest")
    p.add_argument("--bundle", required=True)
    args = ap.parse_args()
    return {"flip": cmd_flip, "rewrite": cmd_rewrite, "manifest": cmd_manifest}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
