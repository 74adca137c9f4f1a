"""`mamori demo`: an emulated AWS estate, scanned end to end, no account needed."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import boto3
import click

from mamori.cli.common import get_config, open_store, rules_for
from mamori.cli.output import console, findings_table
from mamori.cli.report import print_summary
from mamori.cli.scan import progress_bar
from mamori.collect.aws.multi import collect_accounts
from mamori.collect.aws.session import AwsTarget
from mamori.demo.drift import next_day
from mamori.demo.estate import (
    DEMO_ACCOUNTS,
    DEMO_REGIONS,
    SeedEnv,
    fake_credentials,
    moto_server,
    role_arn,
    seed_estate,
)  # fmt: skip
from mamori.findings import Store
from mamori.scan.service import ScanOutcome, run_scan, scan_findings


def demo_targets(endpoint: str) -> list[AwsTarget]:
    """prod with the caller's credentials, dev through a role: as `mamori scan` would."""
    return [
        AwsTarget(endpoint_url=endpoint, regions=DEMO_REGIONS),
        AwsTarget(endpoint_url=endpoint, regions=DEMO_REGIONS, role_arn=role_arn(DEMO_ACCOUNTS["dev"])),
    ]


@click.command()
@click.option("--db", default=None, metavar="URL|PATH", help="Store (default: $MAMORI_DB, then ./.mamori/mamori.db).")
@click.option("--port", type=int, default=None, help="Port for the emulator (default: a free one).")
@click.option("--keep-running", is_flag=True, help="Keep the emulator up afterwards, to try `mamori scan --endpoint-url` yourself.")
@click.option("--no-drift", is_flag=True, help="Scan once; skip the second day (one fix, one new problem, rescanned).")
def demo(db: str | None, port: int | None, keep_running: bool, no_drift: bool) -> None:
    """Scan an emulated AWS estate (moto): two accounts, two regions, no account needed.

    Starts AWS emulation on localhost, creates a small company's estate (IAM users and
    keys, buckets, security groups, volumes, instances, trails, detectors, keys,
    databases) with compliant and non-compliant resources for every rule, scans it the
    way `mamori scan --endpoint-url` would, stores the results and prints the summary.
    Then a day passes (one fix, one new problem) and it scans again, to show what is
    new, what got fixed and what is still open.
    """
    con = console()
    cfg = get_config(None)
    rules = rules_for(cfg)
    store = open_store(db, cfg)
    t0 = time.perf_counter()
    with fake_credentials(), moto_server(port) as endpoint:
        con.print(f"[bold]mamori demo[/] — emulated AWS at {endpoint} (moto), accounts prod {DEMO_ACCOUNTS['prod']} and dev {DEMO_ACCOUNTS['dev']}, regions {', '.join(DEMO_REGIONS)}")
        session = boto3.Session(region_name=DEMO_REGIONS[0])
        env = SeedEnv(session=session, endpoint_url=endpoint)
        seeded = seed_estate(env)
        con.print(f"seeded the estate ({', '.join(seeded)}) in {time.perf_counter() - t0:.1f}s; scanning…")
        started = datetime.now(UTC)
        with progress_bar(True) as cb:
            res = collect_accounts(demo_targets(endpoint), progress=cb)
        outcome = run_scan(res.inventory, rules, store=store, params=cfg.params, started_at=started)
        findings = scan_findings(outcome, rules, store)
        print_summary(outcome, findings, api_calls=res.api_calls, scan_id=outcome.summary.scan_id if outcome.summary else None)
        if not no_drift:
            con.print("\n[bold]The next day[/] (the same estate, scanned again):")
            for line in next_day(env):
                con.print(f"  • {line}")
            started = datetime.now(UTC)
            res = collect_accounts(demo_targets(endpoint))
            outcome = run_scan(res.inventory, rules, store=store, params=cfg.params, started_at=started)
            findings = scan_findings(outcome, rules, store)
            _print_changes(store, outcome)
        con.print(f"\n[bold]demo done in {time.perf_counter() - t0:.1f}s.[/] Try next:")
        for cmd, what in [
            ("mamori findings list --min-severity high", "the worst open findings"),
            (f"mamori findings show {findings[0].id[:10]}" if findings else "mamori findings list", "evidence, remediation, history"),
            ("mamori findings list -o json", "the same as data (or -o csv)"),
            ("mamori standards show baseline", "each control: passing, failing, attested, not covered"),
            ("mamori report html -o report.html", "one self-contained page with scores, trend and fixes"),
            ("mamori rules list", "what is checked and which controls it covers"),
            ("mamori scans list", "every scan, with what changed"),
            ("mamori demo --keep-running", "keep the emulator up to try remediate plan/apply against it"),
        ]:
            con.print(f"  [cyan]{cmd}[/]  [dim]# {what}[/]")
        if keep_running:
            creds = "AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing"
            con.print(
                f"\nThe emulator stays up. In another shell:\n"
                f"  [cyan]{creds} mamori scan --endpoint-url {endpoint} --regions {','.join(DEMO_REGIONS)}[/]\n"
                f"  [cyan]{creds} mamori remediate plan --endpoint-url {endpoint} --role-arn {role_arn(DEMO_ACCOUNTS['dev'])}[/]"
                f"   [dim]# what a fix would change, in both accounts[/]\n"
                f"  [cyan]{creds} mamori remediate apply <plan-id> --endpoint-url {endpoint}[/]\nCtrl-C to stop."
            )
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass


def _print_changes(store: Store, outcome: ScanOutcome) -> None:
    con = console()
    s = outcome.summary
    if s is None:
        return
    con.print(
        f"since the last scan: [red]{len(s.new)} new[/], [red]{len(s.reopened)} reopened[/], "
        f"{len(s.still_open)} still open, [green]{len(s.resolved)} resolved[/]"
    )
    findings_table(store.findings_by_ids(s.new + s.reopened), title="New today", limit=10)
    findings_table(store.findings_by_ids(s.resolved), title="Fixed since yesterday", limit=10)
