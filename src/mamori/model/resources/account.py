"""Account Management (`account`): the typed properties (see docs/resources/organizations.md)."""

from __future__ import annotations

from typing import Any

from mamori.model.resources.base import Props, resource_type

ACCOUNT = "aws.account.account"


@resource_type(ACCOUNT)
class AwsAccount(Props):
    """`aws.account.account`"""

    security_contact_registered: bool | None = None
    security_contact: dict[str, Any] | None = None
