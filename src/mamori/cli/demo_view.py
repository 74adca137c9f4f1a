"""The demo's findings, one line each, designed for 80 columns (wider terminals show more).

Columns by priority: the id prefix (``mamori findings show`` accepts it), the severity
(crit/high/med/low/info below 100 columns),
the rule id in full (it is what ``remediate plan --rule`` and suppressions take), then the
resource, cut with "…" to fit; from 120 columns on, the account and region too.
"""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text

from mamori.cli.columns import fit
from mamori.cli.output import SEV_STYLE, console
from mamori.model import Finding

ID_WIDTH = 10
WIDE = 120
FULL_SEVERITY = 100  # narrower: crit, high, med, low, info (4 more characters for the resource)
SHORT = {"critical": "crit", "medium": "med", "informational": "info"}
MIN_RESOURCE = 16  # room kept for the resource: a longer rule id pushes only its own line's resource right


def finding_lines(findings: list[Finding], width: int) -> list[Text]:
    """The header and one line per finding, each at most ``width`` characters."""
    wide = width >= WIDE
    sev_w = 8 if width >= FULL_SEVERITY else 4
    fixed = ID_WIDTH + 2 + sev_w + 2 + 2
    rule_w = max(min(max((len(f.rule_id) for f in findings), default=4), width - fixed - MIN_RESOURCE), 4)
    head = f"{'id':<{ID_WIDTH}}  {'severity' if sev_w == 8 else 'sev':<{sev_w}}  {'rule':<{rule_w}}  resource"
    if wide:
        head += "  (account/region)"
    lines = [Text(fit(head, width), style="bold")]
    for f in findings:
        sev = f.severity.value if sev_w == 8 else SHORT.get(f.severity.value, f.severity.value)
        left = f"{f.id[:ID_WIDTH]:<{ID_WIDTH}}  {sev:<{sev_w}}  {f.rule_id:<{rule_w}}  "
        rest = f.resource_id + (f"  ({f.account}/{f.region})" if wide else "")
        line = Text(fit(left + rest, width) if len(left) >= width else left + fit(rest, width - len(left)))
        line.stylize("dim", 0, ID_WIDTH)
        line.stylize(SEV_STYLE[f.severity], ID_WIDTH + 2, ID_WIDTH + 2 + len(sev))
        lines.append(line)
    return lines


def print_findings(findings: list[Finding], *, title: str, limit: int) -> None:
    con = console()
    if not findings:
        return
    con.print(f"[bold]{title}[/]")
    for line in finding_lines(findings[:limit], con.width):
        con.print(line, no_wrap=True, crop=True)
    if len(findings) > limit:
        con.print(f"[dim]… and {len(findings) - limit} more (mamori findings list shows all)[/]")


def print_hints(hints: list[tuple[str, str]]) -> None:
    """Commands to copy, never wrapped; the comment beside them (aligned) when it fits, else above."""
    con = console()
    cmd_w = max(len(c) for c, _ in hints)
    for cmd, what in hints:
        pad = cmd_w if 2 + cmd_w + 4 + len(what) <= con.width else len(cmd)
        if 2 + pad + 4 + len(what) <= con.width:
            con.print(f"  [cyan]{escape(f'{cmd:<{pad}}')}[/]  [dim]# {escape(what)}[/]", soft_wrap=True)
        else:
            con.print(f"  [dim]# {escape(what)}[/]", soft_wrap=True)
            con.print(f"  [cyan]{escape(cmd)}[/]", soft_wrap=True)
