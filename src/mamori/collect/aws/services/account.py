"""AWS Account Management: the security contact (``aws.account.account``).

Global, one ``GetAlternateContact(AlternateContactType=SECURITY)`` per account.
``ResourceNotFoundException`` is AWS's answer when no security contact is registered: a
fact (``security_contact_registered = false``). Any other error fails the scope (the rule
reports UNKNOWN). The contact's phone number is not stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from mamori.collect.aws.base import COLLECTORS, AwsCollector, CollectContext, error_code
from mamori.model.resource import GLOBAL, Resource
from mamori.model.resources.account import ACCOUNT, AwsAccount


@COLLECTORS.register("account")
class AccountCollector(AwsCollector):
    service = "account"
    scope = "global"
    resource_types = (ACCOUNT,)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        client = ctx.client("account")
        try:
            contact: dict[str, Any] = client.get_alternate_contact(AlternateContactType="SECURITY")["AlternateContact"]
        except ClientError as exc:
            if error_code(exc) != "ResourceNotFoundException":
                raise
            contact = {}
        props = {
            "security_contact_registered": bool(contact.get("EmailAddress")),
            "security_contact": (
                {k: contact.get(src, "") for k, src in (("name", "Name"), ("title", "Title"), ("email", "EmailAddress"))}
                if contact
                else {}
            ),
        }
        yield ctx.resource(AwsAccount.of(props), GLOBAL, ctx.account, name=ctx.account)
