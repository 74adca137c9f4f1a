"""Reviewed runbooks: the only way to act in production under a grant.

A runbook is a YAML file::

    name: close-public-bucket
    description: Block public access on the bucket the finding names.
    steps:
      - action: s3_bucket_block_public_access     # a registered remediation action
        target: arn:aws:s3:::shop-assets          # a resource id or an ARN
        account: "123456789012"                   # optional: from the ARN, else the grant's only account
        region: us-east-1                         # optional: from the ARN, else the home region
        params: {}                                # the action's parameters (validated by it)

``add`` stores the file's text and SHA-256; ``approve`` (by someone other than the author)
pins that hash; ``run`` reads the file again and refuses unless its hash is the approved one,
refuses unless the actor holds an active grant covering every step's account, then plans
every step (reads only) and, unless asked for the plan only, applies the steps in order,
each verified by a fresh plan and recorded (``access_runbook_runs`` and the audit log).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mamori.access.model import AccessRefused, new_id
from mamori.errors import InputError
from mamori.model.resource import GLOBAL
from mamori.remediate.action import load_actions
from mamori.remediate.model import Target
from mamori.safeload import load_yaml

MAX_BYTES = 256 * 1024
MAX_STEPS = 50
NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")
_ARN = re.compile(r"^arn:aws[\w-]*:([\w-]+):([\w-]*):(\d{12})?:(.+)$")


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    action: str = Field(min_length=1, max_length=100)
    target: str = Field(min_length=1, max_length=2048)
    account: str | None = None
    region: str | None = Field(default=None, max_length=40)
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("account", mode="before")
    @classmethod
    def _account(cls, v: object) -> object:
        if isinstance(v, int) and not isinstance(v, bool):
            v = f"{v:012d}"
        if v is not None and not re.fullmatch(r"\d{12}", str(v)):
            raise ValueError(f"{v!r} is not a 12-digit AWS account id")
        return v


class Runbook(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = Field(min_length=1, max_length=4000)
    steps: list[Step] = Field(min_length=1, max_length=MAX_STEPS)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not NAME.match(v):
            raise ValueError("a runbook name is lower case letters, digits, '-', '_' or '.' (at most 100)")
        return v


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_file(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(f"larger than {MAX_BYTES} bytes", source=str(path))
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the runbook: {exc.strerror or exc}", source=str(path)) from None


def parse(data: bytes, source: str) -> Runbook:
    """A runbook from bytes (bounded YAML), its actions and their parameters checked."""
    doc = load_yaml(data, source=source, max_bytes=MAX_BYTES)
    if not isinstance(doc, dict):
        raise InputError("a runbook is a mapping with name, description and steps", source=source)
    try:
        rb = Runbook.model_validate(doc)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InputError(err["msg"], source=source, where=".".join(str(x) for x in err["loc"])) from None
    actions = load_actions()
    for n, step in enumerate(rb.steps):
        if step.action not in actions:
            raise InputError(f"unknown remediation action {step.action!r} (mamori guardrails actions)",
                             source=source, where=f"steps.{n}.action")  # fmt: skip
        try:
            actions.get(step.action).params(overrides=step.params)
        except InputError as exc:
            raise InputError(str(exc), source=source, where=f"steps.{n}.params") from None
    return rb


def target_of(step: Step, accounts: list[str], where: str) -> Target:
    """The remediation target of a step: account and region from the ARN, the step, or the grant."""
    account, region, resource_id, arn = step.account, step.region, step.target, ""
    m = _ARN.match(step.target)
    if m:
        arn = step.target
        region = region or m.group(2) or None
        account = account or m.group(3) or None
        resource_id = re.split(r"[:/]", m.group(4))[-1]
    if account is None:
        if len(accounts) != 1:
            raise InputError("the step names no account and the grant covers several: add `account:`", where=where)
        account = accounts[0]
    action = load_actions().get(step.action)
    return Target(account, region or GLOBAL, action.resource_type, resource_id, arn)


@dataclass(frozen=True)
class RunbookRecord:
    name: str
    description: str
    author: str
    path: str
    sha256: str
    approved_by: str | None
    approved_sha256: str | None
    approved_at: datetime | None
    added_at: datetime
    updated_at: datetime

    @property
    def approved(self) -> bool:
        return self.approved_sha256 is not None and self.approved_sha256 == self.sha256

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "description": self.description, "author": self.author, "path": self.path,
            "sha256": self.sha256, "approved": self.approved, "approved_by": self.approved_by,
            "approved_sha256": self.approved_sha256,
            "approved_at": self.approved_at.isoformat() if self.approved_at else None,
            "added_at": self.added_at.isoformat(), "updated_at": self.updated_at.isoformat(),
        }  # fmt: skip


def check_pinned(rec: RunbookRecord, data: bytes) -> str:
    """The file's hash, if it is the approved one; else AccessRefused (exit 2)."""
    digest = sha256(data)
    if rec.approved_sha256 is None:
        raise AccessRefused(f"runbook {rec.name} is not approved (mamori runbook approve {rec.name})")
    if digest != rec.approved_sha256:
        raise AccessRefused(
            f"runbook {rec.name} changed since its approval (file sha256 {digest[:12]}, approved {rec.approved_sha256[:12]}): "
            f"`mamori runbook add` it again and have it re-approved"
        )
    return digest


def run_id(name: str, request_id: str, at: datetime) -> str:
    return new_id("RR", name, request_id, at.isoformat())


def step_record(n: int, step: Step, target: Target) -> dict[str, Any]:
    return {"n": n, "action": step.action, "target": target.label, "arn": target.arn, "params": dict(step.params)}


def summary_of(proposal: Any) -> Mapping[str, Any]:
    return {"summary": proposal.summary, "refused": proposal.refused, "calls": [str(c) for c in proposal.calls]}
