#!/usr/bin/env python3
"""How much of an audit's time is the tool's own, and how much the site's?

Runs `plg-audit demo` (the built-in sample product, offline) N times and splits each run's
wall time into the site's part, the settle waits (from a navigation or an action until the
page is quiet again), and everything else: starting Chromium, reading screens, classifying
forms, screenshots, writing the report. Reads the figures each run records in
artifacts.json (`timings`, pages' `load_ms`/`settle_ms`, journey steps' `ms`).

    cargo build --release
    python3 benches/overhead.py [--runs 5] [--bin target/release/plg-audit]

Discovery renders up to four pages at once, so the pages' settle times overlap: their sum
is shown beside the crawl's wall time, not subtracted from it. The pricing page's render,
reading and monthly/annual switch (`timings.pricing_ms`) are part of discovery. The journey is sequential:
its overhead is its wall time minus its steps' and cookie banners' settle times.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def one_run(binary: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="plg-overhead-") as out:
        started = time.monotonic()
        done = subprocess.run(
            [str(binary), "demo", "--quiet", "--out", out],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        wall_ms = (time.monotonic() - started) * 1000
        if done.returncode != 0:
            sys.exit(f"plg-audit demo failed ({done.returncode}): {done.stderr.strip()}")
        artifacts = json.loads((Path(out) / "artifacts.json").read_text())
        report = json.loads((Path(out) / "report.json").read_text())
    t = artifacts["timings"]
    pages = artifacts["pages"]
    journey = artifacts.get("journey") or {"steps": []}
    steps_ms = sum(s["ms"] for s in journey["steps"])
    journey_site_ms = steps_ms + journey.get("overlay_ms", 0) + journey.get("navigation_ms", 0)
    return {
        "wall": wall_ms,
        "audit": report["duration_ms"],
        "home_fetch": t["home_fetch_ms"],
        "browser_start": t["browser_start_ms"],
        "crawl": t["crawl_ms"],
        "pricing": t.get("pricing_ms", 0),
        "pricing_switch": t.get("pricing_switch_ms", 0),
        "pages": len(pages),
        "pages_settle_sum": sum(p.get("settle_ms") or p["load_ms"] for p in pages),
        "journey": t["journey_ms"],
        "journey_steps": len(journey["steps"]),
        "journey_site": journey_site_ms,
        "journey_overhead": t["journey_ms"] - journey_site_ms,
        "outside_gather": wall_ms - max(t["home_fetch_ms"], t["browser_start_ms"]) - t["crawl_ms"] - t["journey_ms"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bin", type=Path, default=REPO_ROOT / "target/release/plg-audit")
    args = ap.parse_args()
    if not args.bin.exists():
        sys.exit(f"{args.bin} does not exist; run `cargo build --release` first")
    runs = [one_run(args.bin) for _ in range(args.runs)]
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}

    def row(label: str, ms: float, note: str = "") -> None:
        print(f"  {label:<40}{ms:8.0f}   {note}".rstrip())

    print(f"plg-audit demo, {args.runs} runs, medians (ms)")
    row("wall time of the process", med["wall"])
    row("start-up: Chromium launch, first tab", med["browser_start"],
        f"(home page fetched meanwhile in {med['home_fetch']:.0f})")
    row(f"discovery ({med['pages']:.0f} pages, 4 at a time)", med["crawl"],
        f"pages' load and settle times add up to {med['pages_settle_sum']:.0f}")
    row("  of which pricing: render, read, switch", med["pricing"],
        f"(pressing the monthly/annual switch and reading again: {med['pricing_switch']:.0f})")
    row(f"journey ({med['journey_steps']:.0f} steps)", med["journey"])
    row("  site: steps, banners, page loads", med["journey_site"])
    row("  tool: screens, forms, screenshots", med["journey_overhead"],
        f"({100 * med['journey_overhead'] / max(med['journey'], 1):.0f} % of the journey)")
    row("demo server, report files, exit", med["outside_gather"])
    site = med["journey_site"] + med["crawl"]
    print(f"  the site's share (journey settles + discovery): {site:.0f} of {med['wall']:.0f} ms "
          f"({100 * site / med['wall']:.0f} %); the rest is the tool and Chromium start-up")

if __name__ == "__main__":
    main()
