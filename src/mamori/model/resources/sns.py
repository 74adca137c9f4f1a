"""SNS (`sns`): the typed properties of each resource type (see docs/resources/sns.md)."""

from __future__ import annotations

from typing import Any

from mamori.model.resources.base import Props, resource_type

TOPIC = "aws.sns.topic"


@resource_type(TOPIC)
class SnsTopic(Props):
    """`aws.sns.topic`: id = topic name, arn = topic ARN."""

    kms_master_key_id: str | None = None
    encrypted: bool | None = None
    policy: dict[str, Any] | None = None
    policy_public: bool | None = None
    public_statements: list[dict[str, Any]] | None = None
    fifo: bool | None = None
    display_name: str | None = None
    subscriptions_confirmed: int | None = None
