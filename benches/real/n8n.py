#!/usr/bin/env python3
"""n8n (npm) as a real product in the loop: install, start fresh, audit, check labels.

Installs `n8n` 1.123.x (the last line that runs on Node 20) from npm into an npm prefix in
the cache, with the SQLite binding built from source, starts it on a free port of 127.0.0.1
with its SQLite database restored to the state right after its first start (no owner set
up, no workflows), runs `plg-audit audit <url> --offline`, stops it and checks the result
against n8n.labels.toml. The first value is a saved workflow: a row of `workflow_entity`
shared with the personal project of the owner the audit set up with its e-mail address.

    python3 benches/real/n8n.py --cache /work/real/cache                 # audit
    python3 benches/real/n8n.py --cache /work/real/cache --plg-audit BIN -- -v
    python3 benches/real/n8n.py --cache /work/real/cache --walk --probe  # scripted walk
    python3 benches/real/n8n.py --cache /work/real/cache --serve         # poke at it

Exit 0 when every label holds, 1 when one fails, 2 when the bench cannot run.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

VERSION = "1.123.81"
DB_FILE = ".n8n/database.sqlite"

PACKAGE_JSON = {
    "name": "plg-audit-bench-n8n",
    "private": True,
    "dependencies": {"n8n": VERSION},
    # n8n pins xlsx to a tarball on a CDN that is not a registry; 0.18.5 is on npm.
    "overrides": {"xlsx": "0.18.5"},
}


def installed(install: Path) -> bool:
    marker = install / ".installed"
    return marker.exists() and marker.read_text().strip() == VERSION


def node_gyp() -> list[str]:
    """npm's own node-gyp, run with node (no download of headers: Node's are on disk)."""
    npm = shutil.which("npm")
    node = shutil.which("node")
    if not npm or not node:
        raise common.BenchError("n8n needs node and npm on PATH (Node 20)")
    gyp = Path(os.path.realpath(npm)).parent.parent / "node_modules" / "node-gyp" / "bin" / "node-gyp.js"
    if not gyp.exists():
        raise common.BenchError(f"npm's node-gyp is not at {gyp}; cannot build n8n's SQLite binding")
    nodedir = Path(os.path.realpath(node)).parent.parent
    return [node, str(gyp), "rebuild", f"--nodedir={nodedir}"]


def install(install_dir: Path, log_file: Path) -> None:
    (install_dir / "package.json").write_text(json.dumps(PACKAGE_JSON, indent=2) + "\n")
    # --ignore-scripts: isolated-vm does not compile on Node 20 (and is not needed with the
    # legacy expression engine); the one binding needed, sqlite3, is built next.
    common.run_logged(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund"], log_file, cwd=install_dir)
    common.run_logged(node_gyp(), log_file, cwd=install_dir / "node_modules" / "sqlite3")
    (install_dir / ".installed").write_text(VERSION + "\n")


def command(install_dir: Path, data: Path, port: int) -> tuple[list[str], dict[str, str]]:
    home = install_dir.parent / "home"  # n8n's generated static files (~/.cache/n8n) stay in the cache
    home.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.update({
        "HOME": str(home),
        "N8N_PORT": str(port),
        "N8N_LISTEN_ADDRESS": "127.0.0.1",
        "N8N_HOST": "127.0.0.1",
        "N8N_EDITOR_BASE_URL": f"http://127.0.0.1:{port}/",
        "N8N_USER_FOLDER": str(data),
        "DB_TYPE": "sqlite",
        "N8N_DIAGNOSTICS_ENABLED": "false",
        "N8N_VERSION_NOTIFICATIONS_ENABLED": "false",
        "N8N_TEMPLATES_ENABLED": "false",
        "N8N_SECURE_COOKIE": "false",
        "N8N_RUNNERS_ENABLED": "false",
        "N8N_EXPRESSION_ENGINE": "legacy",
        "N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS": "false",
        "N8N_LOG_LEVEL": "warn",
    })
    return [str(install_dir / "node_modules" / ".bin" / "n8n"), "start"], env


def prove_value(data: Path, email: str | None) -> common.ValueProof:
    """A saved workflow in the personal project of the owner set up with the audit's e-mail."""
    db = data / DB_FILE
    if not db.exists():
        return common.ValueProof(False, f"no database at {db}")
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            users = con.execute("SELECT id, email FROM user ORDER BY createdAt").fetchall()
            rows = con.execute(
                "SELECT w.id, w.name, u.email FROM workflow_entity w "
                "LEFT JOIN shared_workflow s ON s.workflowId = w.id "
                "LEFT JOIN project_relation r ON r.projectId = s.projectId "
                "LEFT JOIN user u ON u.id = r.userId ORDER BY w.createdAt").fetchall()
        finally:
            con.close()
    except sqlite3.Error as e:
        return common.ValueProof(False, f"cannot read {db}: {e}")
    owners = ", ".join(str(u[1]) for u in users) or "none"
    if not rows:
        return common.ValueProof(False, f"no workflow in the database; users: {owners}")
    listed = "; ".join(f'workflow {r[0]} "{r[1]}" of {r[2]}' for r in rows)
    if any(email is None or r[2] == email for r in rows):
        return common.ValueProof(True, listed)
    return common.ValueProof(False, f"no workflow of {email}: {listed}")


PRODUCT = common.Product(
    slug="n8n",
    title=f"n8n {VERSION}",
    labels=common.HERE / "n8n.labels.toml",
    walk=common.HERE / "walk" / "n8n.js",
    # While starting, n8n answers every path 200 "n8n is starting up. Please wait", then
    # /healthz/readiness says ok seconds (~20 s under load) before the editor is served, "/"
    # answering 404 "Cannot GET /" meanwhile: ready when "/" is the editor's page.
    ready_path="/",
    ready_text="n8n:config:rest-endpoint",
    ready_timeout=180,
    install=install,
    installed=installed,
    command=command,
    prove_value=prove_value,
    db_file=DB_FILE,
)

if __name__ == "__main__":
    common.main(PRODUCT, __doc__)
