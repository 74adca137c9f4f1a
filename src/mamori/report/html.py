"""Render the report as one self-contained HTML file: inline CSS and JS, data embedded as JSON.

Scores, coverage, the trend chart, control statuses and remediation texts are rendered
here (they show without JavaScript); the findings table with its filters is built by the
page's script from the embedded data. The filters read the URL fragment
(``report.html#severity=high&status=open&account=...&rule=...&q=...``; ``open=<finding
id>`` unfolds that finding's evidence and remediation), so a filtered view can be
bookmarked or linked. A Content-Security-Policy forbids every network load:
the file works offline.
"""

from __future__ import annotations

from html import escape
from importlib import resources
from typing import Any

import orjson

from mamori import __version__
from mamori.model.score import ScoreRow
from mamori.report.data import ReportData
from mamori.report.overview import Overview
from mamori.report.svg import severity_bar, sparkline, trend_svg
from mamori.standards.score import ALL, CoverageRow
from mamori.standards.view import StandardView


def _json_for_script(data: Any) -> str:
    raw = orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS).decode()
    return raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.1f}%"


def _bar(v: float | None) -> str:
    if v is None:
        return ""
    cls = "bar" if v >= 90 else "bar warn" if v >= 70 else "bar bad"
    return f'<span class="{cls}"><span style="width:{max(0.0, min(100.0, v)):.1f}%"></span></span>'


def _cat_label(cid: str, title: str) -> str:
    if cid == title:
        return escape(title)
    if cid[:1].isdigit():
        return f"{escape(cid)}. {escape(title)}"
    return f"{escape(title)} ({escape(cid)})"


def _score_table(v: StandardView) -> str:
    rows = []
    cats: list[tuple[str, str]] = [(c.id, c.title) for c in v.standard.categories] + [(ALL, "overall")]
    for cid, title in cats:
        sc: ScoreRow | None = v.scores.get(cid)
        cov: CoverageRow | None = v.coverage.get(cid)
        s = sc.score if sc else None
        label = "<strong>overall</strong>" if cid == ALL else _cat_label(cid, title)
        rows.append(
            f'<tr class="category" data-standard="{escape(v.standard.id)}" data-category="{escape(cid)}">'
            f"<td>{label}</td><td class=\"num score\">{_bar(s)}{_pct(s)}</td>"
            f'<td class="num">{sc.passed if sc else 0} / {sc.failed if sc else 0} / {sc.unknown if sc else 0}</td>'
            f'<td class="num">{cov.machine if cov else 0}</td><td class="num">{cov.attested if cov else 0}</td>'
            f'<td class="num">{cov.not_covered if cov else 0}</td><td class="num">{cov.failing if cov else 0}</td></tr>'
        )
    head = (
        "<thead><tr><th>category</th><th class=\"num\">score</th><th class=\"num\">results pass / fail / unknown</th>"
        '<th class="num">controls by machine</th><th class="num">attested</th><th class="num">not covered</th>'
        '<th class="num">failing controls</th></tr></thead>'
    )
    return f'<table class="scores" id="scores-{escape(v.standard.id)}">{head}<tbody>{"".join(rows)}</tbody></table>'


def _controls_table(v: StandardView) -> str:
    rows = []
    for s in v.states:
        a = s.attestation
        extra = f"by {escape(a.by)} until {a.expires_at.date().isoformat()}: {escape(a.evidence)}" if a else ""
        if s.note:
            extra = f"{extra}; {escape(s.note)}" if extra else escape(s.note)
        rules = ", ".join(f"<code>{escape(r)}</code>" for r in s.rules)
        if s.rules:
            rules += f' <span class="muted">({s.passed}/{s.failed}/{s.unknown})</span>'
        cls = "st-" + s.status.value.replace(" ", "-")
        rows.append(
            f'<tr class="control" data-control="{escape(s.control.id)}" data-status="{escape(s.status.value)}">'
            f"<td>{escape(s.control.id)}</td><td>{escape(s.control.title)}</td><td>{escape(s.coverage.value)}</td>"
            f'<td class="{cls}">{escape(s.status.value)}</td><td>{rules}</td><td>{extra}</td></tr>'
        )
    return (
        "<table class=\"controls\"><thead><tr><th>control</th><th>title</th><th>coverage</th><th>status</th>"
        f"<th>rules (pass/fail/unknown results)</th><th>attestation / note</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _header(d: ReportData) -> str:
    scan = d.views[0].scan if d.views else None
    acct = "all accounts" if d.account == ALL else f"account {escape(d.account)}"
    if scan is None:
        line = "no scan stored yet: run <code>mamori scan</code>"
    else:
        line = (
            f"scan <code>{escape(scan.id[:8])}</code> finished {escape(scan.finished_at.isoformat(timespec='seconds'))}: "
            f"{scan.resources} resources in {len(scan.accounts)} account(s), "
            f"{len([r for r in scan.regions if r != 'global'])} region(s)"
        )
    return (
        f"<h1>{escape(d.title)}</h1><div class=\"muted\">{line} · {acct} · generated "
        f"{escape(d.generated_at.isoformat(timespec='seconds'))} by mamori {escape(__version__)}</div>"
    )


def _counts(ov: Overview) -> str:
    """The counts at the top: open findings by severity, overdue, fixed and suppressed."""
    tiles = [
        f'<div class="tile sev-tile" data-severity="{escape(s)}"><span class="n">{n}</span><span class="sev sev-{escape(s)}">{escape(s)}</span></div>'
        for s, n in ov.open.items()
    ]
    tiles.append(f'<div class="tile" data-count="open"><span class="n">{ov.open.total}</span><span>open</span></div>')
    tiles.append(f'<div class="tile" data-count="overdue"><span class="n overdue">{ov.overdue}</span><span>past their SLA</span></div>')
    for st in ("RESOLVED", "SUPPRESSED"):
        tiles.append(f'<div class="tile" data-count="{st.lower()}"><span class="n">{ov.statuses.get(st, 0)}</span><span>{st.lower()}</span></div>')
    return f'<section id="counts"><h2>Open findings</h2><div class="tiles">{"".join(tiles)}</div>{severity_bar(ov.open.items(), width=600)}</section>'


def _sev_cells(items: list[tuple[str, int]]) -> str:
    return "".join(f'<td class="num">{n}</td>' for _, n in items)


_SEV_HEAD = "".join(f'<th class="num">{s}</th>' for s in ("critical", "high", "medium", "low", "info"))


def _breakdown(ov: Overview, d: ReportData) -> str:
    rows = []
    for a in ov.by_account:
        score = a.scores.get("baseline")
        rows.append(
            f'<tr class="by-account" data-account="{escape(a.account)}"><td>{escape(a.account)}</td>{_sev_cells(a.open.items())}'
            f'<td class="num">{a.open.total}</td><td class="num">{a.overdue}</td><td class="num">{_pct(score)}</td>'
            f"<td>{sparkline(a.trend, label=f'baseline score of {a.account}')}</td></tr>"
        )
    more = ""
    if ov.accounts > len(ov.by_account):
        more = f'<p class="muted">the {len(ov.by_account)} worst of {ov.accounts} accounts</p>'
    acct = (
        '<h3>By account</h3><table class="breakdown" id="by-account"><thead><tr><th>account</th>'
        f'{_SEV_HEAD}<th class="num">open</th><th class="num">overdue</th><th class="num">baseline</th><th>trend</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{more}"
    )
    srows = [
        f'<tr class="by-service" data-service="{escape(s.service)}"><td>{escape(s.service)}</td>{_sev_cells(s.open.items())}'
        f'<td class="num">{s.open.total}</td></tr>'
        for s in ov.by_service
    ]
    svc = (
        f'<h3>By service</h3><table class="breakdown" id="by-service"><thead><tr><th>service</th>{_SEV_HEAD}<th class="num">open</th>'
        f"</tr></thead><tbody>{''.join(srows)}</tbody></table>"
    )
    return f'<section id="breakdown"><h2>Where the open findings are</h2>{acct}{svc}</section>'


def _rules_section(d: ReportData) -> str:
    open_count: dict[str, int] = {}
    for f in d.findings:
        if f["status"] in ("NEW", "NOTIFIED"):
            open_count[f["rule"]] = open_count.get(f["rule"], 0) + 1
    order = {r.rule_id: i for i, r in enumerate(d.overview.fixes)} if d.overview else {}
    items = []
    for rid in sorted(d.rules, key=lambda r: (order.get(r, len(order)), -open_count.get(r, 0), r)):
        r = d.rules[rid]
        refs = "".join(f'<li><a href="{escape(u)}">{escape(u)}</a></li>' for u in r.get("references") or [])
        ctl = "; ".join(f"{escape(k)} {escape(', '.join(v))}" for k, v in (r.get("controls") or {}).items())
        items.append(
            f'<details class="rule" data-rule="{escape(rid)}"><summary><span class="sev sev-{escape(r["severity"])}">{escape(r["severity"])}</span> '
            f"{escape(r['title'])} <code>{escape(rid)}</code> <span class=\"muted\">({open_count.get(rid, 0)} open)</span></summary>"
            f"<p class=\"muted\">{ctl} · {escape(r.get('guardrail', ''))}</p>"
            f"<h3>Why it matters</h3><p>{escape(r['rationale'])}</p>"
            f"<h3>How to fix</h3><p class=\"remediation\">{escape(r['remediation'])}</p>"
            + (f"<ul>{refs}</ul>" if refs else "")
            + "</details>"
        )
    if not items:
        return ""
    return (
        '<section id="remediation"><h2>How to fix: rules with findings</h2>'
        '<p class="muted">Worst first: severity weight (critical 10, high 5, medium 3, low 1) x open findings.</p>'
        f'{"".join(items)}</section>'
    )


def _drift_section(d: ReportData) -> str:
    if not d.drifts:
        return ""
    items = [f"<li>{escape(x.headline())}</li>" for x in d.drifts]
    base = d.drifts[0]
    rows = []
    for it in base.worsened[:10]:
        f = it.finding
        rows.append(
            f'<tr class="drift" data-finding-id="{escape(f.id)}"><td><span class="sev sev-{f.severity.value}">{f.severity.value}</span></td>'
            f"<td>{escape(it.change)}</td><td>{escape(_title(d, f.rule_id, f.title))}</td><td>{escape(f.resource_id)}</td>"
            f"<td>{escape(f.account)} / {escape(f.region)}</td><td>{escape(', '.join(it.controls))}</td></tr>"
        )
    table = ""
    if rows:
        more = f'<p class="muted">… and {len(base.worsened) - 10} more</p>' if len(base.worsened) > 10 else ""
        table = (
            f"<h3>Opened or reopened since {escape(base.from_scan.finished_at.date().isoformat())} ({escape(base.standard.id)})</h3>"
            "<table><thead><tr><th>severity</th><th>change</th><th>rule</th><th>resource</th><th>account / region</th>"
            f"<th>controls</th></tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"
        )
    return f'<section id="drift"><h2>Since the previous scan</h2><ul class="summary">{"".join(items)}</ul>{table}</section>'


def _title(d: ReportData, rule_id: str, fallback: str) -> str:
    r = d.rules.get(rule_id)
    return str(r["title"]) if r else fallback


def render(d: ReportData) -> str:
    body = [_counts(d.overview)] if d.overview else []
    body.append('<section id="summary"><h2>Compliance</h2><ul class="summary">')
    for v in d.views:
        body.append(f'<li data-standard="{escape(v.standard.id)}"><strong>{escape(v.standard.title)}</strong>: {escape(v.explain())}</li>')
    body.append("</ul>")
    if d.views and d.views[0].note:
        body.append(f'<p class="muted">{escape(d.views[0].note)}</p>')
    body.append(
        '<p class="muted">The score is the machine-checked weight passing (weights by severity: critical 10, high 5, '
        "medium 3, low 1, informational 0; UNKNOWN results are left out). Attested and uncovered controls are "
        "counted beside it, never in it.</p></section>"
    )
    body.append(_drift_section(d))
    body.append('<section id="trend"><h2>Trend</h2>')
    body.append(trend_svg({sid: pts for sid, pts in d.trend.items()}, title="Score over time (all categories)"))
    body.append("</section>")
    if d.overview:
        body.append(_breakdown(d.overview, d))
    for v in d.views:
        body.append(f'<section class="standard" id="standard-{escape(v.standard.id)}"><h2>{escape(v.standard.title)}: score by category</h2>')
        body.append(_score_table(v))
        body.append(f"<details><summary>Every control ({len(v.states)}): status, rules, attestations</summary>{_controls_table(v)}</details></section>")
    template = (resources.files("mamori.report") / "template.html").read_text(encoding="utf-8")
    return (
        template.replace("__MAMORI_VERSION__", escape(__version__))
        .replace("__MAMORI_TITLE__", escape(d.title))
        .replace("__MAMORI_HEADER__", _header(d))
        .replace("__MAMORI_BODY__", "\n".join(body))
        .replace("__MAMORI_RULES__", _rules_section(d))
        .replace("__MAMORI_DATA__", _json_for_script(d.to_json()))
    )
