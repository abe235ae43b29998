"""A private, throw-away PostgreSQL 15 server for tests and benchmarks.

PostgreSQL refuses to run as root, and CI runs as root: the cluster is then
created and started as the ``postgres`` system user in a temporary directory
that user owns. As any other user it runs as that user. The server listens on
loopback on a free port, with durability switched off (tests, not data).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PG_BIN_CANDIDATES = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin",
                     "/usr/lib/postgresql/17/bin")


def find_pg_bin() -> Path | None:
    """Directory holding ``initdb`` and ``pg_ctl``, or None when PostgreSQL is missing."""
    env = os.environ.get("OBSPORTAL_TEST_PG_BIN")
    for candidate in ((env,) if env else ()) + PG_BIN_CANDIDATES:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def pgsphere_installed(pg_bin: Path) -> bool:
    """True when the pg_sphere extension files are installed for this server."""
    sharedir = subprocess.run([str(pg_bin / "pg_config"), "--sharedir"], capture_output=True,
                              text=True, check=False).stdout.strip()
    if not sharedir:
        sharedir = str(pg_bin.parent / "share")
    candidates = [Path(sharedir) / "extension" / "pg_sphere.control",
                  Path("/usr/share/postgresql") / pg_bin.parent.name / "extension"
                  / "pg_sphere.control"]
    return any(p.exists() for p in candidates)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PgServer:
    """A running server: connect with :attr:`url`."""

    port: int
    datadir: Path
    user: str = "postgres"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg2://{self.user}@127.0.0.1:{self.port}/{database}"


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@contextmanager
def pg_server(pg_bin: Path) -> Iterator[PgServer]:
    """Start a fresh cluster, yield it, stop it and delete its files."""
    base = Path(tempfile.mkdtemp(prefix="obsportal-pg-"))
    datadir = base / "data"
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    port = _free_port()
    log = base / "server.log"
    try:
        subprocess.run(_as_server_user([str(pg_bin / "initdb"), "-D", str(datadir), "-A",
                                        "trust", "-U", "postgres", "-E", "UTF8",
                                        "--no-sync"]),
                       check=True, capture_output=True)
        options = (f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        subprocess.run(_as_server_user([str(pg_bin / "pg_ctl"), "-D", str(datadir), "-o",
                                        options, "-l", str(log), "-w", "start"]),
                       check=True, capture_output=True)
        yield PgServer(port=port, datadir=datadir)
    finally:
        if datadir.exists():
            subprocess.run(_as_server_user([str(pg_bin / "pg_ctl"), "-D", str(datadir), "-m",
                                            "immediate", "-w", "stop"]),
                           check=False, capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
