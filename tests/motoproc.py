"""A moto server in its own process, for tests whose other processes (the CLI, Celery workers) reach it over HTTP."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from mamori.demo.estate import free_port


@contextmanager
def moto_server_process() -> Iterator[str]:
    """Start ``moto_server`` on a free port, yield its URL once it answers, stop it after."""
    port = free_port()
    cmd = [str(Path(sys.executable).parent / "moto_server"), "-p", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/moto-api/", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail("moto_server did not start")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:  # a server that ignores SIGTERM must not hang the suite
            proc.kill()
            proc.wait(10)
