"""`mamori demo`: an emulated AWS estate, scanned end to end, no account needed."""

from __future__ import annotations

import signal
import time
from datetime import UTC, datetime
from types import FrameType

import click

from mamori.cli.common import get_config, open_store, rules_for
from mamori.cli.demo_view import print_findings, print_hints
from mamori.cli.exits import fail
from mamori.cli.output import console
from mamori.cli.report import print_summary
from mamori.cli.scan import progress_bar
from mamori.collect.aws.multi import collect_accounts
from mamori.collect.aws.session import AwsTarget, new_session
from mamori.demo import live
from mamori.demo.drift import next_day
from mamori.demo.estate import (
    DEMO_ACCOUNTS,
    DEMO_REGIONS,
    ESTATE_SEED,
    NEXT_DAY_SEED,
    SeedEnv,
    fake_credentials,
    fresh_emulator,
    moto_server,
    require_emulator,
    role_arn,
    seed_estate,
    seed_ids,
)  # fmt: skip
from mamori.errors import MamoriError
from mamori.findings import Store
from mamori.model import Finding
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
@click.option(
    "--keep-running", is_flag=True,
    help="Keep the emulator up afterwards and write .mamori/demo.env: `. .mamori/demo.env` in another shell "
    "points mamori at it (remediate, keys, scan); `mamori demo --stop` or Ctrl-C ends it.",
)  # fmt: skip
@click.option("--stop", "stop_it", is_flag=True, help="Stop the emulator a `mamori demo --keep-running` left up here.")
@click.option("--no-drift", is_flag=True, help="Scan once; skip the second day (one fix, one new problem, rescanned).")
@click.option("--gcp", "gcp", is_flag=True, help="Scan the demo's Google Cloud export instead (no emulator): writes .mamori/gcp-demo/ and scans it like `mamori scan --gcp-assets`.")
def demo(db: str | None, port: int | None, keep_running: bool, stop_it: bool, no_drift: bool, gcp: bool) -> None:
    """Scan an emulated AWS estate (moto): two accounts, two regions, no account needed.

    Starts AWS emulation on localhost, creates a small company's estate (IAM users and
    keys, buckets, security groups, volumes, instances, trails, detectors, keys,
    databases) with compliant and non-compliant resources for every rule, scans it the
    way `mamori scan --endpoint-url` would, stores the results and prints the summary.
    Then a day passes (one fix, one new problem) and it scans again, to show what is
    new, what got fixed and what is still open. The estate is the same on every run
    (its ids are seeded), so running the demo again changes only what the day changes.

    Needs the `demo` extra: pip install 'mamori[demo]'.
    """
    con = console()
    if gcp:
        _demo_gcp(db)
        return
    try:
        if stop_it:
            pid = live.stop()
            con.print(f"stopped the demo emulator (pid {pid}). In shells that loaded {live.ENV_FILE}:")
            con.print(f"  {live.UNSET}", soft_wrap=True, markup=False)
            return
        require_emulator()
    except MamoriError as exc:
        raise fail(exc) from None
    cfg = get_config(None)
    rules = rules_for(cfg)
    store = open_store(db, cfg)
    t0 = time.perf_counter()
    with fake_credentials(), moto_server(port) as endpoint:
        con.print(
            f"[bold]mamori demo[/] — emulated AWS at {endpoint} (moto), accounts prod {DEMO_ACCOUNTS['prod']} "
            f"and dev {DEMO_ACCOUNTS['dev']}, regions {', '.join(DEMO_REGIONS)}"
        )
        session = new_session(region_name=DEMO_REGIONS[0])
        env = SeedEnv(session=session, endpoint_url=endpoint)
        fresh_emulator(ESTATE_SEED)
        seeded = seed_estate(env)
        con.print(f"seeded the estate ({len(seeded)} services) in {time.perf_counter() - t0:.1f}s; scanning…")
        started = datetime.now(UTC)
        with progress_bar(True) as cb:
            res = collect_accounts(demo_targets(endpoint), progress=cb)
        outcome = run_scan(res.inventory, rules, store=store, params=cfg.params, started_at=started)
        findings = scan_findings(outcome, rules, store)
        print_summary(
            outcome, findings, api_calls=res.api_calls, scan_id=outcome.summary.scan_id if outcome.summary else None,
            show_open=False,
        )  # fmt: skip
        print_findings([f for f in findings if f.status.is_open], title="Open findings (worst first)", limit=15)
        if not no_drift:
            con.print("\n[bold]The next day[/] (the same estate, scanned again):")
            seed_ids(NEXT_DAY_SEED)
            for line in next_day(env):
                con.print(f"  • {line}")
            started = datetime.now(UTC)
            res = collect_accounts(demo_targets(endpoint))
            outcome = run_scan(res.inventory, rules, store=store, params=cfg.params, started_at=started)
            findings = scan_findings(outcome, rules, store)
            _print_changes(store, outcome)
        con.print(f"\n[bold]demo done in {time.perf_counter() - t0:.1f}s.[/] Try next (the store is kept):")
        print_hints(_store_hints(findings))
        if keep_running:
            _keep_running(endpoint, db)
        else:
            con.print(
                "\nFixes, keys and events talk to AWS: run [cyan]mamori demo --keep-running[/] in another shell, "
                "then [cyan]. .mamori/demo.env[/] here to point mamori at its emulator (README, \"A short tour\")."
            )


def _demo_gcp(db: str | None) -> None:
    """The Google Cloud part of the demo: the shipped CAI export (two organizations, two projects), scanned and stored."""
    from pathlib import Path

    from mamori.collect.gcp import read_gcp_assets
    from mamori.demo.gcp_estate import DEMO_NOW, write_demo_export

    con = console()
    cfg = get_config(None)
    rules = rules_for(cfg)
    store = open_store(db, cfg)
    paths = write_demo_export(Path(".mamori") / "gcp-demo")
    con.print(f"[bold]mamori demo --gcp[/] — a Cloud Asset Inventory export ({', '.join(str(p) for p in paths)}): "
              "projects demo-prod (compliant) and demo-dev (not)")  # fmt: skip
    try:
        inv = read_gcp_assets(paths, DEMO_NOW)
    except MamoriError as exc:
        raise fail(exc) from None
    outcome = run_scan(inv, rules, store=store, params=cfg.params, now=DEMO_NOW)
    findings = scan_findings(outcome, rules, store)
    print_summary(outcome, findings, api_calls=None, scan_id=outcome.summary.scan_id if outcome.summary else None, show_open=False)
    print_findings([f for f in findings if f.status.is_open], title="Open findings (worst first)", limit=15)
    con.print("\nThe same scan from a shell: "
              f"[cyan]mamori scan --gcp-assets {paths[0]} --gcp-assets {paths[1]}[/]; "
              "[cyan]mamori standards show cis-gcp-3.0[/] for the CIS GCP view.")  # fmt: skip


def _store_hints(findings: list[Finding]) -> list[tuple[str, str]]:
    open_f = [f for f in findings if f.status.is_open]
    return [
        ("mamori findings list --min-severity high", "the worst open findings"),
        (f"mamori findings show {open_f[0].id[:10]}" if open_f else "mamori findings list", "evidence, fix, history"),
        ("mamori findings list -o json", "the same as data (or -o csv)"),
        ("mamori standards show baseline", "every control's status"),
        ("mamori report html -o report.html", "one page: scores, trend and fixes"),
        ("mamori rules list", "what is checked, and why"),
        ("mamori scans list", "every scan, with what changed"),
        *_iac_hints(),
        ("mamori gate image --demo", "an image: packages, a deleted key in a layer, exposure via its ECS service"),
    ]


def _iac_hints() -> list[tuple[str, str]]:
    """The IaC samples, when run from a checkout (they ship in examples/, not in the package)."""
    from pathlib import Path

    if not Path("examples/iac/terraform").is_dir():
        return [("mamori gate iac PATH", "the same rules on Terraform and CloudFormation")]
    hints = [
        ("mamori gate iac examples/iac/terraform", "the same rules on Terraform: FAIL, UNKNOWN, a waiver"),
        ("mamori gate iac examples/iac/cloudformation", "and on CloudFormation"),
    ]
    if Path("examples/deps/inventory.json").is_file():
        hints.append((
            "mamori gate deps examples/deps --sample-data --no-record --inventory examples/deps/inventory.json "
            "--runs-on payments-api",
            "log4shell is 'immediate': KEV, a public function URL, confidential data",
        ))  # fmt: skip
    return hints


def _keep_running(endpoint: str, db: str | None) -> None:
    con = console()
    path = live.write_env(endpoint, db=db)
    con.print(f"\n[bold]The emulator stays up[/] at {endpoint}. In another shell, from this directory:")
    print_hints(
        [
            (f". {path}", "point mamori at the emulator"),
            ("mamori remediate plan --rule s3_bucket_public_via_acl", "what a fix would change"),
            ("mamori remediate plan $MAMORI_DEMO_ROLES", "every fix, both accounts"),
            ("mamori keys enforce", "the key lifecycle, dry run"),
            ("mamori scan --regions $MAMORI_DEMO_REGIONS $MAMORI_DEMO_ROLES", "scan both accounts"),
            ("mamori demo --stop", "stop the emulator (or Ctrl-C here)"),
        ]
    )

    def _terminate(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        con.print("stopping the emulator.")
    finally:
        signal.signal(signal.SIGTERM, previous)
        live.remove_env(path)


def _print_changes(store: Store, outcome: ScanOutcome) -> None:
    con = console()
    s = outcome.summary
    if s is None:
        return
    con.print(
        f"since the last scan: [red]{len(s.new)} new[/], [red]{len(s.reopened)} reopened[/], "
        f"{len(s.still_open)} still open, [green]{len(s.resolved)} resolved[/]"
    )
    print_findings(store.findings_by_ids(s.new + s.reopened), title="New today", limit=10)
    print_findings(store.findings_by_ids(s.resolved), title="Fixed since yesterday", limit=10)
