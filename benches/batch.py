#!/usr/bin/env python3
"""Batch speed-up and memory: `plg-audit batch` over fixture products with --jobs 1, 2, 4.

Serves each fixture product on 127.0.0.1 (with the repo's `serve` example), audits them all
in one batch per --jobs value, and prints the wall time and the peak memory of plg-audit and
every Chromium process it started together (the sum of their proportional set sizes, PSS,
sampled every 100 ms from /proc), so shared pages are counted once.

    cargo build --release --examples && python3 benches/batch.py --bin target/release/plg-audit
"""
import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time

FIXTURES = ["freemium", "journey-card", "journey-captcha", "journey-verify",
            "saleslead", "spa", "journey-wizard", "journey-sso"]


def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree(root):
    """The pids of root and all its descendants."""
    children = {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(p))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def measure(cmd):
    peak = 0
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, sum(pss_kb(p) for p in tree(proc.pid)))
            time.sleep(0.1)

    t = threading.Thread(target=sample)
    t.start()
    _, err = proc.communicate()
    done.set()
    t.join()
    return time.monotonic() - start, peak, proc.returncode, err


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/plg-audit")
    ap.add_argument("--serve", default=None, help="the serve example (default: beside --bin)")
    ap.add_argument("--jobs", default="1,2,4")
    ap.add_argument("--max-pages", default="6")
    args = ap.parse_args()
    serve = args.serve or os.path.join(os.path.dirname(args.bin), "examples", "serve")
    servers, urls = [], []
    for name in FIXTURES:
        p = subprocess.Popen([serve, f"tests/fixtures/{name}"], stdout=subprocess.PIPE, text=True)
        line = p.stdout.readline()
        servers.append(p)
        urls.append(line.split(" at ")[-1].strip())
    try:
        with tempfile.TemporaryDirectory() as tmp:
            listing = os.path.join(tmp, "products.txt")
            with open(listing, "w") as f:
                f.write("\n".join(urls) + "\n")
            print(f"{len(urls)} fixture products, --max-pages {args.max_pages}, {os.cpu_count()} cores")
            print(f"{'jobs':>4}  {'wall s':>7}  {'speed-up':>8}  {'peak PSS MB':>11}  exit")
            base = None
            for jobs in args.jobs.split(","):
                out = os.path.join(tmp, f"jobs{jobs}")
                wall, peak, code, err = measure([
                    args.bin, "batch", listing, "--jobs", jobs, "--offline", "--quiet",
                    "--no-history", "--max-pages", args.max_pages, "--out", out])
                base = base or wall
                print(f"{jobs:>4}  {wall:7.1f}  {base / wall:8.2f}  {peak / 1024:11.0f}  {code}")
                if code != 0:
                    print(err, file=sys.stderr)
    finally:
        for p in servers:
            p.terminate()


if __name__ == "__main__":
    main()
