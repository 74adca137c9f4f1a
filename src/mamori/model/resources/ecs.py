"""ECS (`ecs`): the typed properties of each resource type (see docs/resources/ecs.md)."""

from __future__ import annotations

from mamori.model.resources.base import Props, resource_type

SERVICE = "aws.ecs.service"


@resource_type(SERVICE)
class EcsService(Props):
    """`aws.ecs.service`"""

    cluster: str | None = None
    status: str | None = None
    launch_type: str | None = None
    task_definition: str | None = None
    desired_count: int | None = None
    running_count: int | None = None
    images: list[str] | None = None
    image_digests: list[str] | None = None
    network_mode: str | None = None
    assign_public_ip: bool | None = None
    subnet_ids: list[str] | None = None
    security_group_ids: list[str] | None = None
    target_group_arns: list[str] | None = None
    load_balancer_arns: list[str] | None = None
    classic_load_balancers: list[str] | None = None
