"""The server's sections of ``mamori.yaml``: ``account_groups:`` and ``server:``. All optional.

    account_groups:                        # a user with --accounts prod sees these accounts only
      prod: ["111111111111", "222222222222"]
      dev: ["333333333333"]
    server:
      cookie_secure: true                  # behind a TLS reverse proxy (default false: plain http on localhost)
      session_hours: 12
      secret_key_env: MAMORI_SECRET_KEY    # signs session cookies; default: a key kept in the store's folder
      oidc:                                # OpenID Connect single sign-on (docs/server.md)
        issuer: https://login.example.com/realms/acme
        client_id: mamori
        client_secret_env: MAMORI_OIDC_SECRET   # or client_secret: ... (prefer the env variable)
        group_claim: groups
        username_claim: preferred_username
        groups:                            # first matching group (highest role) wins
          sec-admins: {role: admin}
          dev-team: {role: analyst, accounts: dev}
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

_ACCOUNT = re.compile(r"^(?:\d{12}|[a-z][a-z0-9-]{4,28}[a-z0-9]|organizations/\d{1,20})$")
"""An AWS account id (12 digits), a GCP project id (6-30: lower-case letters, digits, hyphens) or a GCP organization."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OidcGroup(_Model):
    role: Literal["viewer", "analyst", "admin"]
    accounts: str | None = None  # an account group; none = every account


class OidcConfig(_Model):
    issuer: str
    client_id: str
    client_secret: str | None = None
    client_secret_env: str | None = None
    group_claim: str = "groups"
    username_claim: str = "preferred_username"
    scope: str = "openid email profile"
    groups: dict[str, OidcGroup] = Field(default_factory=dict)
    label: str = "Sign in with SSO"


class ServerConfig(_Model):
    cookie_secure: bool = False
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    secret_key_env: str = "MAMORI_SECRET_KEY"
    login_attempts: int = Field(default=5, ge=1, le=1000)  # failures per username+address ...
    login_window_s: int = Field(default=300, ge=1, le=86400)  # ... within this window -> 429
    oidc: OidcConfig | None = None


def check_account_groups(groups: object) -> object:
    """Account ids as strings (YAML reads an unquoted id as a number): 12-digit AWS ids or GCP project ids."""
    if not isinstance(groups, dict):
        return groups
    out: dict[object, object] = {}
    for name, accounts in groups.items():
        if not isinstance(accounts, list):
            out[name] = accounts
            continue
        accounts = [f"{a:012d}" if isinstance(a, int) and not isinstance(a, bool) else a for a in accounts]
        out[name] = accounts
        for a in accounts:
            if not _ACCOUNT.match(str(a)):
                raise ValueError(f"account group {name!r}: {a!r} is neither a 12-digit AWS account id nor a GCP project id")
    return out
