"""Shared data for the engagement tests: a full set of answers, an estate tagged with the app."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from mamori.model.resource import Inventory, Resource
from mamori.rules import RuleSet, load_rules
from tests.clirun import Run, runner

ACCOUNT = "111111111111"
DAY1 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

# answers that ask every follow-up of the built-in bank (39 questions)
FULL: dict[str, Any] = {
    "data_classification": "confidential",
    "stores_personal_data": True,
    "personal_data_kinds": ["contact", "financial"],
    "payment_cards": False,
    "data_stores": ["relational", "object_storage"],
    "data_volume": "under_100k",
    "file_uploads": False,
    "internet_exposure": "public",
    "entry_points": ["load_balancer"],
    "has_web_ui": True,
    "admin_interface": "session_manager",
    "availability": "business_hours",
    "user_auth": "external_idp",
    "user_mfa": "optional",
    "privileged_users": True,
    "human_prod_access": "just_in_time",
    "service_auth": "iam_roles",
    "runs_on": ["containers"],
    "cross_account": False,
    "has_secrets": True,
    "secret_kinds": ["db_passwords"],
    "secrets_storage": "secrets_manager",
    "secrets_rotation": "automatic",
    "third_parties": True,
    "third_party_data": "pseudonymised",
    "third_party_inbound": True,
    "languages": ["python"],
    "build_pipeline": "reviewed_ci",
    "container_images": True,
    "infrastructure_as_code": "full",
    "log_destination": "central",
    "security_events_logged": True,
    "logs_contain_personal_data": False,
    "regions": "one_region",
    "residency_requirement": False,
    "backups": "automated",
    "recovery_point": "hours",
    "incident_contact": "#shop-oncall",
    "on_call": True,
}


def answers(**changes: Any) -> dict[str, Any]:
    out = dict(FULL)
    for k, v in changes.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


def write_answers(path: Path, values: dict[str, Any], app: str = "shop", team: str = "payments") -> Path:
    path.write_text(yaml.safe_dump({"app": app, "team": team, "answers": values}, sort_keys=False))
    return path


@pytest.fixture(scope="session")
def builtin_rules() -> RuleSet:
    return load_rules()


def estate(resources: Iterable[Resource], *, day: int = 0, types: Iterable[str] = ()) -> Inventory:
    res = list(resources)
    inv = Inventory(res, collected_at=DAY1 + timedelta(days=day))
    inv.cover(ACCOUNT, "us-east-1", sorted({r.type for r in res} | set(types)))
    return inv


def rds(name: str, *, public: bool = False, encrypted: bool = True, app: str | None = "shop") -> Resource:
    tags = {"app": app} if app else {}
    return Resource("aws", ACCOUNT, "us-east-1", "aws.rds.db_instance", name, arn=f"arn:aws:rds:us-east-1:{ACCOUNT}:db:{name}",
                    tags=tags, properties={"publicly_accessible": public, "storage_encrypted": encrypted})  # fmt: skip


def load_balancer(name: str, scheme: str, app: str = "shop") -> Resource:
    return Resource("aws", ACCOUNT, "us-east-1", "aws.elb.load_balancer", name, arn=f"arn:aws:elasticloadbalancing:{name}",
                    tags={"app": app}, properties={"scheme": scheme, "type": "application"})  # fmt: skip


@pytest.fixture
def mamori(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[..., Run]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "240")
    monkeypatch.setenv("MAMORI_ACTOR", "alice")
    return runner(capsys)
