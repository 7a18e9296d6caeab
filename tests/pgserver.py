"""A throwaway PostgreSQL server from Debian's packages, for the class-mode tests and benchmark.

``initdb`` + ``pg_ctl`` in a temporary folder, listening on 127.0.0.1 at a free port (and a socket
in that folder); trust authentication for the one local user. PostgreSQL refuses to run as root,
so under root (a CI container) it runs as Debian's ``postgres`` user.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def available() -> bool:
    return any((d / "pg_ctl").exists() for d in BIN_DIRS)


@dataclass
class PgServer:
    folder: Path
    port: int
    bin: Path
    as_user: list[str]

    @property
    def url(self) -> str:
        """The app's setting (``LATENT_LAB_DATABASE_URL``)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, timeout=60)

    def stop(self) -> None:
        subprocess.run(
            [
                *self.as_user,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.folder / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.folder / "data"),
            "-w",
            "-t",
            "30",
            "-l",
            str(self.folder / "log"),
            "-o",
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c max_connections=120 -c fsync=off",
            "start",
        )

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start() -> PgServer:
    """A fresh cluster, started; call ``.remove()`` when done."""
    bin_dir = next(d for d in BIN_DIRS if (d / "pg_ctl").exists())
    folder = Path(tempfile.mkdtemp(prefix="latent-lab-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    server = PgServer(folder, _free_port(), bin_dir, as_user)
    server._run(
        str(bin_dir / "initdb"),
        "-D",
        str(folder / "data"),
        "-U",
        "postgres",
        "--auth=trust",
        "--encoding=UTF8",
        "--no-sync",
    )
    server.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # pg_ctl -w waited; this checks the TCP listener too
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", server.port)) == 0:
                return server
        time.sleep(0.1)
    raise RuntimeError(f"PostgreSQL did not start: {(folder / 'log').read_text()[-2000:]}")
