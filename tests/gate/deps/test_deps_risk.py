"""Risk in context: the SSVC Deployer table exactly as CERT-CC publishes it, and each factor's source.

fixtures/ssvc-deployer-options.csv is CERTCC/SSVC ``data/csvs/deployer-options.csv``
(commit 293e3937): 72 rows, Exploitation x Exposure x Automatable x Human Impact -> Priority.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mamori.gate.deps.epss import EpssScores
from mamori.gate.deps.kev import sample_kev
from mamori.gate.deps.model import Vulnerability, VulnId
from mamori.gate.deps.risk import (
    DEPLOYER,
    Automatable,
    Context,
    Exploitation,
    Exposure,
    HumanImpact,
    Priority,
    RiskContext,
    assess_risk,
    context_from_inventory,
    deployer_decision,
    find_by_image,
    find_resources,
)
from mamori.model.resource import Inventory, Resource

CSV = Path(__file__).parent / "fixtures" / "ssvc-deployer-options.csv"
ROWS = list(csv.DictReader(CSV.open()))
_EXPL = {"none": Exploitation.NONE, "PoC": Exploitation.POC, "active": Exploitation.ACTIVE}
LOG4SHELL = Vulnerability(VulnId("GHSA-jfh8-c2jp-5v3q"), ("CVE-2021-44228",), "", None, 10.0,
                          ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",))  # fmt: skip
LOCAL = Vulnerability(VulnId("GHSA-aaaa-bbbb-cccc"), ("CVE-2020-0001",), "", None, 7.8,
                      ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",))  # fmt: skip


def test_the_table_has_every_combination_once() -> None:
    assert len(ROWS) == 72 == len(DEPLOYER)


@pytest.mark.parametrize("row", ROWS, ids=[r["row"] for r in ROWS])
def test_deployer_table_row(row: dict[str, str]) -> None:
    got = deployer_decision(_EXPL[row["Exploitation"]], Exposure(row["Exposure"]), Automatable(row["Automatable"]),
                            HumanImpact(row["Human Impact"]))  # fmt: skip
    assert got is Priority(row["Priority"])


def _factor(risk, name):  # type: ignore[no-untyped-def]
    return next(f for f in risk.factors if f.factor == name)


def test_missing_context_takes_the_cautious_default_and_says_so() -> None:
    risk = assess_risk(LOG4SHELL, RiskContext(kev=sample_kev()))
    assert risk.decision == "immediate"  # active, open*, automatable, very high*
    exp = _factor(risk, "exploitation")
    assert exp.value == "active" and exp.source.startswith("CISA KEV") and exp.date == "2021-12-10" and not exp.default
    assert _factor(risk, "exposure").default and _factor(risk, "exposure").value == "open"
    assert _factor(risk, "human-impact").default and _factor(risk, "human-impact").value == "very high"
    assert _factor(risk, "automatable").value == "yes" and not _factor(risk, "automatable").default


def test_no_kev_catalogue_never_means_no_exploitation() -> None:
    f = _factor(assess_risk(LOCAL, RiskContext()), "exploitation")
    assert f.value == "public-poc" and f.default and "KEV" in f.note
    f = _factor(assess_risk(LOCAL, RiskContext(kev=sample_kev())), "exploitation")
    assert f.value == "none" and not f.default


def test_public_exploit_reference_is_poc() -> None:
    v = Vulnerability(VulnId("GHSA-x"), ("CVE-2020-0002",), exploits=("https://www.exploit-db.com/exploits/1",))
    assert _factor(assess_risk(v, RiskContext(kev=sample_kev())), "exploitation").value == "public-poc"


def test_automatable_from_the_cvss_vector() -> None:
    assert _factor(assess_risk(LOCAL, RiskContext()), "automatable").value == "no"
    nov = Vulnerability(VulnId("GHSA-y"))
    f = _factor(assess_risk(nov, RiskContext()), "automatable")
    assert f.value == "yes" and f.default


def test_epss_is_evidence_with_its_date() -> None:
    epss = EpssScores({"CVE-2021-44228": (0.94358, 0.99971)}, "v2025.03.14", "2026-12-06T00:00:00Z")
    with_epss = assess_risk(LOG4SHELL, RiskContext(kev=sample_kev(), epss=epss))
    f = _factor(with_epss, "epss")
    assert f.value.startswith("0.94358") and f.date == "2026-12-06"
    assert with_epss.decision == assess_risk(LOG4SHELL, RiskContext(kev=sample_kev())).decision


def test_context_lowers_only_when_known() -> None:
    ctx = RiskContext(kev=sample_kev(), exposure=Context("small", "inventory s.json", "2026-12-01"),
                      impact=Context("low", "tag data-classification=public on web", "2026-12-01"))  # fmt: skip
    risk = assess_risk(LOG4SHELL, ctx)
    assert risk.decision == "scheduled"  # active, small, yes, low
    env = _factor(risk, "cvss-environmental")
    assert "MAV:L" in env.source and "CR:L" in env.source and float(env.value) < 10.0


NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _inv() -> Inventory:
    def res(rtype: str, rid: str, props: dict, tags: dict | None = None, name: str = "") -> Resource:  # type: ignore[type-arg]
        return Resource("aws", "111111111111", "eu-west-1", rtype, rid, f"arn:{rid}", name or rid, tags or {}, props)

    return Inventory([
        res("aws.lambda.function", "fn-open", {"url": "https://x.lambda-url", "url_auth_type": "NONE",
                                               "image_uri": "1.dkr.ecr/app@sha256:abc"},
            {"data-classification": "confidential"}),
        res("aws.lambda.function", "fn-iam", {"url": "https://y", "url_auth_type": "AWS_IAM"},
            {"DataClassification": "public"}),
        res("aws.ec2.instance", "i-1", {"public_ip": "1.2.3.4", "security_group_ids": ["sg-world"]}),
        res("aws.ec2.instance", "i-2", {"public_ip": "1.2.3.5", "security_group_ids": ["sg-closed"]}),
        res("aws.ec2.instance", "i-3", {"public_ip": "", "security_group_ids": []}),
        res("aws.ec2.security_group", "sg-world", {"ingress": [{"open_to_world": True}]}),
        res("aws.ec2.security_group", "sg-closed", {"ingress": [{"open_to_world": False}]}),
        res("aws.elb.load_balancer", "lb-pub", {"scheme": "internet-facing"}),
        res("aws.elb.load_balancer", "lb-int", {"scheme": "internal"}),
    ], collected_at=NOW, source="snapshot:s.json")  # fmt: skip


@pytest.mark.parametrize(("ref", "exposure"), [
    ("fn-open", "open"), ("fn-iam", "controlled"), ("i-1", "open"), ("i-2", "controlled"),
    ("i-3", "controlled"), ("lb-pub", "open"), ("lb-int", "controlled"),
])  # fmt: skip
def test_exposure_from_the_inventory(ref: str, exposure: str) -> None:
    inv = _inv()
    exp, _ = context_from_inventory(inv, find_resources(inv, [ref]), "s.json")
    assert exp is not None and exp.value == exposure and exp.date == "2026-12-01"


def test_impact_from_the_classification_tag_and_image_digest_lookup() -> None:
    inv = _inv()
    assert [r.id for r in find_by_image(inv, "sha256:abc")] == ["fn-open"]
    _, imp = context_from_inventory(inv, find_resources(inv, ["fn-open", "fn-iam"]), "s.json")
    assert imp is not None and imp.value == "high" and "confidential" in imp.source  # the highest wins
    _, imp = context_from_inventory(inv, find_resources(inv, ["i-1"]), "s.json")
    assert imp is None  # untagged: the default applies later, shown as such


EXAMPLE = Path(__file__).parents[3] / "examples" / "deps"


@pytest.mark.parametrize(("runs_on", "log4shell", "exposure", "impact"), [
    ("payments-api", "immediate", "open", "high"), ("payments-batch", "out-of-cycle", "controlled", "medium"),
])  # fmt: skip
def test_the_example_explains_its_decision(runs_on: str, log4shell: str, exposure: str, impact: str) -> None:
    from mamori.gate.deps.service import DepsRequest, run_gate

    report = run_gate(DepsRequest(EXAMPLE, NOW, sample_data=True, record=False,
                                  inventory_path=EXAMPLE / "inventory.json", runs_on=(runs_on,))).report  # fmt: skip
    v = next(d.vulnerability for p in report.packages for d in p.vulns if d.vulnerability.id == "GHSA-jfh8-c2jp-5v3q")
    assert v.risk is not None and v.risk.decision == log4shell
    f = {x.factor: x for x in v.risk.factors}
    assert f["exposure"].value == exposure and f["exposure"].source == "inventory inventory.json"
    assert f["human-impact"].value == impact and not f["human-impact"].default
    assert f["exposure"].date == "2026-12-01"


def test_an_unknown_runs_on_is_a_notice_and_the_cautious_default() -> None:
    from mamori.gate.deps.service import DepsRequest, run_gate

    report = run_gate(DepsRequest(EXAMPLE, NOW, sample_data=True, record=False,
                                  inventory_path=EXAMPLE / "inventory.json", runs_on=("nope",))).report  # fmt: skip
    assert any("--runs-on nope: not in the inventory" in n.message for n in report.notices)
    v = report.packages[0].vulns[0].vulnerability
    assert v.risk is not None and all(x.default for x in v.risk.factors if x.factor in ("exposure", "human-impact"))
