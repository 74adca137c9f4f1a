"""``-o table`` (the default): one block per package that needs attention, clean packages summed up.

``all_packages=True`` (``--all``) lists every clean package on its own line as well.
"""

from __future__ import annotations

from mamori.gate.deps.model import DepsReport, PackageDecision, Verdict, VulnDecision
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


def package_block(p: PackageDecision) -> list[str]:
    pkg = p.package
    label = verdict_label(p.verdict, p.deadline).ljust(WIDTH - 1)
    pad = " " * WIDTH
    head = f"{label} {pkg.ecosystem.value} {pkg.name} {pkg.version or pkg.spec}"
    if p.vulns:
        head += f" -> upgrade to {p.upgrade_to}" if p.upgrade_to else " -> no fixed version known"
    head += f"  ({', '.join(p.sources)})"
    if not p.vulns:
        return [head, f"{pad}{p.reason}"]
    return [head] + [f"{pad}{_vuln_line(d)}" for d in p.vulns]


class TableFormat(OutputFormat):
    name = "table"

    def __init__(self, all_packages: bool = False) -> None:
        self.all_packages = all_packages

    def render(self, report: DepsReport) -> str:
        out = [f"mamori gate deps: {report.project}" + (f" (team {report.team})" if report.team else "")
               + (f" at {report.commit[:12]}" if report.commit else "")]  # fmt: skip
        out.append(f"advisories: {report.data_source}")
        out.append(f"policy: {report.policy_source or 'built-in defaults'}")
        out.append(f"files: {', '.join(report.files) or 'none found'}")
        out.append("")
        clean = [p for p in report.packages if p.verdict is Verdict.PASS and not p.vulns]
        for p in report.packages:
            if p in clean:
                continue
            out.extend(package_block(p))
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
            out += ["", "notices:"] + [f"  {n}" for n in report.notices]
        if report.errors:
            out += ["", "errors (these files were not audited):"] + [f"  {e}" for e in report.errors]
        c = report.counts()
        status = "INCOMPLETE" if report.errors else "BLOCKED" if report.blocked else "OK"
        out += [
            "",
            f"{c['packages']} package(s): {c['BLOCK']} BLOCK, {c['FIX_BY']} FIX BY, {c['UNPINNED']} UNPINNED, "
            f"{c['PASS']} PASS; {c['vulnerabilities']} vulnerabilit{'y' if c['vulnerabilities'] == 1 else 'ies'}"
            f" -> {status} (exit {report.exit_code})",
        ]
        return "\n".join(out) + "\n"


register(TableFormat)
