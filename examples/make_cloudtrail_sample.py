"""Regenerate examples/AWSLogs (run from examples/): one morning in the demo's prod account, as CloudTrail delivers it."""
import gzip, json, uuid, random
from pathlib import Path
random.seed(13)
ACCT = "123456789012"
KEY = "AKIAIOSFODNN7EXAMPLE"   # AWS's documented example key id: the ci-deployer's key in this story
def ident(user, key=KEY, mfa=False):
    return {"type": "IAMUser", "principalId": "AIDA" + user.upper().replace("-", "")[:12].ljust(12, "X") + "EXAMPLE"[:5],
            "arn": f"arn:aws:iam::{ACCT}:user/{user}", "accountId": ACCT, "accessKeyId": key, "userName": user,
            "sessionContext": {"attributes": {"creationDate": "2026-12-01T08:00:00Z", "mfaAuthenticated": str(mfa).lower()}}}
ROOT = {"type": "Root", "principalId": ACCT, "arn": f"arn:aws:iam::{ACCT}:root", "accountId": ACCT}
def rec(t, src, name, who, ip, region="us-east-1", req=None, resp=None, ro=False, err=None, ua="aws-cli/2.15.30 Python/3.11.8 Linux/6.1", extra=None):
    r = {"eventVersion": "1.09", "userIdentity": who, "eventTime": t, "eventSource": src, "eventName": name,
         "awsRegion": region, "sourceIPAddress": ip, "userAgent": ua, "requestParameters": req, "responseElements": resp,
         "requestID": str(uuid.UUID(int=random.getrandbits(128))), "eventID": str(uuid.UUID(int=random.getrandbits(128))),
         "readOnly": ro, "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": ACCT, "eventCategory": "Management"}
    if err:
        r["errorCode"], r["errorMessage"] = err, f"User: {who['arn']} is not authorized to perform: {src.split('.')[0]}:{name}"
    if extra:
        r.update(extra)
    return r
ci = ident("ci-deployer")
OFFICE, CI, ODD = "203.0.113.10", "198.51.100.23", "185.220.101.45"
batches = {
 "0905": [
  rec("2026-12-01T09:01:12Z", "sts.amazonaws.com", "GetCallerIdentity", ci, CI, ro=True),
  rec("2026-12-01T09:01:40Z", "s3.amazonaws.com", "ListBuckets", ci, CI, ro=True),
  rec("2026-12-01T09:02:05Z", "ec2.amazonaws.com", "DescribeInstances", ci, CI, ro=True),
  rec("2026-12-01T09:03:30Z", "lambda.amazonaws.com", "UpdateFunctionCode20150331v2", ci, CI, req={"functionName": "stripe-webhook"}),
 ],
 "0935": [
  rec("2026-12-01T09:31:02Z", "sts.amazonaws.com", "GetCallerIdentity", ci, ODD, ua="python-requests/2.31", ro=True),
  rec("2026-12-01T09:31:15Z", "iam.amazonaws.com", "ListUsers", ci, ODD, ua="python-requests/2.31", ro=True, err="AccessDenied"),
  rec("2026-12-01T09:31:20Z", "iam.amazonaws.com", "CreateAccessKey", ci, ODD, ua="python-requests/2.31",
      req={"userName": "admin-bob"}, resp={"accessKey": {"accessKeyId": "AKIAI44QH8DHBEXAMPLE", "userName": "admin-bob", "status": "Active", "createDate": "Dec 1, 2026 9:31:20 AM"}}),
  rec("2026-12-01T09:32:01Z", "cloudtrail.amazonaws.com", "StopLogging", ci, ODD, ua="python-requests/2.31",
      req={"name": f"arn:aws:cloudtrail:us-east-1:{ACCT}:trail/acme-org-trail"}),
  rec("2026-12-01T09:32:40Z", "guardduty.amazonaws.com", "UpdateDetector", ci, ODD, ua="python-requests/2.31",
      req={"detectorId": "4ab3c7e0d1f2a3b4c5d6e7f8a9b0c1d2", "enable": False}),
  rec("2026-12-01T09:33:10Z", "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", ci, ODD, region="ap-northeast-1", ua="python-requests/2.31",
      req={"groupId": "sg-0a1b2c3d4e5f60718", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}),
 ],
 "1005": [
  rec("2026-12-01T10:02:11Z", "signin.amazonaws.com", "ConsoleLogin", ROOT, OFFICE, ua="Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1)",
      resp={"ConsoleLogin": "Success"}, extra={"additionalEventData": {"MFAUsed": "No", "LoginTo": "https://console.aws.amazon.com/"}, "eventType": "AwsConsoleSignIn"}),
  rec("2026-12-01T10:04:45Z", "cloudtrail.amazonaws.com", "StartLogging", ROOT, OFFICE, ua="AWS Internal",
      req={"name": f"arn:aws:cloudtrail:us-east-1:{ACCT}:trail/acme-org-trail"}),
  rec("2026-12-01T10:06:30Z", "iam.amazonaws.com", "UpdateAccessKey", ROOT, OFFICE, ua="AWS Internal",
      req={"userName": "ci-deployer", "accessKeyId": KEY, "status": "Inactive"}),
 ],
}
for hhmm, recs in batches.items():
    d = Path("AWSLogs") / ACCT / "CloudTrail" / "us-east-1" / "2026" / "12" / "01"
    d.mkdir(parents=True, exist_ok=True)
    name = f"{ACCT}_CloudTrail_us-east-1_20261201T{hhmm}Z_{uuid.UUID(int=random.getrandbits(128)).hex[:16]}.json.gz"
    with gzip.GzipFile(d / name, "wb", mtime=0) as f:
        f.write(json.dumps({"Records": recs}, indent=None).encode())
print("ok")
