"""`mamori gate iac` end to end through the real CLI: formats, exit codes, waivers, plan JSON, UNKNOWN."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from mamori.cli.main import cli as main
from mamori.collect.iac.cfn import load_template
from mamori.collect.iac.hclexpr import evaluate
from mamori.collect.iac.values import IacError, Unknown

EXAMPLES = Path(__file__).parents[3] / "examples" / "iac"


def run(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, ["gate", "iac", *args])
    return r.exit_code, r.output


def findings(*args: str) -> list[dict]:
    _code, out = run(*args, "-o", "json")
    return json.loads(out)["findings"]


def test_terraform_sample_fails_and_names_the_unknown_expression() -> None:
    code, _ = run(str(EXAMPLES / "terraform"))
    assert code == 1
    fs = {(f["rule_id"], f["address"]): f for f in findings(str(EXAMPLES / "terraform"))}
    assert fs[("ec2_security_group_admin_port_open_ipv4", "aws_security_group.ssh")]["status"] == "FAIL"
    unknown = fs[("sqs_queue_not_encrypted", "aws_sqs_queue.jobs")]
    assert unknown["status"] == "UNKNOWN" and "var.queue_sse" in unknown["expression"]
    assert fs[("s3_bucket_access_logging_off", "aws_s3_bucket.scratch")]["status"] == "SUPPRESSED"
    assert ("s3_bucket_versioning_off", "aws_s3_bucket.good") not in fs  # split resources apply to their bucket


def test_var_file_resolves_the_unknown() -> None:
    fs = findings(str(EXAMPLES / "terraform"), "--var-file", str(EXAMPLES / "terraform" / "prod.tfvars"), "--include-pass")
    q = [f for f in fs if f["rule_id"] == "sqs_queue_not_encrypted"]
    assert q[0]["status"] == "PASS"


def test_cloudformation_sample_and_fail_on() -> None:
    path = str(EXAMPLES / "cloudformation" / "stack.yaml")
    fs = {(f["rule_id"], f["address"]): f for f in findings(path)}
    assert fs[("rds_instance_public", "Db")]["status"] == "FAIL"
    assert fs[("rds_instance_public", "Db")]["line"] == 15
    assert fs[("sns_topic_not_encrypted", "Alerts")]["status"] == "UNKNOWN"
    assert fs[("rds_instance_iam_auth_off", "Db")]["status"] == "SUPPRESSED"
    assert ("dynamodb_table_deletion_protection_off", "Orders") not in fs  # Fn::If on a Condition
    assert run(path)[0] == 1
    assert run(path, "--fail-on", "critical")[0] == 1


def test_fail_on_above_every_fail_exits_0(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    assert run(str(tmp_path), "--fail-on", "high")[0] == 0
    assert run(str(tmp_path))[0] == 1


def test_expired_waiver_stops_working_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        '# mamori:ignore s3_bucket_versioning_off reason="old" expires=2020-01-01\n'
        'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n'
    )
    f = next(x for x in findings(str(tmp_path)) if x["rule_id"] == "s3_bucket_versioning_off")
    assert f["status"] == "FAIL" and "expired on 2020-01-01" in f["note"]


def test_sarif_has_locations(tmp_path: Path) -> None:
    _code, out = run(str(EXAMPLES / "cloudformation"), "-o", "sarif")
    doc = json.loads(out)
    assert doc["version"] == "2.1.0"
    loc = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].endswith("stack.yaml") and loc["region"]["startLine"] > 0


def test_unreadable_input_exits_2_naming_the_place(tmp_path: Path) -> None:
    (tmp_path / "bad.tf").write_text('resource "aws_s3_bucket" "b" {\n')
    code, out = run(str(tmp_path / "bad.tf"))
    assert code == 2 and "bad.tf:" in out
    (tmp_path / "t.yaml").write_text("Resources:\n  A: {Type: AWS::S3::Bucket}\n  A: {Type: AWS::S3::Bucket}\n")
    code, out = run(str(tmp_path / "t.yaml"))
    assert code == 2 and "t.yaml" in out


def test_plan_json_known_after_apply_is_unknown(tmp_path: Path) -> None:
    plan = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            {"address": "aws_sqs_queue.q", "mode": "managed", "type": "aws_sqs_queue", "name": "q",
             "values": {"name": "q", "sqs_managed_sse_enabled": None}},
            {"address": "aws_ebs_volume.v", "mode": "managed", "type": "aws_ebs_volume", "name": "v",
             "values": {"encrypted": False, "size": 8}},
        ]}},
        "resource_changes": [{"address": "aws_sqs_queue.q", "change": {"actions": ["create"], "after_unknown": {"sqs_managed_sse_enabled": True}}}],
    }  # fmt: skip
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    fs = {f["address"]: f for f in findings(str(tmp_path / "plan.json"))}
    assert fs["aws_ebs_volume.v"]["status"] == "FAIL"
    assert fs["aws_sqs_queue.q"]["status"] == "UNKNOWN" and "known after apply" in fs["aws_sqs_queue.q"]["expression"]


def test_rules_list_source_iac() -> None:
    r = CliRunner().invoke(main, ["rules", "list", "--source", "iac", "-o", "json"])
    ids = {x["id"] for x in json.loads(r.output)}
    assert "s3_bucket_versioning_off" in ids and "iam_root_mfa_disabled" not in ids


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_hcl_expressions_never_raise(text: str) -> None:
    v = evaluate(text, lambda root, steps, t: Unknown(t))
    assert v is not None or "null" in text or text.strip() == "" or True


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=300))
def test_templates_are_read_or_refused_with_input_error(tmp_path_factory: object, data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "t.yaml"
        p.write_bytes(b"Resources:\n" + data)
        with contextlib.suppress(IacError):
            load_template(p)


ODD_SHAPES = [
    'resource "a" {}', "resource {}", 'module "m" { source = 5 }', 'locals { a = local.a }',
    'resource "aws_s3_bucket" "b" { count = -1 }', 'resource "aws_s3_bucket" "b" { for_each = 5 }',
    'resource "aws_s3_bucket" "b" { bucket = aws_s3_bucket.b.bucket }',
    'resource "aws_security_group" "s" { ingress = 5 }', 'resource "aws_network_acl" "n" {\n ingress {\n rule_no = "x"\n }\n}',
    'resource "aws_cloudfront_distribution" "d" {\n origin = 5\n default_cache_behavior = [1]\n}',
    'resource "aws_iam_policy" "p" { policy = "[1]" }', 'module "m" {\n  source = "./"\n}',
]  # fmt: skip


def test_odd_shapes_are_unknown_or_read_never_a_crash(tmp_path: Path) -> None:
    from mamori.gate.iac.service import IacRequest, run_iac_gate

    for i, text in enumerate(ODD_SHAPES):
        d = tmp_path / str(i)
        d.mkdir()
        (d / "main.tf").write_text(text + "\n")
        report = run_iac_gate(IacRequest(d))
        assert all(f.status in ("FAIL", "UNKNOWN", "PASS") for f in report.findings)


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet='resourcvaiblmdul{}[]()="$ .,_\n#0123456789?:!', max_size=120))
def test_terraform_text_is_read_or_refused_with_input_error(text: str) -> None:
    import tempfile

    from mamori.collect.iac.terraform import load_tree

    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "main.tf").write_text(text)
        with contextlib.suppress(IacError):
            load_tree(Path(d))


def test_cloudformation_parameters_file_resolves_the_unknown(tmp_path: Path) -> None:
    params = tmp_path / "params.json"
    params.write_text(json.dumps([{"ParameterKey": "TopicKey", "ParameterValue": "alias/topics"}]))
    fs = findings(str(EXAMPLES / "cloudformation" / "stack.yaml"), "--var-file", str(params), "--include-pass")
    assert next(f for f in fs if f["rule_id"] == "sns_topic_not_encrypted")["status"] == "PASS"


def test_a_dynamic_block_is_unknown_never_absent(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_security_group" "s" {\n  dynamic "ingress" {\n    for_each = var.rules\n'
        "    content {\n      from_port = ingress.value\n    }\n  }\n}\n"
    )
    f = next(x for x in findings(str(tmp_path)) if x["rule_id"] == "ec2_security_group_admin_port_open_ipv4")
    assert f["status"] == "UNKNOWN" and 'dynamic "ingress"' in f["expression"]
