"""Cloud platforms other than AWS: Google Cloud, Azure, DigitalOcean, Heroku, Alibaba, Databricks, HashiCorp."""

from __future__ import annotations

from mamori.gate.secrets.detectors._base import B, E, define
from mamori.gate.secrets.model import Category
from mamori.model.finding import Severity

_C = Category.CLOUD
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

define(
    "google-api-key",
    "Google API key",
    B + r"(?P<secret>AIza[A-Za-z0-9_\-]{35})" + E,
    ("aiza",),
    category=_C,
)
define(
    "gcp-service-account-key",
    "Google Cloud service-account private key (JSON key file)",
    r"\"private_key\"\s*:\s*\"-----BEGIN (?:RSA )?PRIVATE KEY-----(?:\\r)?\\n(?P<secret>[A-Za-z0-9+/=]{40,}(?:(?:\\r)?\\n[A-Za-z0-9+/=]+)*)",
    ('"private_key"',),
    category=_C,
    severity=Severity.CRITICAL,
    supersedes=("private-key-pkcs8", "private-key-rsa", "generic-secret"),
)
define(
    "google-oauth-client-secret",
    "Google OAuth client secret",
    B + r"(?P<secret>GOCSPX-[A-Za-z0-9_\-]{28})" + E,
    ("gocspx-",),
    category=_C,
)
define(
    "azure-storage-account-key",
    "Azure storage account key (connection string)",
    r"(?i)AccountKey\s*=\s*(?P<secret>(?-i:[A-Za-z0-9+/]{86}==))",
    ("accountkey",),
    category=_C,
    severity=Severity.CRITICAL,
    supersedes=("generic-secret",),
)
define(
    "azure-shared-access-key",
    "Azure Service Bus / Event Hubs / IoT shared access key (connection string)",
    r"(?i)SharedAccessKey\s*=\s*(?P<secret>(?-i:[A-Za-z0-9+/]{42,43}=))",
    ("sharedaccesskey",),
    category=_C,
    supersedes=("generic-secret",),
)
define(
    "azure-sas-token",
    "Azure shared access signature (SAS) URL",
    r"(?i)[?&]sv=[0-9]{4}-[0-9]{2}-[0-9]{2}[^\s\"'<>]*?&sig=(?P<secret>[A-Za-z0-9%+/=]{40,})",
    ("sig=",),
    category=_C,
)
define(
    "azure-ad-client-secret",
    "Azure AD (Entra ID) client secret",
    r"(?<![A-Za-z0-9_~.\-])(?P<secret>[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.\-]{31,34})(?![A-Za-z0-9_~.\-])",
    ("q~",),
    category=_C,
    supersedes=("generic-secret",),
)
define(
    "digitalocean-token",
    "DigitalOcean personal access, OAuth or refresh token",
    B + r"(?P<secret>do[por]_v1_[a-f0-9]{64})" + E,
    ("dop_v1_", "doo_v1_", "dor_v1_"),
    category=_C,
)
define(
    "heroku-api-key",
    "Heroku API key",
    r"(?i)heroku[\w.\-]{0,30}?(?:api)?[_\-]?(?:key|token|secret)?[\"']?\s*(?::=|=>|=|:)\s*[\"']?(?P<secret>" + _UUID + r")\b"
    r"|" + B + r"(?P<hrku>HRKU-[A-Za-z0-9_\-]{60})" + E,
    ("heroku", "hrku-"),
    category=_C,
    supersedes=("generic-secret",),
)
define(
    "alibaba-access-key-id",
    "Alibaba Cloud AccessKey id",
    r"(?<![A-Za-z0-9])(?P<secret>LTAI[A-Za-z0-9]{20})(?![A-Za-z0-9])",
    ("ltai",),
    category=_C,
)
define(
    "databricks-token",
    "Databricks personal access token",
    B + r"(?P<secret>dapi[a-f0-9]{32}(?:-[0-9])?)" + E,
    ("dapi",),
    category=_C,
)
define(
    "vault-token",
    "HashiCorp Vault service or batch token",
    B + r"(?P<secret>hv[sb]\.[A-Za-z0-9_\-]{90,250})" + E,
    ("hvs.", "hvb."),
    category=_C,
    severity=Severity.CRITICAL,
)
define(
    "terraform-cloud-token",
    "Terraform Cloud / Enterprise API token",
    B + r"(?P<secret>[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_\-=]{60,70})" + E,
    (".atlasv1.",),
    category=_C,
)
define(
    "doppler-token",
    "Doppler service token",
    B + r"(?P<secret>dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44})" + E,
    ("dp.pt.", "dp.st.", "dp.sa.", "dp.ct."),
    category=_C,
)
define(
    "pulumi-token",
    "Pulumi access token",
    B + r"(?P<secret>pul-[a-f0-9]{40})" + E,
    ("pul-",),
    category=_C,
)
define(
    "cloudflare-origin-ca-key",
    "Cloudflare Origin CA key",
    B + r"(?P<secret>v1\.0-[a-f0-9]{24}-[a-f0-9]{146})" + E,
    ("v1.0-",),
    category=_C,
)
