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
@click.option("--now", "now_text", hidden=True, help="Evaluate as of this ISO date-time (testing).")
def image(path: Path | None, fmt: str, output_file: Path | None, osv_dir: Path | None, sample_data: bool,
          policy_path: Path | None, kev_path: Path | None, no_secrets: bool, demo: bool, show_all: bool,
          now_text: str | None) -> None:  # fmt: skip
    """Scan a container image before it ships: OS and language packages, and secrets in every layer.

    \b
      docker save app:1.0 -o app.tar && mamori gate image app.tar --osv-dir ~/osv
      mamori gate image ./oci-layout -o cyclonedx --output-file sbom.cdx.json
      mamori gate image --demo                       the shipped demo image and sample advisories

    PATH is a `docker save` archive or an OCI image layout (directory or tar). Nothing is
    extracted to disk. Exit 1 when a package is blocked or a layer holds a secret.
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

    request = ImageRequest(path=path, now=_parse_now(now_text), osv_dir=osv_dir, sample_data=sample_data,
                           policy_path=policy_path, kev_path=kev_path, secrets=not no_secrets)  # fmt: skip
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
