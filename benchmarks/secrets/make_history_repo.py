"""Generate a git repository with a long history (default 10,000 commits) through ``git fast-import``.

    python benchmarks/secrets/make_history_repo.py --commits 10000 --out benchmarks/out/secrets/history-repo

Each commit rewrites one to three of ~400 source files; every ``--leak-every`` commits one file
gets a fake secret appended (the next rewrite of that file removes it again), and decoys
(documented example keys, git SHAs, integrity hashes) are sprinkled in. A few side branches are
left unmerged so that only an ``--all`` scan sees them. ``<out>.labels.json`` lists each planted
secret with its introducing commit, file and line. Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from pathlib import Path
from random import Random

from make_corpus import KINDS, _keyword_line

from mamori.gate.secrets import corpus


def _file_text(r: Random, pools: dict[str, list[str]], ext: str) -> list[str]:
    return r.choices(pools[ext], k=r.randint(40, 110))


def build(out: Path, commits: int, seed: int, leak_every: int, files: int) -> dict[str, object]:
    r = Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(out)], check=True)
    pools = {ext: [_keyword_line(r) if r.random() < 0.03 else fn(r) for _ in range(3000)] for ext, fn, _ in KINDS}
    paths = [f"svc{i % 25:02d}/{KINDS[i % 3][0]}/mod_{i}.{KINDS[i % 3][0]}" for i in range(files)]
    det_ids = sorted(corpus.SAMPLES)
    decoys = sorted(corpus.DECOYS)
    planted: list[dict[str, object]] = []
    marks_file = (out.parent / f"{out.name}.marks").resolve()
    proc = subprocess.Popen(
        ["git", "-C", str(out), "fast-import", "--quiet", f"--export-marks={marks_file}"],
        stdin=subprocess.PIPE,
    )
    assert proc.stdin is not None
    w = proc.stdin
    ts = 1_600_000_000

    def emit(ref: str, mark: int, message: str, changes: list[tuple[str, str | None]], parent: int | None) -> None:
        nonlocal ts
        ts += r.randint(60, 7200)
        who = r.choice(("Ada Dev <ada@dev.test>", "Bo Ops <bo@ops.test>", "Cy Sec <cy@sec.test>"))
        msg = message.encode()
        head = f"commit {ref}\nmark :{mark}\nauthor {who} {ts} +0000\ncommitter {who} {ts} +0000\n"
        w.write(head.encode() + f"data {len(msg)}\n".encode() + msg + b"\n")
        if parent is not None:
            w.write(f"from :{parent}\n".encode())
        for path, text in changes:
            if text is None:
                w.write(f"D {path}\n".encode())
                continue
            data = text.encode()
            w.write(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
        w.write(b"\n")

    # commit 1: the initial tree
    initial = [(p, "\n".join(_file_text(r, pools, p.rsplit(".", 1)[1])) + "\n") for p in paths]
    emit("refs/heads/main", 1, "initial import", initial, None)
    main_tip = 1
    mark = 1
    branch_no = 0
    for n in range(2, commits + 1):
        mark += 1
        changes: list[tuple[str, str | None]] = []
        for p in r.sample(paths, r.randint(1, 3)):
            lines = _file_text(r, pools, p.rsplit(".", 1)[1])
            if r.random() < 0.05:
                lines.insert(r.randrange(len(lines)), corpus.DECOYS[r.choice(decoys)](r))
            changes.append((p, "\n".join(lines) + "\n"))
        if n % leak_every == 0:
            p, text = changes[0]
            assert text is not None
            det = det_ids[(n // leak_every) % len(det_ids)]
            secret = corpus.positive(det, r)
            line = text.count("\n") + 1
            changes[0] = (p, text + secret + "\n")
            planted.append({"mark": mark, "file": p, "line": line, "detector": det})
        on_branch = n % 1000 == 500
        if on_branch:
            branch_no += 1
            emit(f"refs/heads/feature-{branch_no}", mark, f"feature work {branch_no}", changes, main_tip)
        else:
            emit("refs/heads/main", mark, f"change {n}: {_keyword_line(r)[:40].strip()}", changes, main_tip)
            main_tip = mark
    w.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "-C", str(out), "checkout", "-q", "-f", "main"], check=True)
    marks = dict(line.split() for line in marks_file.read_text().splitlines())
    for p in planted:
        p["commit"] = marks[f":{p.pop('mark')}"]
    meta = {"commits": commits, "seed": seed, "planted": planted}
    (out.parent / f"{out.name}.labels.json").write_text(json.dumps(meta, indent=1))
    return meta


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--commits", type=int, default=10_000)
    ap.add_argument("--files", type=int, default=400)
    ap.add_argument("--leak-every", type=int, default=97)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/secrets/history-repo"))
    a = ap.parse_args()
    meta = build(a.out, a.commits, a.seed, a.leak_every, a.files)
    planted = meta["planted"]
    assert isinstance(planted, list)
    print(f"{a.out}: {a.commits} commits, {len(planted)} planted secrets")


if __name__ == "__main__":
    main()
