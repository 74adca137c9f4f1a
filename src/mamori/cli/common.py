"""Options and helpers shared by commands."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from typing import Any

import click

from mamori.collect.aws.session import AwsTarget
from mamori.config import Config
from mamori.findings import Store
from mamori.rules import RuleSet, load_rules
from mamori.rules.refs import load_checked_config

F = Callable[..., Any]


def split_csv(values: tuple[str, ...]) -> tuple[str, ...]:
    """``--regions a,b --regions c`` -> (a, b, c)."""
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return tuple(out)


def config_option(f: F) -> F:
    return click.option(
        "--config", "config_path", type=click.Path(dir_okay=False), default=None,
        help="Config file (default: $MAMORI_CONFIG, then ./mamori.yaml).",
    )(f)  # fmt: skip


def db_option(f: F) -> F:
    return click.option(
        "--db", default=None, metavar="URL|PATH",
        help="Store: a SQLite path or a database URL (default: $MAMORI_DB, then ./.mamori/mamori.db).",
    )(f)  # fmt: skip


def aws_options(f: F) -> F:
    opts = [
        click.option("--profile", default=None, help="AWS profile (default: the standard credential chain)."),
        click.option(
            "--role-arn", "role_arns", multiple=True, metavar="ARN",
            help="Assume this role and scan its account. Repeat for several accounts.",
        ),
        click.option("--external-id", default=None, help="External id for --role-arn."),
        click.option(
            "--endpoint-url", default=None, envvar="MAMORI_ENDPOINT_URL", metavar="URL",
            help="An AWS-compatible endpoint (a moto server, LocalStack).",
        ),
        click.option(
            "--regions", "regions", multiple=True, metavar="LIST",
            help="Regions to scan, comma-separated (default: every region enabled in the account).",
        ),
        click.option("--services", "services", multiple=True, metavar="LIST", help="Only these services (e.g. iam,s3)."),
        click.option("--workers", default=16, show_default=True, help="Parallel collector jobs (with `scan --org`: worker processes, default 1; see --threads)."),
    ]  # fmt: skip
    for o in reversed(opts):
        f = o(f)
    return f


def targets_from(
    profile: str | None, role_arns: tuple[str, ...], external_id: str | None, endpoint_url: str | None,
    regions: tuple[str, ...], workers: int,
) -> list[AwsTarget]:  # fmt: skip
    regs = split_csv(regions)
    return [
        AwsTarget(
            profile=profile, role_arn=arn, external_id=external_id, endpoint_url=endpoint_url, regions=regs, workers=workers
        )
        for arn in (role_arns or (None,))
    ]


def open_store(db: str | None, cfg: Config) -> Store:
    return Store.open(db, cfg.db)


def rules_for(cfg: Config, only: tuple[str, ...] = ()) -> RuleSet:
    rules = load_rules(cfg.rule_paths)
    ids = split_csv(only)
    if ids:
        return rules.select(ids)
    if cfg.disabled_rules:
        return RuleSet(r for r in rules if r.id not in set(cfg.disabled_rules))
    return rules


def get_config(path: str | None) -> Config:
    """The config file, with the rule ids and parameters it names checked against the rules."""
    return load_checked_config(path)


def actor(by: str | None = None) -> str:
    """Who is acting, for history and the audit log: ``by``, else ``$MAMORI_ACTOR``, else the OS user."""
    if by:
        return by
    if os.environ.get("MAMORI_ACTOR"):
        return os.environ["MAMORI_ACTOR"]
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers, some CI runners)
        return "unknown"
