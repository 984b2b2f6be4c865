"""Shared machinery of the real-product benches (label_studio.py, n8n.py).

A real product is installed from its package registry into a cache folder (kept between
runs, so a warm run reinstalls nothing), started once on a fresh data folder to take a
*pristine* copy of its embedded SQLite database, and from then on every run restores that
copy, starts the product on a free port of 127.0.0.1, waits until it answers (bounded),
audits it with plg-audit (or walks it with the scripted browser walk under `walk/`),
stops it and checks the result against the product's labels file: the outcome, steps and
required fields in report.json, and the value moment proven by the product's own database.

Each product script supplies a `Product` (how to install, start, and read its database);
`main()` does the rest. Standard library only (Python >= 3.11 for tomllib).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
PLAYWRIGHT_CORE = "playwright-core@1.65.2"
CHROMIUM = Path("/usr/bin/chromium")  # the walk's browser (walk/common.js)


# The product is on 127.0.0.1: never ask a proxy from the environment for it.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# Asked the way a browser asks (n8n's page route answers only requests accepting HTML).
BROWSER_ACCEPT = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


class BenchError(Exception):
    """Something that stops the bench from running at all (exit 2), said in one sentence."""


@dataclass
class ValueProof:
    """What the product's own database says about the first value."""

    proven: bool
    evidence: str  # e.g. 'project 1 "Project #1" (is_draft=0) created by plg-audit+…'


@dataclass
class Product:
    """One real product: how to install it, start it and read its state."""

    slug: str  # label-studio, n8n (folder name in the cache)
    title: str  # "Label Studio 1.23.2"
    labels: Path
    walk: Path
    ready_path: str  # answers 200 with ready_text in its body when the product is ready
    ready_text: str
    ready_timeout: float  # seconds
    install: Callable[[Path, Path], None]  # (install dir, log file); raises BenchError
    installed: Callable[[Path], bool]
    command: Callable[[Path, Path, int], tuple[list[str], dict[str, str]]]  # (install, data, port)
    prove_value: Callable[[Path, str | None], ValueProof]  # (data dir, audit e-mail)
    db_file: str  # the SQLite file inside the data folder (copied beside the report)
    # Further labels read from the product's state: (data dir, e-mail, expect table) -> checks.
    state_checks: Callable[[Path, str | None, dict], list["Check"]] = lambda data, email, expect: []


class Log:
    """Terse progress on stderr; quiet unless --verbose for the chatty parts."""

    def __init__(self, verbose: bool):
        self.verbose = verbose

    def say(self, msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    def detail(self, msg: str) -> None:
        if self.verbose:
            self.say("  " + msg)


def run_logged(cmd: list[str], log_file: Path, cwd: Path | None = None, env: dict | None = None) -> None:
    """Run an install command, its output appended to log_file; BenchError when it fails."""
    with log_file.open("a") as out:
        out.write(f"\n$ {' '.join(cmd)}\n")
        out.flush()
        done = subprocess.run(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        tail = log_file.read_text(errors="replace").strip().splitlines()[-5:]
        raise BenchError(
            f"`{' '.join(cmd[:3])} …` failed (exit {done.returncode}); see {log_file}: " + " | ".join(tail)
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the product's process -------------------------------------------------------------


class Server:
    """The product running in its own process group, stopped (the whole group) on exit."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, log_file: Path):
        self.log_file = log_file
        self.ready_s = 0.0
        self.out = log_file.open("w")
        self.proc = subprocess.Popen(
            argv, env=env, cwd=cwd, stdout=self.out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )

    def wait_ready(self, url: str, text: str, timeout: float) -> float:
        """Poll url until it answers 200 with `text` in its body; seconds taken. BenchError on exit or timeout."""
        started = time.monotonic()
        deadline = started + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(
                    f"the product exited with code {self.proc.returncode} before it was ready; "
                    f"its log is {self.log_file}: {self.log_tail()}"
                )
            try:
                with DIRECT.open(urllib.request.Request(url, headers=BROWSER_ACCEPT), timeout=2) as resp:
                    body = resp.read().decode("utf-8", "replace")
                if text in body:
                    return time.monotonic() - started
                last = f"HTTP 200 without {text!r}: {' '.join(body.split())[:60]!r}"
            except urllib.error.HTTPError as e:
                last = f"HTTP {e.code}"
            except (urllib.error.URLError, OSError) as e:
                last = str(getattr(e, "reason", e))
            _pause(self.proc, 0.25)
        raise BenchError(
            f"the product was not ready on {url} within {timeout:.0f} s (last: {last}); "
            f"its log is {self.log_file}"
        )

    def log_tail(self) -> str:
        self.out.flush()
        lines = self.log_file.read_text(errors="replace").strip().splitlines()
        return " | ".join(lines[-3:])

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it after 15 s; never leaves a process behind."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        # Children may outlive the leader (n8n, Django's reloader): kill what is left of the group.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        self.out.close()


def _pause(proc: subprocess.Popen, seconds: float) -> None:
    """Wait up to `seconds` for the process to exit (the polling interval of wait_ready)."""
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        pass


def _raise_on_term(signum, frame):  # noqa: ARG001 - signal handler signature
    raise KeyboardInterrupt


# --- cache: install, pristine data, restore ---------------------------------------------


@dataclass
class Cache:
    root: Path
    product: Product
    log: Log
    throwaway: bool = False

    @property
    def home(self) -> Path:
        return self.root / self.product.slug

    @property
    def install_dir(self) -> Path:
        return self.home / "install"

    @property
    def pristine(self) -> Path:
        return self.home / "pristine"

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    def lock(self):
        """One run per product and cache at a time: they share the data folder."""
        self.home.mkdir(parents=True, exist_ok=True)
        handle = (self.home / ".lock").open("w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BenchError(f"another run of this bench is using {self.home}; wait for it or pass another --cache") from None
        return handle

    def ensure_installed(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        if self.product.installed(self.install_dir):
            return
        self.log.say(f"installing {self.product.title} into {self.install_dir} (a cold install takes minutes; log: {self.logs / 'install.log'})")
        started = time.monotonic()
        if self.install_dir.exists():
            shutil.rmtree(self.install_dir)
        self.install_dir.mkdir(parents=True)
        self.product.install(self.install_dir, self.logs / "install.log")
        if not self.product.installed(self.install_dir):
            raise BenchError(f"the install of {self.product.title} finished but left no working product in {self.install_dir}")
        self.log.say(f"installed in {time.monotonic() - started:.0f} s")

    def ensure_walk_tools(self) -> Path:
        """playwright-core in its own npm prefix (its browser download is never used)."""
        if not CHROMIUM.exists():
            raise BenchError(f"the scripted walk drives the system Chromium, and there is none at {CHROMIUM} (apt-get install chromium)")
        prefix = self.root / "walk"
        modules = prefix / "node_modules"
        if not (modules / "playwright-core" / "package.json").exists():
            prefix.mkdir(parents=True, exist_ok=True)
            self.log.say(f"installing {PLAYWRIGHT_CORE} into {prefix}")
            run_logged(["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", PLAYWRIGHT_CORE],
                       self.root / "walk-install.log")
        return modules

    def ensure_pristine(self, port: int) -> None:
        """First start on an empty data folder (migrations), stopped, copied as the pristine state."""
        if (self.pristine / ".complete").exists():
            return
        self.log.say(f"first start of {self.product.title}: creating its database (migrations take up to a minute)")
        for d in (self.pristine, self.data):
            if d.exists():
                shutil.rmtree(d)
        self.data.mkdir(parents=True)
        server = self.start(port, log_name="first-start.log", timeout=max(self.product.ready_timeout, 300))
        server.stop()
        shutil.copytree(self.data, self.pristine, symlinks=True)
        (self.pristine / ".complete").write_text("copied after the first start\n")

    def restore(self) -> None:
        if self.data.exists():
            shutil.rmtree(self.data)
        shutil.copytree(self.pristine, self.data, symlinks=True, ignore=shutil.ignore_patterns(".complete"))

    def start(self, port: int, log_name: str = "server.log", timeout: float | None = None) -> Server:
        argv, env = self.product.command(self.install_dir, self.data, port)
        server = Server(argv, env, self.install_dir, self.logs / log_name)
        try:
            took = server.wait_ready(f"http://127.0.0.1:{port}{self.product.ready_path}", self.product.ready_text,
                                     timeout or self.product.ready_timeout)
        except BaseException:
            server.stop()
            raise
        self.log.detail(f"ready in {took:.1f} s")
        server.ready_s = took
        return server


# --- labels ------------------------------------------------------------------------------


def load_labels(path: Path) -> dict:
    try:
        with path.open("rb") as f:
            labels = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise BenchError(f"the labels file {path} cannot be read: {e}") from e
    for key in ("outcome", "steps", "required_fields", "value"):
        if key not in labels.get("expect", {}):
            raise BenchError(f"the labels file {path} has no expect.{key}")
    return labels


@dataclass
class Check:
    label: str
    expected: object
    got: object
    ok: bool


def fmt(v: object) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def print_checks(checks: list[Check]) -> None:
    for c in checks:
        print(f"  {c.label:<18} expected {fmt(c.expected):<15} got {fmt(c.got):<15} {'ok' if c.ok else 'FAIL'}")


# --- plg-audit run ----------------------------------------------------------------------


def audit(args, cache: Cache, labels: dict, port: int) -> int:
    binary = Path(args.plg_audit)
    if not binary.is_file():
        raise BenchError(f"no plg-audit binary at {binary}; build one (`cargo build --release`) or pass --plg-audit PATH")
    out = Path(args.out) if args.out else REPO_ROOT / "plg-audit-report" / f"real-{cache.product.slug}-{time.strftime('%Y%m%d-%H%M%S')}"
    if out.exists() and any(out.iterdir()):
        raise BenchError(f"the output directory {out} is not empty; pass another --out")
    out.mkdir(parents=True, exist_ok=True)
    cache.restore()
    server = cache.start(port)
    url = f"http://127.0.0.1:{port}/"
    try:
        cmd = [str(binary), "audit", url, "--offline", "--quiet", "--out", str(out), *args.extra]
        started = time.monotonic()
        with (out / "plg-audit.log").open("w") as log_file:
            done = run_in_own_group(cmd, log_file)
        wall = time.monotonic() - started
    finally:
        server.stop()
    report_path = out / "report.json"
    report = None
    if report_path.exists():
        try:
            report = json.loads(report_path.read_text())
        except (OSError, json.JSONDecodeError):
            report = None
    signup = (report or {}).get("signup") or {}
    email = (signup.get("identity") or {}).get("email")
    proof = cache.product.prove_value(cache.data, email)
    db = cache.data / cache.product.db_file
    if db.exists():
        shutil.copy2(db, out / f"product-{Path(cache.product.db_file).name}")
    if server.log_file.exists():
        shutil.copy2(server.log_file, out / "product-server.log")

    print(f"{cache.product.title} — plg-audit exit {done.returncode}, wall {wall:.1f} s, "
          f"journey machine {fmt_ms(signup.get('machine_ms'))}, report {out}")
    if done.returncode not in (0, 1):
        print(f"  plg-audit said: {last_line(out / 'plg-audit.log')}")
    if signup:
        print(f"  reason: {one_line(signup.get('reason'))}")
        for s in signup.get("journey") or []:
            f = s.get("fields") or {}
            print(f"  {s.get('n'):>2}. {s.get('action'):<12} {one_line(s.get('label'))[:34]:<34} {s.get('ms', 0):>6} ms  "
                  f"{f.get('required', 0)}/{f.get('total', 0)} fields  {path_of(s.get('url'))}")
    exp = labels["expect"]
    fields = signup.get("fields") or {}
    checks = [
        Check("outcome", exp["outcome"], signup.get("outcome"), signup.get("outcome") == exp["outcome"]),
        Check("steps", exp["steps"], signup.get("steps"), signup.get("steps") == exp["steps"]),
        Check("required_fields", exp["required_fields"], fields.get("required"), fields.get("required") == exp["required_fields"]),
        Check("value", exp["value"], exp["value"] if proof.proven else "none", proof.proven),
        *cache.product.state_checks(cache.data, email, exp),
    ]
    print_checks(checks)
    print(f"  value evidence: {proof.evidence}")
    if signup.get("reached_value") and not proof.proven:
        print("  FALSE COMPLETED: the report claims a value moment the product's own database does not show")
    failed = sum(not c.ok for c in checks)
    print(f"{len(checks) - failed} of {len(checks)} labels ok")
    # plg-audit failing to write a report is a result (every label fails), not the bench's failure.
    return 1 if failed or report is None else 0


def run_in_own_group(cmd: list[str], log_file) -> subprocess.CompletedProcess:
    """Run plg-audit in its own process group, so that an interrupted bench also stops its Chromium."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log_file, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        return subprocess.CompletedProcess(cmd, proc.wait())
    except BaseException:
        for sig, grace in ((signal.SIGTERM, 5), (signal.SIGKILL, None)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                continue
        proc.wait()
        raise


def fmt_ms(ms) -> str:
    return "—" if ms is None else f"{ms / 1000:.1f} s"


def one_line(text) -> str:
    return " ".join(str(text or "").split())


def path_of(url) -> str:
    if not url:
        return ""
    rest = url.split("://", 1)[-1]
    return "/" + rest.split("/", 1)[1] if "/" in rest else "/"


def last_line(path: Path) -> str:
    try:
        lines = [ln for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return "(no log)"
    return lines[-1] if lines else "(nothing on stderr)"


# --- scripted walk ------------------------------------------------------------------------


def walk(args, cache: Cache, labels: dict, port: int) -> int:
    modules = cache.ensure_walk_tools()
    runs = []
    last_state: list[Check] = []
    for i in range(args.runs):
        cache.restore()
        server = cache.start(port)
        try:
            env = dict(os.environ, NODE_PATH=str(modules))
            cmd = ["node", str(cache.product.walk), f"http://127.0.0.1:{port}/"]
            if args.probe and i == 0:
                cmd.append("--probe")
            if args.screenshots:
                cmd += ["--screenshots", str(Path(args.screenshots) / f"run-{i + 1}")]
            done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  timeout=300)
        finally:
            server.stop()
        if done.returncode != 0:
            raise BenchError(f"the scripted walk failed (exit {done.returncode}): {one_line(done.stderr)[-600:]}")
        result = json.loads(done.stdout)
        result["proof"] = cache.product.prove_value(cache.data, result.get("email"))
        last_state = cache.product.state_checks(cache.data, result.get("email"), labels["expect"])
        runs.append(result)
        steps = " → ".join(f"{s['action']} \"{s['label']}\" {s['ms']} ms" for s in result["steps"])
        print(f"  walk {i + 1}: {result['total_ms'] / 1000:.2f} s, {len(result['steps'])} steps, "
              f"{result['required_fields']} required fields; value {'proven' if result['proof'].proven else 'NOT proven'}")
        print(f"    {steps}")
        if result.get("probe"):
            for p in result["probe"]:
                print(f"    server probe: {p}")
    med = statistics.median(r["total_ms"] for r in runs)
    first = runs[0]
    print(f"{cache.product.title} — scripted walk, {len(runs)} runs: median {med / 1000:.2f} s "
          f"(runs: {', '.join(format(r['total_ms'] / 1000, '.2f') for r in runs)})")
    for s in first["steps"]:
        print(f"  {s['action']:<12} {s['label'][:40]:<40} {s['ms']:>6} ms  (run 1)")
    print(f"  value evidence (run 1): {first['proof'].evidence}")
    exp = labels["expect"]
    print(f"  steps' own time (action to next screen), median {statistics.median(r['steps_ms'] for r in runs) / 1000:.2f} s; "
          f"the rest is opening the home page")
    checks = [
        Check("steps", exp["steps"], len(first["steps"]), all(len(r["steps"]) == exp["steps"] for r in runs)),
        Check("required_fields", exp["required_fields"], first["required_fields"],
              all(r["required_fields"] == exp["required_fields"] for r in runs)),
        Check("value", exp["value"], exp["value"] if all(r["proof"].proven for r in runs) else "none",
              all(r["proof"].proven for r in runs)),
        *last_state,
    ]
    print_checks(checks)
    return 0 if all(c.ok for c in checks) else 1


# --- serve --------------------------------------------------------------------------------


def serve(cache: Cache, port: int) -> int:
    cache.restore()
    server = cache.start(port)
    try:
        print(f"{cache.product.title} on http://127.0.0.1:{port}/ (fresh data in {cache.data}; "
              f"database {cache.data / cache.product.db_file}); Ctrl-C stops it", flush=True)
        server.proc.wait()
        raise BenchError(f"the product exited by itself (code {server.proc.returncode}); its log is {server.log_file}")
    finally:
        server.stop()


# --- entry point --------------------------------------------------------------------------


def main(product: Product, doc: str) -> None:
    ap = argparse.ArgumentParser(
        description=doc.split("\n\n")[0],
        epilog="Arguments after `--` are passed to `plg-audit audit` (e.g. -- -v --step-timeout 30).",
    )
    ap.add_argument("--cache", default=os.environ.get("PLG_REAL_CACHE"),
                    help="keep the installed product, its pristine data and the walk's tools here "
                         "(default: $PLG_REAL_CACHE, else a temporary folder deleted at the end)")
    ap.add_argument("--plg-audit", default=str(REPO_ROOT / "target/release/plg-audit"),
                    help="the plg-audit binary (default: target/release/plg-audit of this repo)")
    ap.add_argument("--out", help="plg-audit's output folder (default: plg-audit-report/real-<product>-<time>)")
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--walk", action="store_true", help="run the scripted browser walk instead of plg-audit")
    mode.add_argument("--serve", action="store_true", help="start the product with fresh data and keep it running until Ctrl-C")
    mode.add_argument("--install-only", action="store_true", help="install and take the pristine copy, then stop")
    ap.add_argument("--runs", type=int, default=3, help="--walk: number of walks (median time) (default 3)")
    ap.add_argument("--probe", action="store_true", help="--walk: first run also asks the server which fields it requires")
    ap.add_argument("--screenshots", help="--walk: save a screenshot after each step under this folder")
    ap.add_argument("--verbose", action="store_true", help="say more about what the bench does")
    ap.add_argument("extra", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.extra and args.extra[0] == "--":
        args.extra = args.extra[1:]

    # Ctrl-C, kill and a closed terminal all stop the product (a shell may start us with SIGINT ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _raise_on_term)
    signal.signal(signal.SIGHUP, _raise_on_term)
    log = Log(args.verbose)
    throwaway = args.cache is None
    root = Path(tempfile.mkdtemp(prefix="plg-real-")) if throwaway else Path(args.cache).resolve()
    cache = Cache(root, product, log, throwaway)
    code = 2
    try:
        labels = {} if args.install_only or args.serve else load_labels(product.labels)
        port = args.port or free_port()
        held = cache.lock()  # noqa: F841 - held until the process exits
        cache.ensure_installed()
        cache.ensure_pristine(port)
        if args.install_only:
            print(f"{product.title} installed in {cache.install_dir}, pristine data in {cache.pristine}")
            code = 0
        elif args.serve:
            code = serve(cache, port)
        elif args.walk:
            code = walk(args, cache, labels, port)
        else:
            code = audit(args, cache, labels, port)
    except BenchError as e:
        print(f"{Path(sys.argv[0]).name}: {e}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        print(f"{Path(sys.argv[0]).name}: interrupted; the product was stopped", file=sys.stderr)
        code = 130
    finally:
        if throwaway:
            shutil.rmtree(root, ignore_errors=True)
    sys.exit(code)
