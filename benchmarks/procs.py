"""Process helpers shared by the fleet and org benchmarks: a moto server, /proc CPU and memory, stored shards."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    """A moto server on a free port, once it answers; (process, endpoint URL)."""
    port = free_port()
    proc = subprocess.Popen([str(BIN / "moto_server"), "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("moto_server did not start")


def cpu_of(pid: int, *, reaped_children: bool = True) -> float:
    """user + system seconds of a process (and, by default, of its reaped children) from /proc/PID/stat."""
    try:
        f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(x) for x in f[11 : 15 if reaped_children else 13]) / os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> list[int]:
    """The process and its live descendants."""
    out = [pid]
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    for k in kids:
        out.extend(tree(int(k)))
    return out


def hwm_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a live process, MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def stored_shards(db: Path) -> int:
    """Shards a distributed scan has stored so far (0 while the store is not there or busy)."""
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM fleet_shards").fetchone()[0])
    except sqlite3.Error:
        return 0
