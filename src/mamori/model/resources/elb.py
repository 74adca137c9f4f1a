"""Elastic Load Balancing (`elbv2`, `elb`): the typed properties of each resource type (see docs/resources/elb.md)."""

from __future__ import annotations

from typing import Any

from mamori.model.resources.base import Entry, Props, resource_type

LOAD_BALANCER = "aws.elb.load_balancer"
CLASSIC = "aws.elb.classic_load_balancer"


class Listener(Entry):
    """A listener of an Application or Network Load Balancer."""

    arn: str | None = None
    port: int | None = None
    protocol: str | None = None
    tls: bool | None = None
    ssl_policy: str | None = None
    ssl_protocols: list[str] | None = None
    certificates: list[str] | None = None
    default_actions: list[dict[str, Any]] | None = None
    redirects_to_https: bool | None = None


class ClassicListener(Entry):
    """A listener of a Classic Load Balancer."""

    port: int | None = None
    protocol: str | None = None
    instance_port: int | None = None
    instance_protocol: str | None = None
    encrypted: bool | None = None
    ssl_certificate_id: str | None = None
    policy_names: list[str] | None = None
    ssl_policy_reference: str | None = None
    ssl_protocols: list[str] | None = None


@resource_type(LOAD_BALANCER)
class ElbLoadBalancer(Props):
    """`aws.elb.load_balancer`"""

    type: str | None = None
    scheme: str | None = None
    state: str | None = None
    dns_name: str | None = None
    vpc_id: str | None = None
    ip_address_type: str | None = None
    created: str | None = None
    security_groups: list[str] | None = None
    listeners: list[Listener] | None = None
    attributes: dict[str, Any] | None = None
    access_logs_enabled: bool | None = None
    access_logs_bucket: str | None = None
    deletion_protection: bool | None = None
    drop_invalid_header_fields: bool | None = None
    desync_mitigation_mode: str | None = None


@resource_type(CLASSIC)
class ElbClassicLoadBalancer(Props):
    """`aws.elb.classic_load_balancer`"""

    scheme: str | None = None
    dns_name: str | None = None
    vpc_id: str | None = None
    created: str | None = None
    security_groups: list[str] | None = None
    availability_zones: list[str] | None = None
    instances: list[str] | None = None
    listeners: list[ClassicListener] | None = None
    access_logs_enabled: bool | None = None
    access_logs_bucket: str | None = None
