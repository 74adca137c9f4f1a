"""``-o text`` (default): what was found, where, and how to allow a false positive."""

from __future__ import annotations

from mamori.gate.secrets.model import ScanResult
from mamori.gate.secrets.report import FORMATS, ReportContext


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"


@FORMATS.register("text")
def render_text(result: ScanResult, ctx: ReportContext) -> str:
    st = result.stats
    lines: list[str] = []
    n = len(result.findings)
    scope = {
        "history": f"{st.commits} commits, {st.blobs} blobs, {_mb(st.bytes)}",
        "staged": f"{st.files} staged files, {_mb(st.bytes)}",
    }.get(ctx.mode, f"{st.files} files, {_mb(st.bytes)}")
    head = f"{n} secret{'s' if n != 1 else ''} found" if n else "no secrets found"
    lines.append(f"mamori gate secrets: {head} ({scope} scanned)")
    for f in sorted(result.findings, key=lambda f: (-f.severity.rank, f.file, f.line)):
        lines.append("")
        lines.append(f"  {f.severity.value.upper():<8}  {f.title}  [{f.detector}]")
        lines.append(f"    {f.file}:{f.line}:{f.column}   {f.redacted}")
        if f.commit:
            lines.append(f"    introduced in {f.commit.sha[:12]} by {f.commit.author} on {f.commit.date[:10]}")
        if f.verified:
            lines.append(f"    verification: {f.verified.value}")
        lines.append(f"    fingerprint {f.fingerprint}")
    if result.suppressed:
        by: dict[str, int] = {}
        for s in result.suppressed:
            by[s.by.value] = by.get(s.by.value, 0) + 1
        parts = ", ".join(f"{v} by {k}" for k, v in sorted(by.items()))
        lines.append("")
        lines.append(f"{len(result.suppressed)} known finding(s) silenced ({parts}).")
    if result.expired_allowlist:
        lines.append("")
        lines.append("Expired allowlist entries no longer silence these findings:")
        lines.extend(f"  - {e}" for e in result.expired_allowlist)
    if st.long_line_files:
        lines.append("")
        shown = ", ".join(st.long_line_files[:5]) + (" ..." if len(st.long_line_files) > 5 else "")
        lines.append(
            f"note: {len(st.long_line_files)} file(s) have very long lines (minified?); "
            f"those lines were scanned in windows around keywords: {shown}"
        )
    if st.skipped_binary or st.skipped_large:
        lines.append(f"note: skipped {st.skipped_binary} binary and {st.skipped_large} oversized file(s).")
    if n:
        cfg = ctx.config_path or ".mamori-secrets.yaml"
        lines += [
            "",
            "What now:",
            "  - A real secret: remove it, rotate it at the provider (once pushed it is compromised),",
            "    and load it from a secret store or the environment instead.",
            "  - A false positive: add a comment on that line:   # mamori:allow <why this is not a secret>",
            f"    or an exact allowlist entry in {cfg}:",
            "        allowlist:",
            f"          - fingerprint: {result.findings[0].fingerprint}",
            "            reason: <why>",
            "            expires: <YYYY-MM-DD>",
            f"  - Accept all current findings as known: mamori gate secrets --update-baseline {ctx.baseline_hint}",
        ]
        if ctx.mode == "staged":
            lines.append("  - Commit anyway (not recommended): git commit --no-verify")
    return "\n".join(lines) + "\n"
