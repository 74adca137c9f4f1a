"""Amazon Web Services credentials."""

from __future__ import annotations

from mamori.gate.secrets.detectors._base import define
from mamori.gate.secrets.model import Category
from mamori.model.finding import Severity

_C = Category.CLOUD
_EDGE_L = r"(?<![A-Za-z0-9])"
_EDGE_R = r"(?![A-Za-z0-9])"

define(
    "aws-access-key-id",
    "AWS access key id",
    _EDGE_L + r"(?P<secret>(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16})" + _EDGE_R,
    ("akia", "asia", "abia", "acca", "a3t"),
    category=_C,
    severity=Severity.CRITICAL,
    description="Long-term (AKIA) or temporary (ASIA) access key id; pair it with a secret key and it signs requests.",
)
define(
    "aws-iam-unique-id",
    "AWS IAM unique id (user, role, group, policy, instance profile)",
    _EDGE_L + r"(?P<secret>(?:AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16})" + _EDGE_R,
    ("agpa", "aida", "aroa", "aipa", "anpa", "anva"),
    category=_C,
    severity=Severity.LOW,
    description="Not a credential by itself, but it maps your account's principals.",
)
define(
    "aws-secret-access-key",
    "AWS secret access key",
    r"(?i)(?:aws_?secret_?(?:access_?)?key|secret_?access_?key|aws_?secret)[\"']?\s*(?::=|=>|=|:|,)\s*[\"']?"
    r"(?P<secret>(?-i:[A-Za-z0-9/+=]{40}))(?![A-Za-z0-9/+=])",
    ("secret_access_key", "secretaccesskey", "secret-access-key", "aws_secret", "awssecret", "aws-secret"),
    category=_C,
    severity=Severity.CRITICAL,
    min_entropy=3.5,
    supersedes=("generic-secret",),
    description="The secret half of an access key, next to a name that says so.",
)
define(
    "aws-session-token",
    "AWS session token",
    r"(?i)(?:aws_?session_?token|session_?token|security_?token|x-amz-security-token)[\"']?\s*(?::=|=>|=|:|,)\s*[\"']?"
    r"(?P<secret>(?-i:[A-Za-z0-9/+=]{100,}))",
    ("session_token", "sessiontoken", "security_token", "securitytoken", "security-token"),
    category=_C,
    severity=Severity.HIGH,
    min_entropy=4.0,
    supersedes=("generic-secret",),
)
define(
    "aws-mws-auth-token",
    "Amazon MWS auth token",
    r"(?P<secret>amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",
    ("amzn.mws.",),
    category=_C,
)
