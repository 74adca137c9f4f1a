"""Generate a labelled secret-scanning corpus: a mixed source tree with fake secrets and decoys.

    python benchmarks/secrets/make_corpus.py --seed 1 --size-mb 64 --out benchmarks/out/secrets/corpus

Deterministic for a seed. Every secret is fake and built at run time from
``mamori.gate.secrets.corpus`` (one or more per detector); decoys are the things naive scanners
report (documented example keys, git SHAs, lockfile integrity hashes, UUIDs, base64 images,
checksums, placeholders). ``labels.json`` beside the tree lists both, with file and line.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from random import Random

from mamori.gate.secrets import corpus

_WORDS = (
    "account alert bucket cache client cluster config context deploy event export filter handler "
    "index instance key lambda logger manager metric node output parser policy queue region "
    "request resource response role route rule scan service session snapshot stack state stream "
    "table target task tenant user value vault version worker"
)
WORDS = _WORDS.split()
HOSTS = ("docs.python.org", "github.com", "registry.npmjs.org", "api.internal.corp", "aws.amazon.com")


def _ident(r: Random) -> str:
    return "_".join(r.choice(WORDS) for _ in range(r.randint(1, 3)))


def _camel(r: Random) -> str:
    return "".join(w.capitalize() for w in _ident(r).split("_"))


def _words(r: Random, n: int = 6) -> str:
    return " ".join(r.choice(WORDS) for _ in range(n))


def _py(r: Random) -> str:
    a, b, c = _ident(r), _ident(r), _camel(r)
    return r.choice(
        (
            f"def {a}(self, {b}: str, timeout: int = {r.randint(1, 90)}) -> {c}:",
            f"    return self.{a}({b}, retries={r.randint(0, 9)})",
            f"    {a} = {b}.get({a!r}, {r.randint(0, 1000)})",
            f"import {a.split('_')[0]}",
            f"from {a.split('_')[0]}.{b.split('_')[0]} import {c}",
            f"# {_words(r, 9)}",
            f"class {c}({_camel(r)}):",
            f'    logger.info("{_words(r)} %s", {a})',
            f"    if {a} is None or not {b}:",
            f'        raise ValueError("{_words(r, 5)}")',
            f"    for {a} in sorted({b}.items()):",
            f'    """{_words(r, 10).capitalize()}."""',
            "",
        )
    )


def _js(r: Random) -> str:
    a, b, c = _camel(r), _camel(r), _ident(r)
    return r.choice(
        (
            f"const {a[0].lower() + a[1:]} = require('{c.replace('_', '-')}');",
            f"export function {a}({b.lower()}, opts = {{}}) {{",
            f"  return {b.lower()}.{c}({r.randint(0, 99)}).then((res) => res.json());",
            "}",
            f"  headers: {{ 'Content-Type': 'application/json', 'X-{a}': opts.{c} }},",
            f"  // {_words(r, 8)}",
            f"  if (!{b.lower()}) throw new Error('{_words(r, 4)}');",
            f"export default {a};",
        )
    )


def _yaml(r: Random) -> str:
    a, b = _ident(r), _ident(r)
    return r.choice(
        (
            f"{a}:",
            f"  {b}: {r.randint(0, 5000)}",
            f"  - name: {a.replace('_', '-')}",
            f"    image: {b.replace('_', '-')}:{r.randint(1, 9)}.{r.randint(0, 20)}",
            f"  description: {_words(r, 7)}",
        )
    )


def _keyword_line(r: Random) -> str:
    """Lines that hold a prefilter keyword but no secret (about 3% of lines, as in real code)."""
    a, b = _ident(r), _ident(r)
    return r.choice(
        (
            f"    token = tokenizer.next_token({a})",
            f'    url = "https://{r.choice(HOSTS)}/{a}/{b}"',
            "    password = request.form.get('password')",
            "  const token = await getToken(session);",
            f"    secretName: {a.replace('_', '-')}-credentials",
            f"  url: https://{r.choice(HOSTS)}/{a}",
            f"    api_key = settings.{a.upper()}_API_KEY",
            f"    # rotate the secret for {b} every 90 days",
        )
    )


def _minified(r: Random, n: int) -> str:
    parts = [f"function {_camel(r)}(a,b){{return a.{_ident(r)}(b,{r.randint(0, 9)})}}" for _ in range(n)]
    return ";".join(parts)


def _lockfile(r: Random, n: int) -> str:
    lines = ['{', '  "lockfileVersion": 3,', '  "packages": {']
    for i in range(n):
        name = _ident(r).replace("_", "-")
        lines += [
            f'    "node_modules/{name}{i}": {{',
            f'      "version": "{r.randint(0, 9)}.{r.randint(0, 30)}.{r.randint(0, 9)}",',
            f'      "resolved": "https://registry.npmjs.org/{name}/-/{name}-1.0.0.tgz",',
            f'      "integrity": "sha512-{corpus.rs(r, 86, corpus.B64)}=="',
            "    },",
        ]
    lines += ["  }", "}"]
    return "\n".join(lines)


KINDS = (("py", _py, 0.45), ("js", _js, 0.3), ("yaml", _yaml, 0.25))


def generate(out: Path, seed: int, size_mb: float, per_detector: int, per_decoy: int) -> dict[str, object]:
    r = Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    pools = {ext: [_keyword_line(r) if r.random() < 0.03 else fn(r) for _ in range(4000)] for ext, fn, _ in KINDS}
    target = int(size_mb * 1_000_000)
    # plant list: (kind, label, text)
    plants: list[tuple[str, str, str]] = []
    for det_id in corpus.SAMPLES:
        plants += [("secret", det_id, corpus.positive(det_id, r)) for _ in range(per_detector)]
    for kind in corpus.DECOYS:
        plants += [("decoy", kind, corpus.DECOYS[kind](r)) for _ in range(per_decoy)]
    r.shuffle(plants)
    n_files = max(50, target // 12_000)
    per_file: list[list[tuple[str, str, str]]] = [[] for _ in range(n_files)]
    for p in plants:
        per_file[r.randrange(n_files)].append(p)
    labels: list[dict[str, object]] = []
    written = 0
    for i in range(n_files):
        ext = r.choices([k[0] for k in KINDS], weights=[k[2] for k in KINDS])[0]
        rel = f"pkg{i % 40:02d}/{_ident(r)}_{i}.{ext}"
        lines = r.choices(pools[ext], k=max(20, int(target / n_files / 45)))
        for _kind, _label, text in per_file[i]:
            at = r.randrange(len(lines) + 1)
            lines.insert(at, text)
        text_out = "\n".join(lines) + "\n"
        planted = {id(text): (kind, label) for kind, label, text in per_file[i]}
        lineno = 1
        for line in lines:
            if id(line) in planted:
                kind, label = planted[id(line)]
                end = lineno + line.count("\n")
                labels.append({"kind": kind, "label": label, "file": rel, "line": lineno, "end_line": end})
            lineno += line.count("\n") + 1
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text_out)
        written += len(text_out.encode())
    # a few special files: minified bundles, lockfiles, binaries, images
    for i in range(max(2, n_files // 200)):
        (out / f"web/dist/bundle{i}.min.js").parent.mkdir(parents=True, exist_ok=True)
        text = _minified(r, 3000)
        (out / f"web/dist/bundle{i}.min.js").write_text(text + "\n")
        (out / f"web/app{i}/package-lock.json").parent.mkdir(parents=True, exist_ok=True)
        lock = _lockfile(r, 400)
        (out / f"web/app{i}/package-lock.json").write_text(lock + "\n")
        (out / f"assets/blob{i}.bin").parent.mkdir(parents=True, exist_ok=True)
        (out / f"assets/blob{i}.bin").write_bytes(bytes(r.randrange(256) for _ in range(50_000)) + b"\x00")
        (out / f"assets/logo{i}.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(r.randrange(256) for _ in range(20_000)))
        written += len(text) + len(lock) + 70_000
    meta = {
        "seed": seed,
        "size_bytes": written,
        "files": n_files,
        "secrets": sum(1 for lab in labels if lab["kind"] == "secret"),
        "decoys": sum(1 for lab in labels if lab["kind"] == "decoy"),
        "labels": labels,
    }
    (out.parent / f"{out.name}.labels.json").write_text(json.dumps(meta, indent=1))
    return meta


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--size-mb", type=float, default=64)
    ap.add_argument("--per-detector", type=int, default=5)
    ap.add_argument("--per-decoy", type=int, default=25)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/secrets/corpus"))
    a = ap.parse_args()
    meta = generate(a.out, a.seed, a.size_mb, a.per_detector, a.per_decoy)
    size = float(str(meta["size_bytes"])) / 1e6
    print(f"{a.out}: {meta['files']} files, {size:.1f} MB, {meta['secrets']} secrets, {meta['decoys']} decoys")


if __name__ == "__main__":
    main()
