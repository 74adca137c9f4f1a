"""A demo emulator kept running for the tour: the file other shells load, and stopping it.

``mamori demo --keep-running`` writes ``.mamori/demo.env`` (shell ``export`` lines: the
endpoint, fake credentials, the role ARNs of both accounts, the process id) and removes it
when it stops. ``. .mamori/demo.env`` points every later mamori command at the emulator
(``MAMORI_ENDPOINT_URL`` is read by every command that talks to AWS), so the README's tour
runs as written; ``mamori demo --stop`` ends it.
"""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

from mamori.demo.estate import DEMO_REGIONS, FAKE_CREDENTIALS, role_args
from mamori.errors import InputError

ENV_FILE = Path(".mamori") / "demo.env"
_PID = re.compile(r"^export MAMORI_DEMO_PID=(\d+)$", re.M)


def env_text(endpoint: str, pid: int, db: str | None = None) -> str:
    lines = [
        "# Written by `mamori demo --keep-running`; removed when it stops (`mamori demo --stop`).",
        "# Load it in another shell:  . .mamori/demo.env   — mamori then talks to the emulator.",
        f"export MAMORI_ENDPOINT_URL={endpoint}",
        *(f"export {k}={v}" for k, v in FAKE_CREDENTIALS.items()),
        f"export AWS_DEFAULT_REGION={DEMO_REGIONS[1]}",
        "unset AWS_PROFILE AWS_DEFAULT_PROFILE",
        f'export MAMORI_DEMO_ROLES="{role_args()}"',
        f"export MAMORI_DEMO_REGIONS={','.join(DEMO_REGIONS)}",
        f"export MAMORI_DEMO_PID={pid}",
    ]
    if db:
        lines.append(f"export MAMORI_DB={db}")
    return "\n".join(lines) + "\n"


def write_env(endpoint: str, *, db: str | None = None, path: Path = ENV_FILE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(env_text(endpoint, os.getpid(), db))
    return path


def remove_env(path: Path = ENV_FILE) -> None:
    """Remove the file if it is still this process's (a newer demo may have replaced it)."""
    if path.exists() and running_pid(path) == os.getpid():
        path.unlink()


def running_pid(path: Path = ENV_FILE) -> int | None:
    if not path.exists():
        return None
    m = _PID.search(path.read_text())
    return int(m.group(1)) if m else None


UNSET = "unset MAMORI_ENDPOINT_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN MAMORI_DEMO_ROLES"


def _is_demo(pid: int) -> bool:
    """Where /proc exists, make sure the pid is still a mamori demo (pids are reused)."""
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not Path("/proc/self").exists():
        return True
    return cmdline.exists() and b"demo" in cmdline.read_bytes()


def stop(path: Path = ENV_FILE) -> int:
    """Ask the kept-running demo to stop (SIGTERM); return its pid. Stale files are removed."""
    pid = running_pid(path)
    if pid is None:
        raise InputError(f"no demo emulator is running here ({path} not found): nothing to stop")
    try:
        if not _is_demo(pid):
            raise ProcessLookupError
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        path.unlink(missing_ok=True)
        raise InputError(f"the demo emulator (pid {pid}) had already stopped; removed {path}") from None
    return pid
