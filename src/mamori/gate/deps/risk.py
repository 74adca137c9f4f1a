"""Risk in context: the SSVC Deployer decision for each vulnerability, and every factor behind it.

CISA / CERT-CC's SSVC Deployer tree takes four decision points and gives one of four
priorities (``DEPLOYER`` below is its table, checked row by row against CERT-CC's
``data/csvs/deployer-options.csv`` in the tests):

* **exploitation** -- ``active`` when a CVE alias is in CISA's KEV catalogue (date: when CISA
  added it); ``public-poc`` when an advisory references public exploit code (OSV reference
  type ``EXPLOIT``, exploit-db, Packet Storm); else ``none``. Without a KEV catalogue active
  exploitation cannot be ruled out: ``public-poc`` is assumed (a default, shown as such).
  EPSS (FIRST) is shown next to it as evidence; it does not change the decision.
* **automatable** -- ``yes`` when a CVSS vector says the attack is network-borne, needs no
  privileges and no user interaction (``AV:N``, ``PR:N``, ``UI:N``); ``no`` when the vectors
  say otherwise; with no vector, ``yes`` (default).
* **exposure** -- from mamori's inventory (a snapshot): where the project or image runs
  (Lambda function, EC2 instance, load balancer, ...) and whether that is reachable from the
  internet: a function URL without auth or a public resource policy, a public IP behind a
  security group open to the world, an internet-facing load balancer -> ``open``; otherwise
  ``controlled``. ``small`` only when told (``--exposure small``). No inventory, or the
  resource is not in it: ``open`` (default).
* **human impact** -- from the data-classification tag of those resources (``public`` low,
  ``internal`` medium, ``confidential`` high, ``restricted``/``secret``/``pii``/``phi``/``pci``
  very high). No tag: ``very high`` (default).

Every default is the most cautious value and is marked ``default: true`` with a note; mamori
never lowers a decision for lack of context. The CVSS environmental score (``cvss`` library)
is shown too: the base vector with CR/IR/AR from the impact and, when the exposure is known,
MAV from it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mamori.gate.deps.model import Factor, Risk, Vulnerability

if TYPE_CHECKING:
    from mamori.gate.deps.assess import Assessed
    from mamori.gate.deps.epss import EpssScores
    from mamori.gate.deps.kev import KevCatalog
    from mamori.model.resource import Inventory, Resource


class Exploitation(str, Enum):
    NONE = "none"
    POC = "public-poc"
    ACTIVE = "active"


class Exposure(str, Enum):
    SMALL = "small"
    CONTROLLED = "controlled"
    OPEN = "open"


class Automatable(str, Enum):
    NO = "no"
    YES = "yes"


class HumanImpact(str, Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very high"


class Priority(str, Enum):
    DEFER = "defer"
    SCHEDULED = "scheduled"
    OUT_OF_CYCLE = "out-of-cycle"
    IMMEDIATE = "immediate"


_P = {"D": Priority.DEFER, "S": Priority.SCHEDULED, "O": Priority.OUT_OF_CYCLE, "I": Priority.IMMEDIATE}
_E, _X, _A = Exploitation, Exposure, Automatable
# (exploitation, exposure, automatable) -> priority for human impact low, medium, high, very high
_TREE: dict[tuple[Exploitation, Exposure, Automatable], str] = {
    (_E.NONE, _X.SMALL, _A.NO): "DDSS",
    (_E.NONE, _X.SMALL, _A.YES): "DSSS",
    (_E.NONE, _X.CONTROLLED, _A.NO): "DSSS",
    (_E.NONE, _X.CONTROLLED, _A.YES): "SSSS",
    (_E.NONE, _X.OPEN, _A.NO): "DSSS",
    (_E.NONE, _X.OPEN, _A.YES): "SSSO",
    (_E.POC, _X.SMALL, _A.NO): "DSSS",
    (_E.POC, _X.SMALL, _A.YES): "SSSS",
    (_E.POC, _X.CONTROLLED, _A.NO): "DSSS",
    (_E.POC, _X.CONTROLLED, _A.YES): "SSSO",
    (_E.POC, _X.OPEN, _A.NO): "SSSO",
    (_E.POC, _X.OPEN, _A.YES): "SSOO",
    (_E.ACTIVE, _X.SMALL, _A.NO): "SSOO",
    (_E.ACTIVE, _X.SMALL, _A.YES): "SOOO",
    (_E.ACTIVE, _X.CONTROLLED, _A.NO): "SSOO",
    (_E.ACTIVE, _X.CONTROLLED, _A.YES): "OOOO",
    (_E.ACTIVE, _X.OPEN, _A.NO): "SOOI",
    (_E.ACTIVE, _X.OPEN, _A.YES): "OOII",
}
_IMPACT_ORDER = (HumanImpact.LOW, HumanImpact.MEDIUM, HumanImpact.HIGH, HumanImpact.VERY_HIGH)
DEPLOYER: dict[tuple[Exploitation, Exposure, Automatable, HumanImpact], Priority] = {
    (e, x, a, h): _P[codes[i]] for (e, x, a), codes in _TREE.items() for i, h in enumerate(_IMPACT_ORDER)
}


def deployer_decision(exploitation: Exploitation, exposure: Exposure, automatable: Automatable,
                      impact: HumanImpact) -> Priority:  # fmt: skip
    """SSVC Deployer tree (CERT-CC): the priority for these four decision points."""
    return DEPLOYER[(exploitation, exposure, automatable, impact)]


# -- context: where it runs and what data it handles --------------------------------------------

CLASSIFICATION_TAGS = ("data-classification", "dataclassification", "data_classification", "classification",
                       "mamori:data-classification")  # fmt: skip
CLASSIFICATION_IMPACT = {
    "public": HumanImpact.LOW,
    "internal": HumanImpact.MEDIUM,
    "confidential": HumanImpact.HIGH,
    "sensitive": HumanImpact.VERY_HIGH,
    "restricted": HumanImpact.VERY_HIGH,
    "secret": HumanImpact.VERY_HIGH,
    "pii": HumanImpact.VERY_HIGH,
    "phi": HumanImpact.VERY_HIGH,
    "pci": HumanImpact.VERY_HIGH,
}
_EXPOSURE_RANK = {Exposure.SMALL: 0, Exposure.CONTROLLED: 1, Exposure.OPEN: 2}
_IMPACT_RANK = {h: i for i, h in enumerate(_IMPACT_ORDER)}


@dataclass(frozen=True)
class Context:
    """One decision point's value from the environment (inventory or the command line)."""

    value: str
    source: str
    date: str = ""
    note: str = ""


def _resource_exposure(inv: Inventory, r: Resource) -> tuple[Exposure, str]:
    from mamori.model.exposure import exposure_of

    value, note = exposure_of(inv, r)
    return Exposure(value), note


def _classification(r: Resource) -> str | None:
    for k, v in r.tags.items():
        if k.lower() in CLASSIFICATION_TAGS:
            return str(v).strip().lower()
    return None


def find_resources(inv: Inventory, refs: Iterable[str]) -> list[Resource]:
    """Resources named by ARN, id or name."""
    wanted = set(refs)
    return [r for r in inv if r.arn in wanted or r.id in wanted or (r.name and r.name in wanted)]


def _mentions(value: Any, needle: str, depth: int = 0) -> bool:
    if depth > 20:
        return False
    if isinstance(value, str):
        return needle in value
    if isinstance(value, Mapping):
        return any(_mentions(v, needle, depth + 1) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_mentions(v, needle, depth + 1) for v in value)
    return False


def find_by_image(inv: Inventory, digest: str) -> list[Resource]:
    """Where an image (``sha256:...``) runs: ECS services and Lambda functions that run it
    (``mamori.model.exposure.runs_image``: by digest, or by a tag the inventory's ECR images
    resolve), and any other resource whose properties name the digest.
    """
    if not digest:
        return []
    from mamori.model.exposure import runs_image

    found = runs_image(inv, digest)
    return found + [r for r in inv if r not in found and _mentions(r.properties, digest)]


def context_from_inventory(inv: Inventory, resources: Sequence[Resource], label: str
                           ) -> tuple[Context | None, Context | None]:  # fmt: skip
    """(exposure, human impact) of the resources a project or image runs on; None where unknown."""
    if not resources:
        return None, None
    date = inv.collected_at.date().isoformat()
    exp = [_resource_exposure(inv, r) for r in resources]
    worst = max(exp, key=lambda t: _EXPOSURE_RANK[t[0]])
    exposure = Context(worst[0].value, f"inventory {label}", date, "; ".join(n for _, n in exp))
    levels = [(CLASSIFICATION_IMPACT.get(c), r, c) for r in resources if (c := _classification(r))]
    known = [(h, r, c) for h, r, c in levels if h is not None]
    impact = None
    if known:
        h, r, c = max(known, key=lambda t: _IMPACT_RANK[t[0]])
        impact = Context(h.value, f"tag data-classification={c} on {r.name or r.id}", date)
    return exposure, impact


def context_from_workloads(rows: Sequence[Mapping[str, Any]], source: str, date: str
                           ) -> tuple[Context | None, Context | None]:  # fmt: skip
    """(exposure, human impact) from a stored scan's workloads (``scan_workloads`` rows); None where unknown."""
    if not rows:
        return None, None
    worst = max(rows, key=lambda r: _EXPOSURE_RANK[Exposure(r["exposure"])])
    exposure = Context(Exposure(worst["exposure"]).value, source, date, "; ".join(str(r["note"]) for r in rows))
    known = []
    for r in rows:
        tags = r.get("tags") or {}
        c = next((str(v).strip().lower() for k, v in tags.items() if k.lower() in CLASSIFICATION_TAGS), None)
        if c is not None and (h := CLASSIFICATION_IMPACT.get(c)) is not None:
            known.append((h, r, c))
    impact = None
    if known:
        h, r, c = max(known, key=lambda t: _IMPACT_RANK[t[0]])
        impact = Context(h.value, f"tag data-classification={c} on {r['name'] or r['resource_id']}", date)
    return exposure, impact


@dataclass(frozen=True)
class RiskContext:
    """What a run knows about exploitation and about where the code runs."""

    kev: KevCatalog | None = None
    epss: EpssScores | None = None
    epss_path: Path | None = None  # read lazily, only the CVEs of the run
    exposure: Context | None = None
    impact: Context | None = None
    #: why the exposure is unknown, for the default factor (default: no inventory was given)
    exposure_unknown: tuple[str, str] = ("no inventory",
                                         "where this runs is unknown (give --inventory and --runs-on): open assumed")


def _automatable(vectors: Sequence[str]) -> Factor:
    parsed = []
    for v in vectors:
        metrics = dict(part.split(":", 1) for part in v.split("/")[1:] if ":" in part)
        if metrics.get("AV") and metrics.get("PR") and metrics.get("UI"):
            parsed.append((v, metrics))
    if not parsed:
        return Factor("automatable", Automatable.YES.value, "no CVSS vector", default=True,
                      note="assumed automatable: no CVSS vector to tell")  # fmt: skip
    for v, m in parsed:
        if m["AV"] == "N" and m["PR"] == "N" and m["UI"] == "N":
            return Factor("automatable", Automatable.YES.value, f"CVSS {v} (AV:N, PR:N, UI:N)")
    return Factor("automatable", Automatable.NO.value,
                  f"CVSS {parsed[0][0]} (needs local/adjacent access, privileges or user interaction)")  # fmt: skip


def _exploitation(v: Vulnerability, ctx: RiskContext) -> Factor:
    if ctx.kev is not None:
        listed = ctx.kev.listed(v.ids)
        if listed:
            return Factor("exploitation", Exploitation.ACTIVE.value, f"CISA KEV ({listed[0]})",
                          ctx.kev.date_added(listed[0]) or ctx.kev.released[:10])  # fmt: skip
    if v.exploits:
        return Factor("exploitation", Exploitation.POC.value, f"public exploit reference {v.exploits[0]}",
                      (v.published or "")[:10])  # fmt: skip
    if ctx.kev is None:
        return Factor("exploitation", Exploitation.POC.value, "no KEV catalogue", default=True,
                      note="active exploitation cannot be ruled out without CISA's KEV catalogue; "
                           "public-poc assumed (run `mamori db update`)")  # fmt: skip
    return Factor("exploitation", Exploitation.NONE.value,
                  "not in CISA KEV, no public exploit reference in the advisories", ctx.kev.released[:10])  # fmt: skip


def _epss(v: Vulnerability, ctx: RiskContext) -> Factor:
    if ctx.epss is None:
        return Factor("epss", "unknown", "FIRST EPSS not loaded (run `mamori db update`)")
    best = ctx.epss.best(v.cves)
    if best is None:
        return Factor("epss", "unknown", "FIRST EPSS: no score for its CVEs", ctx.epss.date)
    cve, score, pct = best
    return Factor("epss", f"{score:.5f} (percentile {pct:.3f})", f"FIRST EPSS {cve}", ctx.epss.date,
                  note="evidence only: EPSS does not change the decision")  # fmt: skip


def _environmental(vectors: Sequence[str], exposure: Factor, impact: HumanImpact) -> Factor | None:
    import cvss

    req = {HumanImpact.LOW: "L", HumanImpact.MEDIUM: "M"}.get(impact, "H")
    mav = None if exposure.default else {"small": "L", "controlled": "A", "open": "N"}[exposure.value]
    for v in vectors:
        extra = f"/CR:{req}/IR:{req}/AR:{req}" + (f"/MAV:{mav}" if mav else "")
        try:
            if v.startswith("CVSS:3"):
                score = cvss.CVSS3(v + extra).scores()[2]
            elif v.startswith("CVSS:4"):
                score = cvss.CVSS4(v + extra).base_score  # CVSS 4 folds environmental metrics into its score
            else:
                continue
        except (cvss.CVSSError, ValueError, KeyError):
            continue
        return Factor("cvss-environmental", f"{score:.1f}", f"cvss library: {v}{extra}")
    return None


def assess_risk(v: Vulnerability, ctx: RiskContext) -> Risk:
    """The SSVC Deployer decision for ``v`` in ``ctx``, with its factors."""
    exploitation = _exploitation(v, ctx)
    automatable = _automatable(v.vectors)
    if ctx.exposure is not None:
        e = ctx.exposure
        exposure = Factor("exposure", e.value, e.source, e.date, note=e.note)
    else:
        exposure = Factor("exposure", Exposure.OPEN.value, ctx.exposure_unknown[0], default=True,
                          note=ctx.exposure_unknown[1])
    if ctx.impact is not None:
        impact = Factor("human-impact", ctx.impact.value, ctx.impact.source, ctx.impact.date, note=ctx.impact.note)
    else:
        impact = Factor("human-impact", HumanImpact.VERY_HIGH.value, "no data-classification tag", default=True,
                        note="the data handled is unknown: very high assumed")  # fmt: skip
    decision = deployer_decision(Exploitation(exploitation.value), Exposure(exposure.value),
                                 Automatable(automatable.value), HumanImpact(impact.value))  # fmt: skip
    factors = [exploitation, _epss(v, ctx), automatable, exposure, impact]
    env = _environmental(v.vectors, exposure, HumanImpact(impact.value))
    if env is not None:
        factors.append(env)
    return Risk(decision.value, tuple(factors))


def attach_risk(items: Sequence[Assessed], ctx: RiskContext) -> list[Assessed]:
    """``items`` with ``risk`` set on every vulnerability (EPSS read here, only for their CVEs)."""
    if ctx.epss is None and ctx.epss_path is not None:
        from mamori.gate.deps.epss import load_epss

        cves = {c for item in items for v in item.vulns for c in v.cves}
        ctx = dataclasses.replace(ctx, epss=load_epss(ctx.epss_path, only=cves))
    out = []
    for item in items:
        if not item.vulns:
            out.append(item)
            continue
        vulns = tuple(dataclasses.replace(v, risk=assess_risk(v, ctx)) for v in item.vulns)
        out.append(dataclasses.replace(item, vulns=vulns))
    return out
