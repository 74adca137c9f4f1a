"""Software-as-a-service APIs: messaging, monitoring, collaboration, maps."""

from __future__ import annotations

from mamori.gate.secrets.detectors._base import B, E, define
from mamori.gate.secrets.model import Category

_C = Category.SAAS
_ASSIGN = r"[\"']?\s*(?::=|=>|=|:)\s*[\"']?"

define(
    "twilio-api-key",
    "Twilio API key (SK...)",
    r"(?<![A-Za-z0-9])(?P<secret>SK[0-9a-fA-F]{32})(?![A-Za-z0-9])",
    ("twilio",),
    category=_C,
    supersedes=("generic-secret",),
)
define(
    "twilio-auth-token",
    "Twilio auth token",
    r"(?i)twilio[\w.\-]{0,20}?auth[_\-]?token" + _ASSIGN + r"(?P<secret>[0-9a-f]{32})\b",
    ("twilio",),
    category=_C,
    supersedes=("generic-secret",),
)
define(
    "sendgrid-api-key",
    "SendGrid API key",
    B + r"(?P<secret>SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})" + E,
    ("sg.",),
    category=_C,
)
define(
    "mailgun-api-key",
    "Mailgun API key",
    B + r"(?P<secret>key-[0-9a-f]{32})" + E,
    ("key-",),
    category=_C,
)
define(
    "mailchimp-api-key",
    "Mailchimp API key",
    B + r"(?P<secret>[0-9a-f]{32}-us[0-9]{1,2})" + E,
    ("-us",),
    category=_C,
)
define(
    "atlassian-api-token",
    "Atlassian (Jira, Confluence, Bitbucket) API token",
    B + r"(?P<secret>ATATT3[A-Za-z0-9_\-=]{150,250})" + E,
    ("atatt3",),
    category=_C,
)
define(
    "datadog-api-key",
    "Datadog API key",
    r"(?i)(?:datadog|dd)[_\-]?api[_\-]?key" + _ASSIGN + r"(?P<secret>[a-f0-9]{32})\b",
    ("datadog", "dd_api", "dd-api", "ddapi"),
    category=_C,
    supersedes=("generic-secret",),
)
define(
    "datadog-app-key",
    "Datadog application key",
    r"(?i)(?:datadog|dd)[_\-]?app(?:lication)?[_\-]?key" + _ASSIGN + r"(?P<secret>[a-f0-9]{40})\b",
    ("datadog", "dd_app", "dd-app", "ddapp"),
    category=_C,
    supersedes=("generic-secret",),
)
define(
    "newrelic-api-key",
    "New Relic user API key",
    B + r"(?P<secret>NRAK-[A-Z0-9]{27})" + E,
    ("nrak-",),
    category=_C,
)
define(
    "postman-api-key",
    "Postman API key",
    B + r"(?P<secret>PMAK-[a-f0-9]{24}-[a-f0-9]{34})" + E,
    ("pmak-",),
    category=_C,
)
define(
    "sentry-auth-token",
    "Sentry auth token",
    B + r"(?P<secret>sntry[su]_[A-Za-z0-9+/=_]{40,})" + E,
    ("sntrys_", "sntryu_"),
    category=_C,
)
define(
    "grafana-token",
    "Grafana service-account or Cloud token",
    B + r"(?P<secret>(?:glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,400}={0,2}))" + E,
    ("glsa_", "glc_"),
    category=_C,
)
define(
    "linear-api-key",
    "Linear API key",
    B + r"(?P<secret>lin_api_[A-Za-z0-9]{40})" + E,
    ("lin_api_",),
    category=_C,
)
define(
    "mapbox-secret-token",
    "Mapbox secret token",
    B + r"(?P<secret>sk\.eyJ[A-Za-z0-9_\-]{20,}\.[A-Za-z0-9_\-]{20,})" + E,
    ("sk.eyj",),
    category=_C,
    supersedes=("jwt",),
)
define(
    "facebook-access-token",
    "Facebook / Meta access token",
    B + r"(?P<secret>EAA[A-Za-z0-9]{100,})" + E,
    ("eaa",),
    category=_C,
)
