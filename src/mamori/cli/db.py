"""`mamori db update` and `mamori db status`: the advisory cache the dependency gate reads.

Exit codes: 0 done, 2 bad input (a malformed or oversized file, named with its entry),
3 the download failed. A failed update leaves the cache as it was.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from mamori.cli.lazy import Lazy, LazyGroup

COMMANDS: dict[str, Lazy] = {
    "update": Lazy("mamori.cli.db:update", "Fetch OSV, CISA KEV and FIRST EPSS into the advisory cache (or import them offline)."),
    "status": Lazy("mamori.cli.db:status", "The advisory cache: each source's date, ETag, size and whether it is stale."),
}  # fmt: skip


@click.group(cls=LazyGroup, lazy=COMMANDS)
def db() -> None:
    """The advisory cache: OSV, CISA KEV and FIRST EPSS for `mamori gate deps`.

    \b
      mamori db update                         fetch every source
      mamori db update --ecosystems PyPI,npm   only these OSV ecosystems (others are kept)
      mamori db update --from DIR              import the same files offline (air-gapped CI)
      mamori db status [-o json]               each source's date and age
    """


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(x.strip() for v in values for x in v.split(",") if x.strip())


@click.command("update")
@click.option("--ecosystems", multiple=True, help="OSV ecosystems, comma-separated or repeated (default: all).")
@click.option("--from", "from_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Import from a directory: <Ecosystem>/all.zip, known_exploited_vulnerabilities.json, "
                   "epss_scores-current.csv.gz.")  # fmt: skip
@click.option("--no-kev", is_flag=True, help="Do not fetch CISA's KEV catalogue.")
@click.option("--no-epss", is_flag=True, help="Do not fetch FIRST's EPSS scores.")
@click.pass_context
def update(ctx: click.Context, ecosystems: tuple[str, ...], from_dir: Path | None, no_kev: bool,
           no_epss: bool) -> None:  # fmt: skip
    """Fetch OSV, CISA KEV and FIRST EPSS into the advisory cache (or import them offline)."""
    from mamori.cli.exits import fail
    from mamori.errors import MamoriError
    from mamori.gate.deps.cache import UpdateRequest
    from mamori.gate.deps.cache import update as do_update

    req = UpdateRequest(now=datetime.now(UTC), ecosystems=_split(ecosystems), from_dir=from_dir,
                        transport=(ctx.find_object(dict) or {}).get("db_transport"), kev=not no_kev,
                        epss=not no_epss)  # fmt: skip
    try:
        result = do_update(req)
    except MamoriError as exc:
        raise fail(exc) from None
    state = result.state
    click.echo(f"advisory cache: {state.root}")
    for s in state.sources:
        tag = "updated" if s.key in result.updated else "unchanged" if s.key in result.unchanged else "kept"
        click.echo(f"  {s.key:<18} {s.date:<10} {s.count:>9,} {tag}" + (f"  ({s.detail})" if s.detail else ""))


@click.command("status")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--max-data-age", "max_age", type=click.FloatRange(min=0), default=7.0, show_default=True,
              envvar="MAMORI_MAX_DATA_AGE", help="Days after which a source is stale.")  # fmt: skip
def status(fmt: str, max_age: float) -> None:
    """The advisory cache: each source's date, ETag, size and whether it is stale."""
    from mamori.cli.exits import fail
    from mamori.errors import MamoriError
    from mamori.gate.deps.cache import read_state

    now = datetime.now(UTC)
    try:
        state = read_state()
    except MamoriError as exc:
        raise fail(exc) from None
    if fmt == "json":
        click.echo(json.dumps(state.as_dict(now, max_age), indent=2))
        return
    click.echo(f"advisory cache: {state.root}")
    if state.empty:
        click.echo("  empty: run `mamori db update` (or `mamori db update --from DIR` offline)")
        return
    stale = {s.key for s in state.stale(now, max_age)}
    for s in state.sources:
        age = state.age_days(s, now)
        mark = f"  STALE (> {max_age:g} days): run `mamori db update`" if s.key in stale else ""
        etag = f" etag {s.etag}" if s.etag else ""
        click.echo(f"  {s.key:<18} {s.date:<10} {s.count:>9,}  fetched {age:.1f} days ago{etag}{mark}")
