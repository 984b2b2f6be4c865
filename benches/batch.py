#!/usr/bin/env python3
"""Batch speed-up and memory: `plg-audit batch` over fixture products with --jobs 1, 2, 4.

Serves each fixture product on 127.0.0.1 (with the repo's `serve` example), audits them all
in one batch per --jobs value, and prints the wall time and the peak memory of plg-audit and
every Chromium process it started together (the sum of their proportional set sizes, PSS,
sampled every 100 ms from /proc), so shared pages are counted once.

With --remote, each batch runs again through one Chromium started by the bench with
--remote-debugging-port (plg-audit --browser-ws): every product in a browser context of
that one browser instead of a browser of its own; that Chromium's memory is counted too.

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


def measure(cmd, also=None):
    """Runs cmd; its wall time and the peak PSS of its process tree (plus the tree of the
    process `also`, a remote browser, when given)."""
    peak = 0
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            pids = tree(proc.pid) + (tree(also) if also else [])
            peak = max(peak, sum(pss_kb(p) for p in pids))
            time.sleep(0.1)

    t = threading.Thread(target=sample)
    t.start()
    _, err = proc.communicate()
    done.set()
    t.join()
    return time.monotonic() - start, peak, proc.returncode, err


def start_chromium(profile):
    """A headless Chromium on a free DevTools port, kept off the network; (process, port)."""
    cmd = ["chromium", "--headless", "--disable-gpu", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--remote-debugging-port=0", f"--user-data-dir={profile}",
           "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "about:blank"]
    if os.geteuid() == 0:
        cmd.insert(1, "--no-sandbox")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    active = os.path.join(profile, "DevToolsActivePort")
    for _ in range(600):
        try:
            with open(active) as f:
                port = f.readline().strip()
            if port:
                return proc, port
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit("the bench's Chromium wrote no DevTools port")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/plg-audit")
    ap.add_argument("--serve", default=None, help="the serve example (default: beside --bin)")
    ap.add_argument("--jobs", default="1,2,4")
    ap.add_argument("--max-pages", default="6")
    ap.add_argument("--remote", action="store_true",
                    help="also run each batch through one separately started Chromium (--browser-ws)")
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
            print(f"{'browser':<8}  {'jobs':>4}  {'wall s':>7}  {'speed-up':>8}  {'peak PSS MB':>11}  exit")
            modes = ["own"] + (["remote"] if args.remote else [])
            for mode in modes:
                base = None
                for jobs in args.jobs.split(","):
                    out = os.path.join(tmp, f"{mode}-jobs{jobs}")
                    cmd = [args.bin, "batch", listing, "--jobs", jobs, "--quiet", "--no-history",
                           "--max-pages", args.max_pages, "--out", out]
                    if mode == "own":
                        wall, peak, code, err = measure(cmd + ["--offline"])
                    else:
                        profile = os.path.join(tmp, f"chromium-{jobs}")
                        browser, port = start_chromium(profile)
                        try:
                            wall, peak, code, err = measure(
                                cmd + ["--browser-ws", f"http://127.0.0.1:{port}"], also=browser.pid)
                        finally:
                            os.killpg(browser.pid, 9)
                            browser.wait()
                    base = base or wall
                    print(f"{mode:<8}  {jobs:>4}  {wall:7.1f}  {base / wall:8.2f}  {peak / 1024:11.0f}  {code}")
                    if code != 0:
                        print(err, file=sys.stderr)
    finally:
        for p in servers:
            p.terminate()


if __name__ == "__main__":
    main()
