"""An inline SVG line chart of scores over time (no library, no script: it renders anywhere)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape

COLORS = ("#2563eb", "#d97706", "#059669", "#9333ea", "#dc2626", "#0891b2")
W, H = 760, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 150, 14, 30


def trend_svg(series: Mapping[str, Sequence[tuple[datetime, float | None]]], *, title: str = "Score over time") -> str:
    """One line per series (name -> [(time, score %)]); points without a score are skipped."""
    pts = {name: [(t, s) for t, s in values if s is not None] for name, values in series.items()}
    times = [t for values in pts.values() for t, _ in values]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="100%" role="img" '
        f'aria-label="{escape(title)}" class="trend"><title>{escape(title)}</title>'
    ]
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    for v in (0, 25, 50, 75, 100):
        gy = TOP + ph * (1 - v / 100)
        out.append(f'<line x1="{LEFT}" y1="{gy:.1f}" x2="{LEFT + pw}" y2="{gy:.1f}" stroke="#e5e7eb"/>')
        out.append(f'<text x="{LEFT - 6}" y="{gy + 4:.1f}" text-anchor="end" font-size="11" fill="#6b7280">{v}%</text>')
    if not times:
        out.append(f'<text x="{LEFT + pw / 2}" y="{TOP + ph / 2}" text-anchor="middle" fill="#6b7280">no scored scans yet</text></svg>')
        return "".join(out)
    t0, t1 = min(times), max(times)
    span = (t1 - t0).total_seconds()

    def x(t: datetime) -> float:
        return LEFT + (pw / 2 if span == 0 else pw * (t - t0).total_seconds() / span)

    def y(s: float) -> float:
        return TOP + ph * (1 - max(0.0, min(100.0, s)) / 100)

    labels = [t0] if span == 0 else [t0, t1]
    for t in labels:
        out.append(f'<text x="{x(t):.1f}" y="{H - 8}" text-anchor="middle" font-size="11" fill="#6b7280">{t.date().isoformat()}</text>')
    for i, (name, values) in enumerate(pts.items()):
        color = COLORS[i % len(COLORS)]
        if len(values) > 1:
            coords = " ".join(f"{x(t):.1f},{y(s):.1f}" for t, s in values)
            out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{coords}" data-series="{escape(name)}"/>')
        for t, s in values:
            out.append(
                f'<circle cx="{x(t):.1f}" cy="{y(s):.1f}" r="3.5" fill="{color}">'
                f"<title>{escape(name)} {t.isoformat(timespec='minutes')}: {s:.1f}%</title></circle>"
            )
        ly = TOP + 14 + i * 18
        last = values[-1][1] if values else None
        label = f"{name} {last:.1f}%" if last is not None else f"{name} n/a"
        out.append(f'<rect x="{W - RIGHT + 12}" y="{ly - 9}" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{W - RIGHT + 27}" y="{ly}" font-size="12" fill="#111827">{escape(label)}</text>')
    out.append("</svg>")
    return "".join(out)


SEV_COLORS = {"critical": "#7f1d1d", "high": "#dc2626", "medium": "#d97706", "low": "#0891b2", "informational": "#6b7280"}


def sparkline(points: Sequence[tuple[datetime, float | None]], *, width: int = 120, height: int = 28, label: str = "trend") -> str:
    """A small line of scores (0-100 %) over time, no axes; points without a score are skipped."""
    pts = [(t, s) for t, s in points if s is not None]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}" class="spark"><title>{escape(label)}</title>'
    ]
    if not pts:
        out.append("</svg>")
        return "".join(out)
    t0, t1 = pts[0][0], pts[-1][0]
    span = (t1 - t0).total_seconds()
    coords = []
    for t, s in pts:
        x = width / 2 if span == 0 else 2 + (width - 4) * (t - t0).total_seconds() / span
        y = 2 + (height - 4) * (1 - max(0.0, min(100.0, s)) / 100)
        coords.append(f"{x:.1f},{y:.1f}")
    if len(coords) == 1:
        coords.append(coords[0])
    out.append(f'<polyline fill="none" stroke="#2563eb" stroke-width="1.5" points="{" ".join(coords)}"/></svg>')
    return "".join(out)


def severity_bar(counts: Sequence[tuple[str, int]], *, width: int = 240, height: int = 14) -> str:
    """One stacked horizontal bar of open findings by severity (worst first)."""
    total = sum(n for _, n in counts)
    label = ", ".join(f"{n} {s}" for s, n in counts if n) or "no open findings"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}" class="sevbar"><title>{escape(label)}</title>'
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#e5e7eb"/>'
    ]
    x = 0.0
    for sev, n in counts:
        if not n or not total:
            continue
        w = width * n / total
        out.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" fill="{SEV_COLORS.get(sev, "#6b7280")}" data-severity="{escape(sev)}"/>')
        x += w
    out.append("</svg>")
    return "".join(out)


def bars_svg(points: Sequence[tuple[str, int, int]], *, title: str, width: int = 760, height: int = 160) -> str:
    """Columns per period: (label, total, highlighted part), e.g. gate runs and blocked runs per week."""
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" class="bars"><title>{escape(title)}</title>'
    ]
    top = max((t for _, t, _ in points), default=0)
    if not points or top == 0:
        out.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#6b7280">nothing in this period</text></svg>')
        return "".join(out)
    left, bottom = 30, 22
    pw, ph = width - left - 6, height - bottom - 8
    slot = pw / len(points)
    bw = max(2.0, slot * 0.7)
    out.append(f'<text x="{left - 4}" y="14" text-anchor="end" font-size="11" fill="#6b7280">{top}</text>')
    for i, (label, total, part) in enumerate(points):
        x = left + i * slot + (slot - bw) / 2
        h = ph * total / top
        hp = ph * part / top
        out.append(
            f'<g data-label="{escape(label)}"><title>{escape(label)}: {total} ({part})</title>'
            f'<rect x="{x:.1f}" y="{8 + ph - h:.1f}" width="{bw:.1f}" height="{h:.1f}" fill="#93c5fd"/>'
            f'<rect x="{x:.1f}" y="{8 + ph - hp:.1f}" width="{bw:.1f}" height="{hp:.1f}" fill="#dc2626"/></g>'
        )
    for i in (0, len(points) - 1):
        out.append(
            f'<text x="{left + i * slot + slot / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="11" fill="#6b7280">'
            f"{escape(points[i][0])}</text>"
        )
    out.append("</svg>")
    return "".join(out)
