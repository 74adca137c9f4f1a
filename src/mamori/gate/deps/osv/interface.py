"""Where advisories come from: the offline OSV index or the OSV API.

A source answers, for a set of packages, the advisories that *may* affect them (all the
advisories of each name); ``mamori.gate.deps.osv.match`` then decides version by version.
A source marked ``authoritative`` has matched versions itself (the OSV API): its answer
stands even where the local comparison cannot read a version.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from mamori.gate.deps.model import Ecosystem, Package
from mamori.gate.deps.osv.record import Advisory

PackageKey = tuple[Ecosystem, str, str]
"""(ecosystem, lookup name, version) of a pinned package."""


def key_of(p: Package) -> PackageKey:
    assert p.version is not None
    return (p.ecosystem, p.lookup_name, p.version)


class AdvisorySource(Protocol):
    #: how reports name the data ("OSV offline index of /data/osv (52,114 advisories)")
    description: str
    authoritative: bool

    def advisories_for(self, packages: Sequence[Package]) -> dict[PackageKey, list[Advisory]]:
        """Candidate advisories per pinned package (unpinned packages are ignored)."""
        ...
