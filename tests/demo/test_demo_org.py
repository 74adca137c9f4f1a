"""The demo's organization scanned with `--org` (in-process): the closed member skipped, the planted
violations of the active members found, the org-level rules failing."""

from __future__ import annotations

import boto3

from mamori.collect.aws.org import list_org_accounts
from mamori.collect.aws.session import AwsTarget
from mamori.demo.estate import DEMO_ACCOUNT, DEMO_REGIONS, SeedEnv, fake_credentials, seed_estate
from mamori.demo.seeds.organizations import MEMBERS, SUSPENDED_MEMBERS
from mamori.model.resources.organizations import ORGANIZATION
from mamori.rules import load_rules
from mamori.scan.org import OrgScanRequest, scan_org

from ..collect.isolated import isolated_aws


def test_scan_org_on_the_demo_organization() -> None:
    with fake_credentials(), isolated_aws():
        session = boto3.Session(region_name=DEMO_REGIONS[0])
        seed_estate(SeedEnv(session=session, endpoint_url=None))
        caller = boto3.Session(region_name="us-east-1")
        plan = list_org_accounts(caller, base=AwsTarget(regions=DEMO_REGIONS, workers=4))
        assert plan.caller_account_id == DEMO_ACCOUNT == plan.management_account_id
        assert len(plan.targets) == 1 + len(MEMBERS)
        [skipped] = plan.skipped
        assert (skipped.name, skipped.status) == (next(iter(SUSPENDED_MEMBERS)), "SUSPENDED")
        res = scan_org(OrgScanRequest(plan, load_rules(), session=caller, services=("s3", "ec2", "guardduty", "config", "cloudtrail")))
    members = set(plan.target_accounts) - {DEMO_ACCOUNT}
    ssh = {f.account for f in res.findings if f.rule_id == "ec2_security_group_admin_port_open_ipv4"}
    assert members <= ssh
    org = {r.rule_id: r.status.value for r in res.outcome.evaluation.results if r.resource_type == ORGANIZATION}
    assert org == {
        "organizations_security_services_delegated_admin": "FAIL",  # no delegated administrator at all
        "organizations_trail_missing": "FAIL",
        "organizations_guardduty_not_covering_accounts": "FAIL",
        "organizations_config_not_covering_accounts": "FAIL",
    }
    assert not res.failed_accounts
