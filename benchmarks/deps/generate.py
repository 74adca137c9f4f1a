"""Generate a realistic OSV data set and lockfiles for the dependency-gate benchmark.

    python benchmarks/deps/generate.py [--out benchmarks/out/deps] [--advisories 50000] [--packages 2000]

Writes, deterministically (fixed seed):

* ``osv/{PyPI,npm,Maven}/all.zip`` — OSV's export layout; advisories shaped like GitHub's
  (GHSA id, CVE alias, a CVSS v3.1 vector, one to three affected ranges with introduced /
  fixed and now and then last_affected, sometimes an explicit versions list, references,
  a few hundred characters of details). 40% npm, 30% PyPI, 30% Maven — roughly the
  proportions of OSV's exports — over a pool of names where popular packages have many
  advisories (a Zipf-like draw), as in reality.
* ``project/package-lock.json`` — one npm lockfile (v3) of ``--packages`` packages.
* ``project-mixed/bom.cdx.json`` — one CycloneDX SBOM of ``--packages`` components across
  PyPI, npm and Maven.

About a quarter of the lockfile packages are names that have advisories, at versions
below, inside and above the affected ranges.
"""

from __future__ import annotations

import argparse
import json
import random
import zipfile
from pathlib import Path

SEED = 20261123
SHARE = {"npm": 0.4, "PyPI": 0.3, "Maven": 0.3}
VECTORS = [
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
    "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N",
    "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:N",
    "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
]
WORDS = [
    "http", "parser", "json", "yaml", "xml", "auth", "crypto", "cache", "log", "template", "stream", "query",
    "router", "client", "server", "core", "util", "config", "schema", "image", "net", "proto", "rpc", "orm",
    "queue", "mail", "csv", "date", "time", "path", "glob", "fs",
]  # fmt: skip
GHSA_CHARS = "23456789cfghjmpqrvwx"


def ghsa(rng: random.Random) -> str:
    return "GHSA-" + "-".join("".join(rng.choice(GHSA_CHARS) for _ in range(4)) for _ in range(3))


def name_pool(eco: str, n: int, rng: random.Random) -> list[str]:
    names: set[str] = set()
    while len(names) < n:
        a, b = rng.choice(WORDS), rng.choice(WORDS)
        i = rng.randrange(1000)
        if eco == "npm":
            names.add(f"@{a}/{b}-{i}" if rng.random() < 0.3 else f"{a}-{b}-{i}")
        elif eco == "PyPI":
            names.add(f"{a}-{b}{i}" if rng.random() < 0.5 else f"py{a}_{b}{i}")
        else:
            names.add(f"org.{a}.{b}:{a}-{b}-{i}")
    return sorted(names)


def version(eco: str, major: int, minor: int, patch: int, rng: random.Random) -> str:
    if eco == "Maven" and rng.random() < 0.15:
        return f"{major}.{minor}.{patch}" + rng.choice(["-RC1", ".Final", "-beta", ".1"])
    if eco == "PyPI" and rng.random() < 0.05:
        return f"{major}.{minor}.{patch}rc1"
    return f"{major}.{minor}.{patch}"


def advisory(eco: str, name: str, idx: int, rng: random.Random) -> dict:
    vid = ghsa(rng)
    year = rng.randrange(2015, 2026)
    ranges = []
    major = rng.randrange(0, 6)
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        lo_minor = rng.randrange(0, 10)
        fix = version(eco, major, lo_minor + rng.randrange(1, 8), rng.randrange(0, 20), rng)
        intro = "0" if rng.random() < 0.4 else version(eco, major, lo_minor, 0, rng)
        end = {"fixed": fix} if rng.random() < 0.9 else {"last_affected": fix}
        ranges.append({"type": "ECOSYSTEM", "events": [{"introduced": intro}, end]})
        major += 1
    affected = [{"package": {"ecosystem": eco, "name": name}, "ranges": ranges}]
    if rng.random() < 0.1:
        affected[0]["versions"] = [f"{major - 1}.{m}.0" for m in range(rng.randrange(1, 12))]
    vector = rng.choice(VECTORS)
    return {
        "schema_version": "1.6.0",
        "id": vid,
        "modified": f"{year + 1}-0{rng.randrange(1, 10)}-1{rng.randrange(0, 10)}T12:00:00Z",
        "published": f"{year}-0{rng.randrange(1, 10)}-1{rng.randrange(0, 10)}T12:00:00Z",
        "aliases": [f"CVE-{year}-{10000 + idx}"],
        "summary": f"{rng.choice(WORDS).title()} {rng.choice(['injection', 'denial of service', 'prototype pollution', 'path traversal', 'deserialization'])} in {name}",
        "details": " ".join(rng.choice(WORDS) for _ in range(rng.randrange(40, 120))),
        "severity": [{"type": "CVSS_V4" if vector.startswith("CVSS:4") else "CVSS_V3", "score": vector}],
        "affected": affected,
        "references": [
            {"type": "ADVISORY", "url": f"https://nvd.nist.gov/vuln/detail/CVE-{year}-{10000 + idx}"},
            {"type": "WEB", "url": f"https://github.com/example/{name.replace(':', '/')}/issues/{idx}"},
            {"type": "PACKAGE", "url": f"https://example.org/{eco}/{name}"},
        ],
        "database_specific": {
            "severity": rng.choice(["LOW", "MODERATE", "HIGH", "CRITICAL"]),
            "github_reviewed": True,
            "cwe_ids": [f"CWE-{rng.randrange(20, 1000)}"],
        },  # fmt: skip
    }


def generate(out: Path, n_adv: int, n_pkgs: int) -> dict[str, object]:
    rng = random.Random(SEED)
    pools: dict[str, list[str]] = {}
    chosen: dict[str, list[str]] = {}
    idx = 0
    for eco, share in SHARE.items():
        count = int(n_adv * share)
        pool = name_pool(eco, max(200, count // 4), rng)
        pools[eco] = pool
        weights = [1.0 / (i + 1) ** 0.8 for i in range(len(pool))]
        names = rng.choices(pool, weights=weights, k=count)
        chosen[eco] = names
        (out / "osv" / eco).mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out / "osv" / eco / "all.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            for name in names:
                idx += 1
                adv = advisory(eco, name, idx, rng)
                zf.writestr(f"{adv['id']}.json", json.dumps(adv, indent=2))
    vulnerable_names = {eco: sorted(set(names)) for eco, names in chosen.items()}

    def pick(eco: str) -> tuple[str, str]:
        if rng.random() < 0.25:
            name = rng.choice(vulnerable_names[eco])
        else:
            name = f"clean-{rng.choice(WORDS)}-{rng.randrange(100000)}"
            if eco == "Maven":
                name = f"org.clean.{rng.choice(WORDS)}:{name}"
        return name, f"{rng.randrange(0, 7)}.{rng.randrange(0, 15)}.{rng.randrange(0, 25)}"

    npm: dict[str, dict] = {"": {"name": "bench-app", "version": "1.0.0"}}
    while len(npm) < n_pkgs + 1:
        name, ver = pick("npm")
        npm[f"node_modules/{name}"] = {
            "version": ver,
            "resolved": f"https://registry.npmjs.org/{name}/-/{name.rsplit('/', 1)[-1]}-{ver}.tgz",
            "integrity": "sha512-" + "A" * 86 + "==",
        }
    (out / "project").mkdir(parents=True, exist_ok=True)
    lock = {"name": "bench-app", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": npm}
    (out / "project" / "package-lock.json").write_text(json.dumps(lock, indent=2))

    comps = []
    seen: set[tuple[str, str]] = set()
    while len(comps) < n_pkgs:
        eco = rng.choice(list(SHARE))
        name, ver = pick(eco)
        if (eco, name) in seen:
            continue
        seen.add((eco, name))
        if eco == "Maven":
            group, art = name.split(":")
            purl = f"pkg:maven/{group}/{art}@{ver}"
        elif eco == "npm":
            purl = f"pkg:npm/{name.replace('@', '%40', 1) if name.startswith('@') else name}@{ver}"
        else:
            purl = f"pkg:pypi/{name.lower().replace('_', '-')}@{ver}"
        comps.append({"type": "library", "name": name, "version": ver, "purl": purl})
    (out / "project-mixed").mkdir(parents=True, exist_ok=True)
    bom = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": comps}
    (out / "project-mixed" / "bom.cdx.json").write_text(json.dumps(bom, indent=2))
    return {
        "advisories": idx,
        "per_ecosystem": {e: len(n) for e, n in chosen.items()},
        "lockfile_packages": n_pkgs,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).parents[1] / "out" / "deps")
    ap.add_argument("--advisories", type=int, default=50_000)
    ap.add_argument("--packages", type=int, default=2_000)
    args = ap.parse_args()
    print(json.dumps(generate(args.out, args.advisories, args.packages), indent=2))


if __name__ == "__main__":
    main()
