"""Thin, streaming wrappers around the git command line (no libgit2, no whole-history buffers)."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from mamori.gate.secrets.errors import GitError, NotARepositoryError

READ_SIZE = 1 << 16


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.setdefault("GIT_TERMINAL_PROMPT", "0")
    env["LC_ALL"] = "C"
    return env


def unquote_path(path: str) -> str:
    """Undo git's C-style quoting of unusual paths ("a\\tb")."""
    if not (path.startswith('"') and path.endswith('"')):
        return path
    raw = path[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
    return raw.encode("latin-1").decode("utf-8", "replace")


def run(repo: Path, *args: str, check: bool = True) -> bytes:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, env=_env(), check=False
    )
    if check and proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git {' '.join(args[:3])} failed: {msg}")
    return proc.stdout


def toplevel(path: Path) -> Path | None:
    """The work tree holding ``path``, or None when it is not in one."""
    probe = path if path.is_dir() else path.parent
    proc = subprocess.run(
        ["git", "-C", str(probe), "rev-parse", "--show-toplevel"], capture_output=True, env=_env(), check=False
    )
    if proc.returncode != 0:
        return None
    return Path(proc.stdout.decode().strip())


def require_toplevel(path: Path, what: str) -> Path:
    top = toplevel(path)
    if top is None:
        raise NotARepositoryError(f"{what} needs a git repository", source=str(path))
    return top


def git_path(repo: Path, name: str) -> Path:
    """``git rev-parse --git-path`` (honours core.hooksPath for ``hooks``)."""
    out = run(repo, "rev-parse", "--git-path", name).decode().strip()
    p = Path(out)
    return p if p.is_absolute() else repo / p


def is_ignored(repo: Path, path: Path) -> bool:
    """True when ``path`` is ignored by .gitignore (an explicit scan of it then walks the folder)."""
    proc = subprocess.run(
        ["git", "-C", str(repo), "check-ignore", "-q", "--", str(path)], capture_output=True, env=_env(), check=False
    )
    return proc.returncode == 0


def ls_files(repo: Path, pathspec: str = ".") -> list[str]:
    """Tracked and untracked-but-not-ignored files (respects .gitignore), repo-relative."""
    out = run(repo, "ls-files", "-z", "-co", "--exclude-standard", "--", pathspec)
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


@contextmanager
def popen_lines(repo: Path, *args: str) -> Iterator[IO[bytes]]:
    """Stream a git command's stdout; raise GitError if it fails."""
    proc = subprocess.Popen(
        ["git", "-C", str(repo), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env()
    )
    assert proc.stdout is not None and proc.stderr is not None
    err: list[bytes] = []
    drain = threading.Thread(target=lambda: err.append(proc.stderr.read() if proc.stderr else b""), daemon=True)
    drain.start()
    try:
        yield proc.stdout
    finally:
        proc.stdout.close()
        rc = proc.wait()
        drain.join()
    if rc not in (0, -13):  # -13: we closed the pipe early (SIGPIPE)
        raise GitError(f"git {' '.join(args[:2])} failed: {b''.join(err).decode('utf-8', 'replace').strip()}")


class CatFile:
    """One long-lived ``git cat-file --batch`` process; blobs come out as chunk streams."""

    def __init__(self, repo: Path) -> None:
        self._proc = subprocess.Popen(
            ["git", "-C", str(repo), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_env(),
        )
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._in = self._proc.stdin
        self._out = self._proc.stdout

    def stream(self, shas: Iterable[str]) -> Iterator[tuple[str, int, Iterator[bytes]]]:
        """For each sha: ``(sha, size, chunks)``. ``chunks`` must be consumed before the next item."""
        shas = list(shas)
        writer = threading.Thread(target=self._write, args=(shas,), daemon=True)
        writer.start()
        try:
            for _ in shas:
                header = self._out.readline()
                parts = header.split()
                if len(parts) != 3:  # "<sha> missing"
                    if not header:
                        raise GitError("git cat-file ended early")
                    continue
                sha, size = parts[0].decode(), int(parts[2])
                chunks = self._chunks(size)
                yield sha, size, chunks
                for _c in chunks:  # whatever the consumer left unread
                    pass
        finally:
            writer.join()

    def _write(self, shas: list[str]) -> None:
        try:
            self._in.write("".join(f"{s}\n" for s in shas).encode())
            self._in.flush()
        except BrokenPipeError:  # pragma: no cover - git died; the reader reports it
            pass

    def _chunks(self, size: int) -> Iterator[bytes]:
        left = size
        while left > 0:
            data = self._out.read(min(READ_SIZE * 16, left))
            if not data:
                raise GitError("git cat-file ended in the middle of a blob")
            left -= len(data)
            yield data
        self._out.read(1)  # the newline after each object

    def close(self) -> None:
        try:
            self._in.close()
        finally:
            self._proc.wait()
            self._out.close()

    def __enter__(self) -> CatFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
