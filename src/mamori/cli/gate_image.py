"""`mamori gate image` (issue 22: container images before deployment).

Exit codes: 0 nothing blocks, 1 a package is blocked by the policy or a secret is in a
layer, 2 bad input (an archive, layer, package database or lockfile that cannot be read:
the audit is incomplete), 3 an internal failure.
"""

from __future__ import annotations

from pathlib import Path

import click

from mamori.cli.exits import ExitCode, exit_with, fail
from mamori.cli.gate_deps import _parse_now
from mamori.errors import MamoriError

FORMATS = ("table", "json", "sarif", "cyclonedx")


@click.command("image")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("-o", "--output", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--output-file", type=click.Path(path_type=Path, dir_okay=False), help="Write the report here.")
@click.option("--osv-dir", type=click.Path(path_type=Path, file_okay=False), envvar="MAMORI_OSV_DIR",
              help="Offline OSV data: <dir>/<Ecosystem>/all.zip (Debian, Alpine, ...) [env: MAMORI_OSV_DIR].")  # fmt: skip
@click.option("--sample-data", is_flag=True, help="Use the shipped sample advisories (demos, tests).")
@click.option("--policy", "policy_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Dependency policy file (mamori-policy.yaml; default: built-in defaults).")  # fmt: skip
@click.option("--kev", "kev_path", type=click.Path(path_type=Path, dir_okay=False),
              help="CISA KEV catalogue to block known-exploited CVEs.")  # fmt: skip
@click.option("--no-secrets", is_flag=True, help="Do not scan the layers for secrets.")
@click.option("--demo", is_flag=True, help="Scan the shipped demo image with the sample advisories.")
@click.option("--all", "show_all", is_flag=True, help="Table: list clean packages too.")
@click.option("--secrets-config", type=click.Path(path_type=Path, dir_okay=False),
              help="Secrets config (.mamori-secrets.yaml or .gitleaks.toml; default: those in the current directory).")  # fmt: skip
@click.option("--digest", "digests", multiple=True,
              help="The image's registry digest (sha256:..., as in `docker inspect` RepoDigests), to find where "
                   "it runs (repeatable).")  # fmt: skip
@click.option("--inventory", "inventory_path", type=click.Path(path_type=Path, dir_okay=False),
              help="A mamori snapshot to find where the image runs (default: the store's last scan).")  # fmt: skip
@click.option("--exposure", type=click.Choice(["small", "controlled", "open"]),
              help="SSVC exposure, overriding the inventory.")  # fmt: skip
@click.option("--impact", type=click.Choice(["low", "medium", "high", "very high"]),
              help="SSVC human impact, overriding the data-classification tags.")  # fmt: skip
@click.option("--db", help="Store URL or SQLite path (default: $MAMORI_DB, else ./.mamori/mamori.db).")
@click.option("--project", help="History key for first-seen dates (default: image:<repository>).")
@click.option("--no-record", is_flag=True, help="Do not record this run (first-seen dates are still read).")
@click.option("--no-store", is_flag=True, help="Neither read nor write the store (no history, no scan inventory).")
@click.option("--now", "now_text", hidden=True, help="Evaluate as of this ISO date-time (testing).")
def image(path: Path | None, fmt: str, output_file: Path | None, osv_dir: Path | None, sample_data: bool,
          policy_path: Path | None, kev_path: Path | None, no_secrets: bool, demo: bool, show_all: bool,
          secrets_config: Path | None, digests: tuple[str, ...], inventory_path: Path | None, exposure: str | None,
          impact: str | None, db: str | None, project: str | None, no_record: bool, no_store: bool,
          now_text: str | None) -> None:  # fmt: skip
    """Scan a container image before it ships: OS and language packages, and secrets in every layer.

    \b
      docker save app:1.0 -o app.tar && mamori gate image app.tar --osv-dir ~/osv
      mamori gate image ./oci-layout -o cyclonedx --output-file sbom.cdx.json
      mamori gate image --demo                       the shipped demo image and sample advisories

    PATH is a `docker save` archive or an OCI image layout (directory or tar). Nothing is
    extracted to disk. Exit 1 when a package is blocked or a layer holds a secret.

    Where the image runs (the risk's exposure) comes from the store's last scan: the ECS
    services and Lambda functions running its digest. Each run is recorded per image
    (first-seen dates keep the FIX BY clock); --no-store reads and writes nothing.
    """
    if demo:
        if path is not None or osv_dir is not None:
            raise click.UsageError(
                "--demo scans the shipped demo image with the sample advisories: no PATH or --osv-dir"
            )
        from mamori.demo.image import demo_image

        path, sample_data = demo_image(), True
    if path is None:
        raise click.UsageError("give the image: a docker save archive or an OCI layout (or --demo)")
    if osv_dir and sample_data:
        raise click.UsageError("give one advisory source: --osv-dir DIR, --sample-data, or neither for the "
                               "advisory cache (`mamori db update`)")  # fmt: skip
    from mamori.gate.image.output import render
    from mamori.gate.image.service import ImageRequest, run_image_gate

    bad = [d for d in digests if not d.startswith("sha256:")]
    if bad:
        raise click.UsageError(f"--digest {bad[0]}: expected sha256:<hex>")
    request = ImageRequest(path=path, now=_parse_now(now_text), osv_dir=osv_dir, sample_data=sample_data,
                           policy_path=policy_path, kev_path=kev_path, secrets=not no_secrets,
                           digests=digests, inventory_path=inventory_path, exposure=exposure, impact=impact,
                           db=db, record=not no_record, project=project, use_store=not no_store,
                           secrets_config=secrets_config)  # fmt: skip
    try:
        report = run_image_gate(request)
    except MamoriError as exc:
        raise fail(exc) from None
    text = render(report, fmt, show_all)
    if output_file is not None:
        output_file.write_text(text, encoding="utf-8")
        c = report.counts()
        click.echo(f"wrote {output_file}: {c['packages']} packages, {c['BLOCK']} BLOCK, {c['FIX_BY']} FIX BY, "
                   f"{c['secrets']} secret(s) (exit {report.exit_code})", err=True)  # fmt: skip
    else:
        click.echo(text, nl=False)
    if report.exit_code:
        raise exit_with(ExitCode(report.exit_code))
