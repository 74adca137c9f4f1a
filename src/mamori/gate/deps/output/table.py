"""``-o table`` (the default): one block per package that needs attention, clean packages summed up.

``all_packages=True`` (``--all``) lists every clean package on its own line as well.
"""

from __future__ import annotations

import shutil
import textwrap

from mamori.gate.deps.model import DepsReport, PackageDecision, Verdict, VulnDecision, Vulnerability
from mamori.gate.deps.output.interface import OutputFormat, register

WIDTH = 18


def verdict_label(verdict: Verdict, deadline: object = None) -> str:
    if verdict is Verdict.FIX_BY:
        return f"FIX BY {deadline}" if deadline else "FIX BY"
    return verdict.value


def _vuln_line(d: VulnDecision) -> str:
    v = d.vulnerability
    ids = v.id + (f" ({', '.join(v.aliases)})" if v.aliases else "")
    sev = v.severity.value if v.severity else "unknown severity"
    score = f" {v.score:.1f}" if v.score is not None else ""
    label = "" if d.verdict is Verdict.FIX_BY else f"{d.verdict.value}: "
    return f"{ids} {sev}{score}: {label}{d.reason}"


def risk_line(v: Vulnerability) -> str | None:
    """``risk: scheduled (exploitation none; automatable yes; exposure open*; ...)``; * = an assumed default."""
    if v.risk is None:
        return None
    parts = []
    for f in v.risk.factors:
        mark = "*" if f.default else ""
        parts.append(f"{f.factor} {f.value}{mark}")
    tail = " (* assumed: context missing)" if any(f.default for f in v.risk.factors) else ""
    return f"risk: {v.risk.decision} <- " + "; ".join(parts) + tail


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    """Wrap at spaces only: ids, versions and paths are never split (a long one overflows its line)."""
    return textwrap.wrap(text, width=max(width, 40), initial_indent=first, subsequent_indent=rest,
                         break_long_words=False, break_on_hyphens=False) or [first.rstrip()]  # fmt: skip


def package_block(p: PackageDecision, width: int = 80) -> list[str]:
    """The package line, where it was found, then one entry per advisory, wrapped to ``width``."""
    pkg = p.package
    label = verdict_label(p.verdict, p.deadline).ljust(WIDTH - 1)
    pad = " " * WIDTH
    head = f"{label} {pkg.ecosystem.value} {pkg.name} {pkg.version or pkg.spec}"
    if p.vulns:
        head += f" -> upgrade to {p.upgrade_to}" if p.upgrade_to else " -> no version clears every known advisory"
    lines = _wrap(head, width, "", pad)
    lines += _wrap(f"in {', '.join(p.sources)}", width, pad, pad + "   ")
    if not p.vulns:
        return lines + _wrap(p.reason, width, pad, pad + "  ")
    for d in p.vulns:
        lines += _wrap(_vuln_line(d), width, pad, pad + "  ")
        risk = risk_line(d.vulnerability)
        if risk:
            lines += _wrap(risk, width, pad + "  ", pad + "    ")
    return lines


class TableFormat(OutputFormat):
    name = "table"

    def __init__(self, all_packages: bool = False, width: int | None = None) -> None:
        self.all_packages = all_packages
        # $COLUMNS, else the terminal, else 80 (what a pipe or a CI log gets)
        self.width = width or shutil.get_terminal_size((80, 24)).columns

    def render(self, report: DepsReport) -> str:
        out = [f"mamori gate deps: {report.project}" + (f" (team {report.team})" if report.team else "")
               + (f" at {report.commit[:12]}" if report.commit else "")]  # fmt: skip
        out += _wrap(f"advisories: {report.data_source}", self.width, "", "  ")
        if report.data_sources:
            dated = ", ".join(f"{k} {d}" + (f" ({x})" if x else "") for k, d, x in report.data_sources)
            out += _wrap(f"data as of: {dated}", self.width, "", "  ")
        out += _wrap(f"policy: {report.policy_source or 'built-in defaults'}", self.width, "", "  ")
        files = f"files ({len(report.files)}): {', '.join(report.files)}" if report.files else "files: none found"
        out += _wrap(files, self.width, "", "  ")
        out.append("")
        clean = [p for p in report.packages if p.verdict is Verdict.PASS and not p.vulns]
        for p in report.packages:
            if p in clean:
                continue
            out.extend(package_block(p, self.width))
        if self.all_packages:
            for p in clean:
                out.append(
                    f"{'PASS'.ljust(WIDTH)}{p.package.ecosystem.value} {p.package.name} {p.package.version}"
                )
        elif clean:
            out.append(
                f"{'PASS'.ljust(WIDTH)}{len(clean)} package(s) with no known vulnerabilities (--all lists them)"
            )
        if report.notices:
            out += ["", "notices:"] + [ln for n in report.notices for ln in _wrap(str(n), self.width, "  ", "    ")]
        if report.errors:
            out += ["", "errors (these files were not audited):"]
            out += [ln for e in report.errors for ln in _wrap(str(e), self.width, "  ", "    ")]
        c = report.counts()
        status = "INCOMPLETE" if report.errors else "BLOCKED" if report.blocked else "OK"
        summary = (
            f"{c['packages']} package(s): {c['BLOCK']} BLOCK, {c['FIX_BY']} FIX BY, {c['UNPINNED']} UNPINNED, "
            f"{c['PASS']} PASS; {c['vulnerabilities']} vulnerabilit{'y' if c['vulnerabilities'] == 1 else 'ies'}"
            f" -> {status} (exit {report.exit_code})"
        )
        out += ["", *_wrap(summary, self.width, "", "  ")]
        return "\n".join(out) + "\n"


register(TableFormat)
