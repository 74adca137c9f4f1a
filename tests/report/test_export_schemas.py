"""The ASFF and OCSF exports against their schemas' required fields, and ASFF through Security Hub (moto).

ASFF: Security Hub's required fields, botocore's model of BatchImportFindings (types,
required members) and the documented enumerations and limits; then moto's Security Hub
accepts every finding and returns it. OCSF 1.1 Detection Finding (class 2004): the
required attributes, the derived ids (type_uid = class_uid * 100 + activity_id), and
validation by py-ocsf-models' DetectionFinding.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from itertools import cycle

import boto3
import botocore.session
from botocore.validate import ParamValidator
from moto import mock_aws
from py_ocsf_models.events.findings.detection_finding import DetectionFinding

from mamori.hub.export.asff import RESOURCE_TYPES, RuleText, to_asff
from mamori.hub.export.ocsf import to_ocsf
from mamori.model import Finding, FindingStatus, Severity

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
ASFF_REQUIRED = ("SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "CreatedAt", "UpdatedAt", "Title", "Description", "Severity", "Types", "Resources")
TYPE_NAMESPACES = {"Software and Configuration Checks", "TTPs", "Effects", "Unusual Behaviors", "Sensitive Data Identifications"}
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def findings() -> list[Finding]:
    """Every severity, status, resource type (and an unmapped one), global and regional, three sources."""
    types = [*RESOURCE_TYPES, "aws.iam.root", "aws.guardduty.detector"]
    statuses, sevs = cycle(FindingStatus), cycle(Severity)
    sources = cycle(["mamori", "mamori", "guardduty", "inspector"])
    out = []
    for i, rtype in enumerate(types * 2):
        st = next(statuses)
        region = "global" if rtype.startswith("aws.iam") else ("ap-northeast-1" if i % 2 else "us-east-1")
        out.append(
            Finding(
                id=f"{i:024x}", rule_id=f"rule_{rtype.split('.')[-1]}", title=f"A {rtype} finding " + "x" * (300 if i == 3 else 0),
                severity=next(sevs), status=st, resource_type=rtype, resource_id=f"res-{i}",
                resource_arn="" if i % 5 == 0 else f"arn:aws:service:{region}:123456789012:res-{i}",
                account="123456789012" if i % 7 else "210987654321", region=region, evidence={"i": i, "nested": {"ok": True}},
                first_seen=T0, last_seen=T0 + timedelta(days=1), resolved_at=T0 + timedelta(days=2) if st is FindingStatus.RESOLVED else None,
                source=next(sources),
            )
        )  # fmt: skip
    return out


def asff_docs() -> list[dict]:  # type: ignore[type-arg]
    text = RuleText("Why it matters. " * 100, "How to fix it. " * 60, "https://docs.example.com/rule", {"baseline": ["4.1"], "fsbp": ["EC2.3"]})
    return [to_asff(f, rule=text, owner="sre", due_at=T0 + timedelta(days=30)) for f in findings()]


def test_asff_required_fields_enumerations_and_limits() -> None:
    for d in asff_docs():
        assert all(d.get(k) for k in ASFF_REQUIRED), [k for k in ASFF_REQUIRED if not d.get(k)]
        assert d["SchemaVersion"] == "2018-10-08" and len(d["Id"]) <= 512 and len(d["GeneratorId"]) <= 512
        assert re.fullmatch(r"\d{12}", d["AwsAccountId"])
        assert re.fullmatch(rf"arn:aws:securityhub:[a-z0-9-]+:{d['AwsAccountId']}:product/{d['AwsAccountId']}/default", d["ProductArn"])
        assert all(TS.match(d[k]) for k in ("CreatedAt", "UpdatedAt", "FirstObservedAt", "LastObservedAt"))
        assert d["UpdatedAt"] >= d["CreatedAt"]
        assert d["Severity"]["Label"] in {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
        assert len(d["Title"]) <= 256 and len(d["Description"]) <= 1024
        assert all(t.split("/")[0] in TYPE_NAMESPACES for t in d["Types"]) and 1 <= len(d["Types"]) <= 50
        assert 1 <= len(d["Resources"]) <= 32
        for r in d["Resources"]:
            assert r["Type"] in set(RESOURCE_TYPES.values()) | {"Other"} and r["Id"] and r["Region"] != "global"
            assert r["Type"] != "Other" or r["Details"]["Other"]
        assert d["Workflow"]["Status"] in {"NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"}
        assert d["RecordState"] in {"ACTIVE", "ARCHIVED"} and d["Compliance"]["Status"] in {"PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"}
        assert len(d["Remediation"]["Recommendation"]["Text"]) <= 512


def test_asff_matches_botocores_model_of_batch_import_findings() -> None:
    model = botocore.session.get_session().get_service_model("securityhub")
    shape = model.operation_model("BatchImportFindings").input_shape
    assert set(model.shape_for("AwsSecurityFinding").required_members) <= set(ASFF_REQUIRED)
    report = ParamValidator().validate({"Findings": asff_docs()}, shape)
    assert not report.has_errors(), report.generate_report()


@mock_aws
def test_asff_is_accepted_by_security_hub_batch_import_findings() -> None:
    client = boto3.client("securityhub", region_name="us-east-1")
    client.enable_security_hub()
    docs = asff_docs()
    for start in range(0, len(docs), 100):
        resp = client.batch_import_findings(Findings=docs[start : start + 100])
        assert resp["FailedCount"] == 0, resp["FailedFindings"]
        assert resp["SuccessCount"] == len(docs[start : start + 100])
    got, token = [], None
    while True:
        page = client.get_findings(MaxResults=100, **({"NextToken": token} if token else {}))
        got += page["Findings"]
        token = page.get("NextToken")
        if not token:
            break
    by_id = {g["Id"]: g for g in got}
    assert set(by_id) == {d["Id"] for d in docs}
    sample = by_id[docs[1]["Id"]]
    assert sample["Severity"]["Label"] == docs[1]["Severity"]["Label"] and sample["Resources"] == docs[1]["Resources"]


OCSF_REQUIRED = ("class_uid", "category_uid", "activity_id", "type_uid", "severity_id", "time", "metadata", "finding_info", "status_id", "cloud")


def test_ocsf_detection_finding_required_attributes() -> None:
    for f in findings():
        d = to_ocsf(f, owner="sre", due_at=T0)
        assert all(k in d for k in OCSF_REQUIRED)
        assert (d["class_uid"], d["category_uid"], d["class_name"], d["category_name"]) == (2004, 2, "Detection Finding", "Findings")
        assert d["type_uid"] == d["class_uid"] * 100 + d["activity_id"] and d["activity_id"] in (1, 2, 3)
        assert d["severity_id"] in range(0, 7) and d["status_id"] in (0, 1, 2, 3, 4, 99)
        assert isinstance(d["time"], int) and d["time"] == int(f.last_seen.timestamp() * 1000)
        assert d["metadata"]["product"]["name"] == "mamori" and d["metadata"]["product"]["vendor_name"]
        assert re.fullmatch(r"\d+\.\d+\.\d+", d["metadata"]["version"]) and "cloud" in d["metadata"]["profiles"]
        assert d["finding_info"]["uid"] == f.id and d["finding_info"]["title"] == f.title
        assert d["cloud"]["provider"] == "AWS" and d["cloud"]["account"]["uid"] == f.account
        assert (d["activity_id"] == 3) == (f.status is FindingStatus.RESOLVED)


def test_ocsf_validates_against_the_ocsf_models() -> None:
    for f in findings():
        m = DetectionFinding.model_validate(to_ocsf(f))
        assert int(m.type_uid) == 200400 + int(m.activity_id) and m.finding_info.uid == f.id
        assert m.cloud is not None and m.cloud.account is not None and int(m.cloud.account.type_id) == 10
