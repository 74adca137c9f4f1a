"""Plain one-line-per-row tables, designed for 80 columns first.

A rich table squeezes every column when the terminal is narrow, so an id becomes "7601…" and a
rule id wraps over eight lines. Here each row is exactly one line: columns have a priority (the
least important are dropped first when the terminal is narrow), fixed columns are never cut
(ids, severities, dates), and only the flexible ones (a rule id, a resource) are shortened, with
"…". A pipe or CI log is 80 columns (``$COLUMNS`` overrides); a wide terminal shows every column.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import click

GAP = "  "
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Col:
    header: str
    priority: int = 0  # 0 = always shown; higher numbers are dropped first on narrow terminals
    flex: bool = False  # may be shortened to fit
    cut: str = "right"  # which end a flexible column loses: "right" (keep the start) or "left" (keep the end)
    min_width: int = 8  # a flexible column is never narrower than this (nor than its header)
    want: int | None = None  # a flexible column this wide (or its full width) comes before optional columns
    right: bool = False  # right-align (numbers)
    style: Callable[[str], str | None] | None = None  # colour of a cell, by its text


def width() -> int:
    """The terminal's width; 80 when it is not a terminal (a pipe, a CI log) unless $COLUMNS says otherwise."""
    return shutil.get_terminal_size((80, 24)).columns


def fit(text: str, w: int, cut: str = "right") -> str:
    if len(text) <= w:
        return text
    if w <= 1:
        return ELLIPSIS[:w]
    return ELLIPSIS + text[-(w - 1) :] if cut == "left" else text[: w - 1] + ELLIPSIS


def layout(cols: Sequence[Col], rows: Sequence[Sequence[str]], total: int) -> tuple[list[int], list[int]]:
    """Which columns to show (indexes) and how wide each is, for a line of at most ``total`` characters."""
    natural = [max([len(c.header), *(len(r[i]) for r in rows)]) for i, c in enumerate(cols)]
    shown = list(range(len(cols)))

    def least(i: int) -> int:
        c = cols[i]
        return min(natural[i], max(c.min_width, len(c.header))) if c.flex else natural[i]

    def wanted(i: int) -> int:
        c = cols[i]
        return min(natural[i], c.want) if c.flex and c.want is not None else natural[i]

    def need(size: Callable[[int], int]) -> int:
        return sum(size(i) for i in shown) + len(GAP) * (len(shown) - 1)

    # optional columns go (least important first) while the flexible ones would not get what they want
    while need(wanted) > total and any(cols[i].priority > 0 for i in shown):
        shown.remove(max((i for i in shown if cols[i].priority > 0), key=lambda i: (cols[i].priority, i)))
    widths = {i: natural[i] for i in shown}
    flex = [i for i in shown if cols[i].flex]
    room = total - len(GAP) * (len(shown) - 1) - sum(natural[i] for i in shown if not cols[i].flex)
    # flexible columns in order: each takes what it needs, leaving the ones after it their minimum
    for n, i in enumerate(flex):
        rest = sum(least(j) for j in flex[n + 1 :])
        widths[i] = max(min(natural[i], room - rest), least(i))
        room -= widths[i]
    return shown, [widths[i] for i in shown]


def render(cols: Sequence[Col], rows: Sequence[Sequence[str]], total: int | None = None) -> list[str]:
    """The header line and one line per row, no line longer than ``total`` (unless even the fixed columns are wider)."""
    shown, widths = layout(cols, rows, width() if total is None else total)

    def line(cells: Sequence[str], header: bool) -> str:
        parts = []
        for n, (i, w) in enumerate(zip(shown, widths, strict=True)):
            c = cols[i]
            text = fit(cells[i], w, c.cut)
            padded = text.rjust(w) if c.right else text if n == len(shown) - 1 else text.ljust(w)
            colour = None if header or c.style is None else c.style(cells[i])
            parts.append(
                click.style(padded, bold=True)
                if header
                else click.style(padded, fg=colour)
                if colour
                else padded
            )
        return GAP.join(parts)

    return [line([c.header for c in cols], True), *(line(r, False) for r in rows)]


def echo_table(cols: Sequence[Col], rows: Sequence[Sequence[str]], *, title: str | None = None) -> None:
    """Print a title line, the header and the rows (colour only on a terminal)."""
    if title:
        click.echo(click.style(title, bold=True))
    for ln in render(cols, rows):
        click.echo(ln)


def unique_prefixes(ids: Sequence[str], least: int = 8) -> dict[str, str]:
    """The shortest prefix of each id (at least ``least`` characters) that no other id in ``ids`` shares."""
    out: dict[str, str] = {}
    for n in range(least, max((len(i) for i in ids), default=least) + 1):
        heads: dict[str, int] = {}
        for i in set(ids):
            heads[i[:n]] = heads.get(i[:n], 0) + 1
        for i in ids:
            if i not in out and heads.get(i[:n]) == 1:
                out[i] = i[:n]
        if len(out) == len(set(ids)):
            break
    for i in ids:
        out.setdefault(i, i)
    return out


SEVERITY_COLOUR = {"critical": "red", "high": "red", "medium": "yellow", "low": "cyan", "informational": None}


def severity_colour(text: str) -> str | None:
    return SEVERITY_COLOUR.get(text.lower())
