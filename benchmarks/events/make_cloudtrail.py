"""Generate a realistic CloudTrail corpus with attack sequences hidden in normal traffic.

    python benchmarks/events/make_cloudtrail.py --events 200000 --seed 7 --out benchmarks/out/events/corpus

Deterministic for a seed. Writes the S3 archive layout
(``AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<time>_<id>.json.gz``)
and ``truth.json`` beside it with the known answers. Normal traffic is read-mostly API use
by IAM users and assumed roles (with the odd AccessDenied, console sign-ins with MFA, AWS
service events); it triggers no detection. Hidden in it:

* a leaked access key of ``ci-deployer`` used from one foreign address: recon calls, a burst
  of AccessDenied, then CreateAccessKey for ``admin-bob`` (a backdoor) and use of the new key
* ``StopLogging`` twice by the role ``ops-automation`` (two sessions), 40 minutes apart
* a root console sign-in without MFA, then root API calls
* a burst of failed console sign-ins for ``alice``
* one event for every other detection (security group open to the world, public bucket
  policy, versioning suspended, GuardDuty deleted, Config stopped, ...)

Import it (``generate``, ``write_archive``) to build small corpora in tests.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

import orjson

ACCOUNTS = ("111122223333", "444455556666")
REGIONS = ("ap-northeast-1", "us-east-1")
OFFICE_IPS = ("133.1.1.10", "133.1.1.11", "133.1.1.12")
ATTACKER_IP = "8.8.4.4"
ROOT_IP = "1.0.16.5"
USERS = ("alice", "bob", "carol", "dave", "erin", "ci-deployer", "admin-bob")
ROLES = ("ops-automation", "app-backend", "data-pipeline", "reporting")
AGENT_CLI = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.amzn.2023"
AGENT_SDK = "Boto3/1.34.60 md/Botocore#1.34.60 ua/2.0 os/linux#6.1 lang/python#3.11.8"
AGENT_CONSOLE = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36"

READS = (
    ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
    ("ec2.amazonaws.com", "DescribeSecurityGroups", {"securityGroupSet": {}}),
    ("ec2.amazonaws.com", "DescribeVpcs", {"vpcSet": {}}),
    ("s3.amazonaws.com", "ListBuckets", {"Host": "s3.amazonaws.com"}),
    ("s3.amazonaws.com", "GetBucketLocation", {"location": "", "bucketName": "app-data"}),
    ("s3.amazonaws.com", "GetBucketPolicy", {"policy": "", "bucketName": "app-data"}),
    ("iam.amazonaws.com", "ListUsers", None),
    ("iam.amazonaws.com", "ListRoles", None),
    ("iam.amazonaws.com", "GetRole", {"roleName": "app-backend"}),
    ("sts.amazonaws.com", "GetCallerIdentity", None),
    ("kms.amazonaws.com", "Decrypt", {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}),
    ("kms.amazonaws.com", "GenerateDataKey", {"keySpec": "AES_256"}),
    ("lambda.amazonaws.com", "ListFunctions20150331", None),
    ("cloudtrail.amazonaws.com", "DescribeTrails", {"includeShadowTrails": False}),
    ("cloudtrail.amazonaws.com", "GetTrailStatus", {"name": "org-trail"}),
    ("logs.amazonaws.com", "DescribeLogGroups", None),
    ("ssm.amazonaws.com", "GetParameter", {"name": "/app/db-host", "withDecryption": False}),
    ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "orders"}),
    ("monitoring.amazonaws.com", "GetMetricData", None),
    ("secretsmanager.amazonaws.com", "GetSecretValue", {"secretId": "app/db"}),
    ("ecr.amazonaws.com", "GetAuthorizationToken", None),
)
WRITES = (
    ("ec2.amazonaws.com", "RunInstances", {"instanceType": "t3.micro", "minCount": 1, "maxCount": 1}),
    ("ec2.amazonaws.com", "CreateTags", {"resourcesSet": {"items": [{"resourceId": "i-0abc"}]}}),
    ("s3.amazonaws.com", "PutBucketTagging", {"bucketName": "app-data", "tagging": ""}),
    ("logs.amazonaws.com", "CreateLogStream", {"logGroupName": "/app", "logStreamName": "x"}),
    ("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", {"functionName": "api"}),
    ("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", {
        "groupId": "sg-0internal", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 443, "toPort": 443,
        "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}]}, "ipv6Ranges": {}, "groups": {}, "prefixListIds": {}}]}}),
)  # fmt: skip


@dataclass
class Corpus:
    records: list[dict[str, Any]]
    truth: dict[str, Any] = field(default_factory=dict)


def _key_id(r: Random, prefix: str) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return prefix + "".join(r.choice(alphabet) for _ in range(16))


def _ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class _Gen:
    def __init__(self, seed: int, start: datetime) -> None:
        self.r = Random(seed)
        self.start = start
        self.user_keys = {(a, u): _key_id(self.r, "AKIA") for a in ACCOUNTS for u in USERS}

    def uid(self) -> str:
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def user(self, account: str, name: str, key: str | None = None) -> dict[str, Any]:
        return {
            "type": "IAMUser", "principalId": "AIDA" + name.upper().replace("-", "")[:12].ljust(12, "X") + "EXAMPLE",
            "arn": f"arn:aws:iam::{account}:user/{name}", "accountId": account,
            "accessKeyId": key if key is not None else self.user_keys[(account, name)], "userName": name,
        }  # fmt: skip

    def role(self, account: str, name: str, session: str) -> dict[str, Any]:
        rid = "AROA" + name.upper().replace("-", "")[:12].ljust(12, "X") + "EXAMPLE"
        return {
            "type": "AssumedRole", "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{account}:assumed-role/{name}/{session}", "accountId": account,
            "accessKeyId": _key_id(self.r, "ASIA"),
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "principalId": rid, "arn": f"arn:aws:iam::{account}:role/{name}",
                                  "accountId": account, "userName": name},
                "attributes": {"creationDate": _ts(self.start), "mfaAuthenticated": "false"},
            },
        }  # fmt: skip

    def root(self, account: str) -> dict[str, Any]:
        return {"type": "Root", "principalId": account, "arn": f"arn:aws:iam::{account}:root", "accountId": account, "accessKeyId": ""}

    def event(
        self, t: datetime, ident: dict[str, Any], source: str, name: str, *, region: str, account: str, ip: str,
        params: Any = None, response: Any = None, error: str | None = None, agent: str = AGENT_CLI,
        read_only: bool | None = None, extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        rec: dict[str, Any] = {
            "eventVersion": "1.09", "userIdentity": ident, "eventTime": _ts(t), "eventSource": source,
            "eventName": name, "awsRegion": region, "sourceIPAddress": ip, "userAgent": agent,
            "requestParameters": params, "responseElements": response, "requestID": self.uid(),
            "eventID": self.uid(), "readOnly": read_only if read_only is not None else name.startswith(("Describe", "List", "Get")),
            "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": account,
            "eventCategory": "Management",
            "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": source},
        }  # fmt: skip
        if error:
            rec["errorCode"] = error
            rec["errorMessage"] = f"User: {ident.get('arn')} is not authorized to perform: {source.split('.')[0]}:{name}"
        if extra:
            rec.update(extra)
        return rec


def _normal(g: _Gen, t: datetime) -> dict[str, Any]:
    r = g.r
    account = r.choice(ACCOUNTS)
    region = r.choice(REGIONS)
    x = r.random()
    if x < 0.45:
        ident = g.role(account, r.choice(ROLES), f"i-{r.getrandbits(32):08x}")
        ip, agent = f"10.0.{r.randrange(256)}.{r.randrange(256)}", AGENT_SDK
    elif x < 0.93:
        ident = g.user(account, r.choice(USERS[:5]))
        ip, agent = r.choice(OFFICE_IPS), AGENT_CLI
    elif x < 0.97:
        svc = r.choice(("config.amazonaws.com", "cloudtrail.amazonaws.com", "autoscaling.amazonaws.com"))
        ident = {"type": "AWSService", "invokedBy": svc}
        return g.event(t, ident, "sts.amazonaws.com", "AssumeRole", region=region, account=account, ip=svc, agent=svc,
                       params={"roleArn": f"arn:aws:iam::{account}:role/aws-service-role", "roleSessionName": "svc"})
    elif x < 0.985:
        user = r.choice(USERS[:5])
        ident = g.user(account, user, key="")
        return g.event(t, ident, "signin.amazonaws.com", "ConsoleLogin", region="us-east-1", account=account,
                       ip=r.choice(OFFICE_IPS), agent=AGENT_CONSOLE, params=None, response={"ConsoleLogin": "Success"},
                       extra={"additionalEventData": {"MFAUsed": "Yes", "MobileVersion": "No",
                                                      "LoginTo": "https://console.aws.amazon.com/"}})
    else:
        # a service acting with root-type identity (must not count as root activity)
        ident = {"type": "Root", "principalId": account, "arn": f"arn:aws:iam::{account}:root", "accountId": account,
                 "invokedBy": "support.amazonaws.com"}
        return g.event(t, ident, "iam.amazonaws.com", "GetAccountSummary", region="us-east-1", account=account,
                       ip="support.amazonaws.com", agent="support.amazonaws.com")
    source, name, params = r.choice(READS) if r.random() < 0.85 else r.choice(WRITES)
    error = "AccessDenied" if r.random() < 0.004 else None
    return g.event(t, ident, source, name, region=region, account=account, ip=ip, agent=agent, params=params, error=error)


Scenario = Callable[[_Gen, datetime, dict[str, Any]], list[dict[str, Any]]]


def _leaked_key(g: _Gen, t: datetime, truth: dict[str, Any]) -> list[dict[str, Any]]:
    acct = ACCOUNTS[0]
    key = g.user_keys[(acct, "ci-deployer")]
    me = g.user(acct, "ci-deployer")
    out: list[dict[str, Any]] = []
    calls: Counter[tuple[str, str, bool]] = Counter()

    def call(dt: float, source: str, name: str, error: str | None = None, **kw: Any) -> dict[str, Any]:
        rec = g.event(t + timedelta(seconds=dt), me, source, name, region=kw.pop("region", "us-east-1"), account=acct,
                      ip=ATTACKER_IP, agent="python-requests/2.31", error=error, **kw)
        calls[(source, name, error is None)] += 1
        out.append(rec)
        return rec

    call(0, "sts.amazonaws.com", "GetCallerIdentity")
    call(5, "s3.amazonaws.com", "ListBuckets")
    call(9, "iam.amazonaws.com", "ListUsers")
    for i in range(24):  # the burst: enumerate what the key may do
        src, name = [("iam.amazonaws.com", "ListRoles"), ("ec2.amazonaws.com", "DescribeInstances"),
                     ("secretsmanager.amazonaws.com", "ListSecrets"), ("kms.amazonaws.com", "ListKeys")][i % 4]
        call(20 + i * 5, src, name, error="AccessDenied", region=REGIONS[i % 2])
    new_key = _key_id(g.r, "AKIA")
    created = call(200, "iam.amazonaws.com", "CreateAccessKey", params={"userName": "admin-bob"},
                   response={"accessKey": {"accessKeyId": new_key, "status": "Active", "userName": "admin-bob",
                                           "createDate": _ts(t)}}, read_only=False)
    backdoor = g.user(acct, "admin-bob", key=new_key)
    out.append(g.event(t + timedelta(seconds=260), backdoor, "s3.amazonaws.com", "ListBuckets", region="us-east-1",
                       account=acct, ip=ATTACKER_IP, agent="python-requests/2.31"))
    truth["leaked_key"] = {
        "access_key_id": key, "principal": me["arn"], "ip": ATTACKER_IP,
        "first_seen": _ts(t), "last_seen": _ts(t + timedelta(seconds=200)), "events": sum(calls.values()),
        "calls": {f"{s}:{n}": {"ok": calls[(s, n, True)], "failed": calls[(s, n, False)]}
                  for (s, n) in sorted({(s, n) for s, n, _ in calls})},
        "backdoor_key": new_key, "backdoor_event": created["eventID"],
    }  # fmt: skip
    truth.setdefault("expect", Counter()).update(
        {"access_denied_burst": 1, "iam_access_key_created_for_other_user": 1, "iam_access_key_created": 1}
    )
    return out


def _stop_logging_twice(g: _Gen, t: datetime, truth: dict[str, Any]) -> list[dict[str, Any]]:
    acct = ACCOUNTS[1]
    out = []
    for i, dt in enumerate((0, 2400)):
        ident = g.role(acct, "ops-automation", f"session-{i}")
        out.append(g.event(t + timedelta(seconds=dt), ident, "cloudtrail.amazonaws.com", "StopLogging", region="ap-northeast-1",
                           account=acct, ip="10.1.2.3", agent=AGENT_SDK, params={"name": "org-trail"}, read_only=False))
    truth["stop_logging"] = {"principal": f"arn:aws:iam::{acct}:role/ops-automation", "events": [e["eventID"] for e in out],
                             "account": acct, "region": "ap-northeast-1", "trail": "org-trail"}
    truth.setdefault("expect", Counter()).update({"cloudtrail_stop_logging": 2})
    return out


def _root_login(g: _Gen, t: datetime, truth: dict[str, Any]) -> list[dict[str, Any]]:
    acct = ACCOUNTS[0]
    ident = g.root(acct)
    out = [g.event(t, ident, "signin.amazonaws.com", "ConsoleLogin", region="us-east-1", account=acct, ip=ROOT_IP,
                   agent=AGENT_CONSOLE, response={"ConsoleLogin": "Success"},
                   extra={"additionalEventData": {"MFAUsed": "No", "MobileVersion": "No", "LoginTo": "https://console.aws.amazon.com/"}})]
    for i, (src, name) in enumerate((("iam.amazonaws.com", "ListUsers"), ("s3.amazonaws.com", "ListBuckets"),
                                      ("billing.amazonaws.com", "GetBillingData"))):
        out.append(g.event(t + timedelta(seconds=30 + 10 * i), ident, src, name, region="us-east-1", account=acct,
                           ip=ROOT_IP, agent=AGENT_CONSOLE))
    truth["root"] = {"account": acct, "events": len(out), "ip": ROOT_IP}
    truth.setdefault("expect", Counter()).update({"root_activity": len(out), "console_login_without_mfa": 1})
    return out


def _login_failures(g: _Gen, t: datetime, truth: dict[str, Any]) -> list[dict[str, Any]]:
    acct = ACCOUNTS[0]
    out = []
    for i in range(8):
        ident = {"type": "IAMUser", "principalId": "AIDAALICEXXXXXXXEXAMPLE", "accountId": acct, "accessKeyId": "", "userName": "alice",
                 "arn": f"arn:aws:iam::{acct}:user/alice"}
        out.append(g.event(t + timedelta(seconds=20 * i), ident, "signin.amazonaws.com", "ConsoleLogin", region="us-east-1",
                           account=acct, ip=f"45.{i}.3.9", agent=AGENT_CONSOLE, response={"ConsoleLogin": "Failure"},
                           extra={"errorMessage": "Failed authentication",
                                  "additionalEventData": {"MFAUsed": "No", "LoginTo": "https://console.aws.amazon.com/"}}))
    truth.setdefault("expect", Counter()).update({"console_login_failures_burst": 1})
    return out


ONE_OFFS: tuple[tuple[str, str, str, Any, Any], ...] = (
    ("cloudtrail_delete_trail", "cloudtrail.amazonaws.com", "DeleteTrail", {"name": "old-trail"}, None),
    ("cloudtrail_update_trail", "cloudtrail.amazonaws.com", "UpdateTrail", {"name": "org-trail", "isMultiRegionTrail": False}, None),
    ("cloudtrail_event_selectors_drop_management", "cloudtrail.amazonaws.com", "PutEventSelectors",
     {"trailName": "org-trail", "eventSelectors": [{"readWriteType": "All", "includeManagementEvents": False, "dataResources": []}]}, None),
    ("ec2_flow_logs_deleted", "ec2.amazonaws.com", "DeleteFlowLogs",
     {"DeleteFlowLogsRequest": {"FlowLogId": {"content": "fl-0123456789", "tag": 1}}}, None),
    ("guardduty_detector_disabled", "guardduty.amazonaws.com", "DeleteDetector", {"detectorId": "12abc34d567e8fa901bc2d34e56789f0"}, None),
    ("config_recorder_stopped", "config.amazonaws.com", "StopConfigurationRecorder", {"configurationRecorderName": "default"}, None),
    ("config_delivery_channel_deleted", "config.amazonaws.com", "DeleteDeliveryChannel", {"deliveryChannelName": "default"}, None),
    ("securityhub_findings_suppressed", "securityhub.amazonaws.com", "BatchUpdateFindings",
     {"FindingIdentifiers": [{"Id": "f-1", "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/guardduty"}],
      "Workflow": {"Status": "SUPPRESSED"}}, None),
    ("securityhub_disabled", "securityhub.amazonaws.com", "DisableSecurityHub", {}, None),
    ("ec2_security_group_open_to_world", "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress",
     {"groupId": "sg-0web", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
      "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}, "ipv6Ranges": {}, "groups": {}, "prefixListIds": {}}]}}, None),
    ("ec2_network_acl_allow_all", "ec2.amazonaws.com", "CreateNetworkAclEntry",
     {"networkAclId": "acl-0abc", "ruleNumber": 90, "egress": False, "ruleAction": "allow", "aclProtocol": "-1",
      "cidrBlock": "0.0.0.0/0"}, None),
    ("s3_bucket_policy_public", "s3.amazonaws.com", "PutBucketPolicy",
     {"bucketName": "app-public", "bucketPolicy": {"Version": "2012-10-17", "Statement": [
         {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::app-public/*"}]}}, None),
    ("s3_public_access_block_deleted", "s3.amazonaws.com", "DeleteBucketPublicAccessBlock", {"bucketName": "app-public", "publicAccessBlock": ""}, None),
    ("s3_bucket_versioning_suspended", "s3.amazonaws.com", "PutBucketVersioning",
     {"bucketName": "backups", "VersioningConfiguration": {"Status": "Suspended", "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/"}}, None),
    ("iam_admin_policy_attached", "iam.amazonaws.com", "AttachRolePolicy",
     {"roleName": "app-backend", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}, None),
    ("kms_key_deletion_scheduled", "kms.amazonaws.com", "ScheduleKeyDeletion",
     {"keyId": "arn:aws:kms:us-east-1:111122223333:key/1234abcd", "pendingWindowInDays": 7}, None),
)  # fmt: skip


def _one_offs(g: _Gen, t: datetime, truth: dict[str, Any]) -> list[dict[str, Any]]:
    acct = ACCOUNTS[1]
    out = []
    for i, (det, source, name, params, resp) in enumerate(ONE_OFFS):
        ident = g.user(acct, "dave")
        out.append(g.event(t + timedelta(minutes=7 * i), ident, source, name, region="us-east-1", account=acct,
                           ip=OFFICE_IPS[0], params=params, response=resp, read_only=False))
        truth.setdefault("expect", Counter())[det] += 1
    return out


SCENARIOS: tuple[tuple[float, Scenario], ...] = (
    (0.20, _leaked_key), (0.35, _stop_logging_twice), (0.50, _root_login), (0.65, _login_failures), (0.05, _one_offs),
)  # fmt: skip


def generate(n_events: int, seed: int = 7, *, start: datetime | None = None, hours: float | None = None) -> Corpus:
    """``n_events`` normal events spread over ``hours`` (default: ~12 events/s), plus the attacks."""
    start = start or datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    g = _Gen(seed, start)
    span = timedelta(hours=hours if hours is not None else max(2.0, n_events / 12 / 3600))
    step = span.total_seconds() / max(1, n_events)
    records = [_normal(g, start + timedelta(seconds=i * step)) for i in range(n_events)]
    truth: dict[str, Any] = {"normal_events": n_events, "seed": seed}
    for frac, scen in SCENARIOS:
        records.extend(scen(g, start + span * frac, truth))
    records.sort(key=lambda rec: rec["eventTime"])
    truth["expect"] = dict(sorted(truth["expect"].items()))
    truth["events"] = len(records)
    truth["denied_by_principal"] = dict(Counter(
        _principal(rec) for rec in records if rec.get("errorCode") == "AccessDenied"
    ).most_common())  # fmt: skip
    return Corpus(records, truth)


def _principal(rec: dict[str, Any]) -> str:
    ui = rec["userIdentity"]
    if ui.get("type") == "AssumedRole":
        return str(ui["sessionContext"]["sessionIssuer"]["arn"])
    return str(ui.get("arn", ""))


def _files(records: list[dict[str, Any]], minutes: int) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for rec in records:
        t = rec["eventTime"]
        bucket_min = int(t[14:16]) // minutes * minutes
        groups[(rec["recipientAccountId"], rec["awsRegion"], f"{t[:13]}:{bucket_min:02d}")].append(rec)
    for (acct, region, slot), recs in sorted(groups.items()):
        y, mo, d = slot[0:4], slot[5:7], slot[8:10]
        stamp = slot.replace("-", "").replace(":", "")
        tag = hashlib.sha1(f"{acct}/{region}/{slot}".encode()).hexdigest()[:16].upper()
        name = f"AWSLogs/{acct}/CloudTrail/{region}/{y}/{mo}/{d}/{acct}_CloudTrail_{region}_{stamp}Z_{tag}.json.gz"
        yield name, recs


def write_archive(records: list[dict[str, Any]], out: Path, *, minutes: int = 5, level: int = 6) -> list[Path]:
    """Write records in the S3 archive layout under ``out`` (one file per account/region/slot)."""
    paths = []
    for name, recs in _files(records, minutes):
        p = out / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(gzip.compress(orjson.dumps({"Records": recs}), compresslevel=level, mtime=0))
        paths.append(p)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/events/corpus"))
    ap.add_argument("--hours", type=float, default=None, help="Time span of the normal traffic (default: ~12 events/s).")
    ap.add_argument("--minutes", type=int, default=5, help="Minutes per file (per account and region).")
    args = ap.parse_args()
    t0 = time.perf_counter()
    corpus = generate(args.events, args.seed, hours=args.hours)
    files = write_archive(corpus.records, args.out, minutes=args.minutes)
    (args.out / "truth.json").write_text(json.dumps(corpus.truth, indent=2, default=str))
    print(f"{len(corpus.records)} events in {len(files)} files under {args.out} ({time.perf_counter() - t0:.1f}s)")


if __name__ == "__main__":
    main()
