#!/usr/bin/env python3
"""Label Studio (PyPI) as a real product in the loop: install, start fresh, audit, check labels.

Installs `label-studio` from PyPI into a virtualenv in the cache, starts it on a free port of
127.0.0.1 with its SQLite database restored to the state right after its first start (no
users, no projects), runs `plg-audit audit <url> --offline`, stops it and checks the result
against label_studio.labels.toml. The first value is a saved project: a row of the `project`
table with `is_draft = 0` created by the audit's e-mail address.

    python3 benches/real/label_studio.py --cache /work/real/cache                 # audit
    python3 benches/real/label_studio.py --cache /work/real/cache --plg-audit BIN -- -v
    python3 benches/real/label_studio.py --cache /work/real/cache --walk --probe  # scripted walk
    python3 benches/real/label_studio.py --cache /work/real/cache --serve         # poke at it

Exit 0 when every label holds, 1 when one fails, 2 when the bench cannot run.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

VERSION = "1.23.2"
DB_FILE = "label_studio.sqlite3"


def venv_bin(install: Path, name: str) -> Path:
    return install / "venv" / "bin" / name


def installed(install: Path) -> bool:
    return (install / ".installed").read_text().strip() == VERSION if (install / ".installed").exists() else False


def install(install_dir: Path, log_file: Path) -> None:
    common.run_logged([sys.executable, "-m", "venv", str(install_dir / "venv")], log_file)
    common.run_logged([str(venv_bin(install_dir, "pip")), "install", "--disable-pip-version-check",
                       f"label-studio=={VERSION}"], log_file)
    (install_dir / ".installed").write_text(VERSION + "\n")


def command(install_dir: Path, data: Path, port: int) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ)
    env.update({
        "LABEL_STUDIO_BASE_DATA_DIR": str(data),
        "HOME": str(data),  # keeps nltk, matplotlib and the like out of the real home
        "PYTHONUNBUFFERED": "1",
    })
    argv = [str(venv_bin(install_dir, "label-studio")), "start", "--no-browser",
            "--port", str(port), "--host", f"http://127.0.0.1:{port}",
            "--data-dir", str(data), "--internal-host", "127.0.0.1", "--log-level", "WARNING"]
    return argv, env


def prove_value(data: Path, email: str | None) -> common.ValueProof:
    """A saved (non-draft) project created by the audit's user, read from Label Studio's database."""
    db = data / DB_FILE
    if not db.exists():
        return common.ValueProof(False, f"no database at {db}")
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            rows = con.execute(
                "SELECT p.id, p.title, p.is_draft, u.email FROM project p "
                "LEFT JOIN htx_user u ON u.id = p.created_by_id ORDER BY p.id").fetchall()
            users = [r[0] for r in con.execute("SELECT email FROM htx_user ORDER BY id")]
        finally:
            con.close()
    except sqlite3.Error as e:
        return common.ValueProof(False, f"cannot read {db}: {e}")
    mine = [r for r in rows if email is None or r[3] == email]
    saved = [r for r in mine if not r[2]]
    users_txt = f"users: {', '.join(users) or 'none'}"
    if not rows:
        return common.ValueProof(False, f"no project in the database; {users_txt}")
    listed = "; ".join(f'project {r[0]} "{r[1]}" is_draft={r[2]} by {r[3]}' for r in rows)
    if saved:
        return common.ValueProof(True, listed)
    return common.ValueProof(False, f"no saved project by {email or 'anyone'}: {listed}")


def state_checks(data: Path, email: str | None, expect: dict) -> list[common.Check]:
    """The pre-ticked newsletter box: a careful new user unticks it (htx_user.allow_newsletters)."""
    if "newsletter_opt_in" not in expect or not email:
        return []
    want = expect["newsletter_opt_in"]
    try:
        con = sqlite3.connect(f"file:{data / DB_FILE}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT allow_newsletters FROM htx_user WHERE email = ?", (email,)).fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        row = None
    got = None if row is None else bool(row[0])
    return [common.Check("newsletter_opt_in", want, got, got == want)]


PRODUCT = common.Product(
    slug="label-studio",
    title=f"Label Studio {VERSION}",
    labels=common.HERE / "label_studio.labels.toml",
    walk=common.HERE / "walk" / "label_studio.js",
    ready_path="/user/login/",
    ready_text='id="login-form"',
    ready_timeout=180,
    install=install,
    installed=installed,
    command=command,
    prove_value=prove_value,
    db_file=DB_FILE,
    state_checks=state_checks,
)

if __name__ == "__main__":
    common.main(PRODUCT, __doc__)
