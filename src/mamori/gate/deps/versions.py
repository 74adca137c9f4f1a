"""Version ordering per ecosystem, through maintained libraries (no hand-written comparisons).

* PyPI: ``packaging`` (PEP 440: pre-, post- and dev-releases, epochs, local versions).
* Maven: ``univers.versions.MavenVersion`` (Maven's ComparableVersion: alpha < beta < milestone
  < rc < snapshot < release < sp, ``-``/``.`` separators, trailing zeros).
* npm, crates.io, Hex, Pub: ``univers.versions.SemverVersion`` (SemVer 2.0 precedence:
  ``1.0.0-alpha.2 < 1.0.0-alpha.10 < 1.0.0``). Build metadata does not take part in ordering.
* Go: ``univers.versions.GolangVersion`` (a leading ``v`` and ``+incompatible`` are dropped;
  pseudo-versions order as pre-releases).
* RubyGems, NuGet, Packagist: univers' schemes for them.
* Debian, Ubuntu: ``univers.versions.DebianVersion`` (dpkg: epoch, upstream, revision, ``~``);
  Alpine: ``AlpineLinuxVersion`` (apk, ``-rN``); Red Hat, Rocky, Alma: ``RpmVersion`` (rpmvercmp, epoch).

``parse_version`` returns None for a version the scheme cannot read; callers then fall back
to the advisory's explicit ``versions`` list and say so.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from packaging.version import InvalidVersion, Version
from univers import versions as uv

from mamori.gate.deps.model import Ecosystem


def _semver(text: str) -> Any:
    t = text.strip().lstrip("=v").split("+", 1)[0]
    return uv.SemverVersion(t)


def _golang(text: str) -> Any:
    t = text.strip()
    if t.startswith("v"):
        t = t[1:]
    return uv.GolangVersion(t.split("+", 1)[0])


def _pypi(text: str) -> Any:
    return Version(text)


_PARSERS: dict[Ecosystem, Callable[[str], Any]] = {
    Ecosystem.PYPI: _pypi,
    Ecosystem.NPM: _semver,
    Ecosystem.CRATES: _semver,
    Ecosystem.HEX: _semver,
    Ecosystem.PUB: _semver,
    Ecosystem.GO: _golang,
    Ecosystem.MAVEN: uv.MavenVersion,
    Ecosystem.RUBYGEMS: uv.RubygemsVersion,
    Ecosystem.NUGET: uv.NugetVersion,
    Ecosystem.PACKAGIST: uv.ComposerVersion,
    Ecosystem.DEBIAN: uv.DebianVersion,
    Ecosystem.UBUNTU: uv.DebianVersion,
    Ecosystem.ALPINE: uv.AlpineLinuxVersion,
    Ecosystem.REDHAT: uv.RpmVersion,
    Ecosystem.ROCKY: uv.RpmVersion,
    Ecosystem.ALMA: uv.RpmVersion,
}


@lru_cache(maxsize=200_000)
def parse_version(ecosystem: Ecosystem, text: str) -> Any | None:
    """A comparable version, or None when ``text`` is not a version of this ecosystem."""
    parser = _PARSERS.get(ecosystem)
    if parser is None or not text:
        return None
    try:
        return parser(text)
    except (InvalidVersion, ValueError, TypeError, AttributeError, IndexError):
        # packaging's and univers' InvalidVersion are ValueErrors; the rest guard odd input
        return None


def sort_versions(ecosystem: Ecosystem, versions: list[str]) -> list[str]:
    """Versions in ascending order; unreadable ones last, in the order given."""
    readable = [(parse_version(ecosystem, v), v) for v in versions]
    good = sorted((p, v) for p, v in readable if p is not None)
    bad = [v for p, v in readable if p is None]
    return [v for _, v in good] + bad
