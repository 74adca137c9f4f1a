"""The report in a real headless browser (Debian's chromium): what a person sees after the script ran.

Chromium must be installed (`.ci/services.sh` installs it); without it this test fails,
it is never skipped. ``--dump-dom`` cannot click, so the filters are driven through the
URL fragment the page reads (``#severity=critical``, ``#open=<finding id>``, ...).
"""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mamori.report import ReportData

from ..standards.conftest import DEV, PROD

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
)  # fmt: skip


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.fail("chromium is not installed: run `make browsers` (make test does) or `apt-get install -y chromium`")
    return exe


class Page(HTMLParser):
    """The parts of the rendered DOM the assertions need."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, str]] = []
        self.details: list[str] = []
        self.count = ""
        self.scores: dict[tuple[str, str], str] = {}
        self._stack: list[str] = []
        self._cat: tuple[str, str] | None = None
        self._in_detail = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        cls = a.get("class", "")
        if tag == "tr" and cls == "finding":
            self.rows.append(a)
        if tag == "tr" and cls == "detail":
            self._in_detail = True
            self.details.append("")
        if tag == "tr" and cls == "category":
            self._cat = (a["data-standard"], a["data-category"])
        if tag == "td" and "score" in cls and self._cat:
            self.scores[self._cat] = ""
        self._stack.append(a.get("id", "") + "|" + cls)

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._cat = None
            self._in_detail = False
        if self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        top = self._stack[-1] if self._stack else ""
        if top.startswith("findings-count|"):
            self.count += data
        if self._in_detail:
            self.details[-1] += data
        if self._cat and "score" in top and self._cat in self.scores:
            self.scores[self._cat] += data.strip()


def dump(exe: str, url: str, profile: Path) -> Page:
    proc = subprocess.run(
        [exe, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", url], capture_output=True, text=True, timeout=90, check=False
    )
    assert proc.returncode == 0 and "<html" in proc.stdout, proc.stderr[-2000:]
    page = Page()
    page.feed(proc.stdout)
    return page


def test_a_person_sees_scores_findings_filters_and_fixes(report_file: Path, report_data: ReportData, tmp_path: Path) -> None:
    exe = chromium()
    by_res = {f["resource"]: f for f in report_data.findings}
    v3 = by_res["v3"]["id"]
    urls = {
        "default": "",
        "critical": "#severity=critical",
        "dev": f"#account={DEV}&q=d1",
        "resolved": "#status=RESOLVED",
        "rule": f"#rule=t_volume_unencrypted&open={v3[:10]}",
    }
    base = report_file.as_uri()
    with ThreadPoolExecutor(max_workers=2) as pool:
        futs = {k: pool.submit(dump, exe, base + frag, tmp_path / f"profile-{k}") for k, frag in urls.items()}
        pages = {k: f.result() for k, f in futs.items()}
    default = pages["default"]
    # category scores as the server computed them
    base_view = report_data.views[0]
    for cat in ("2", "4", "*"):
        sc = base_view.scores[cat].score
        assert default.scores[("baseline", cat)] == f"{sc:.1f}%", cat
    # open findings by default: 6 of the 7 stored (b1 was fixed)
    assert default.count.startswith("6 of 7 findings shown")
    assert {r["data-finding-id"] for r in default.rows} == {f["id"] for f in report_data.findings if f["status"] in ("NEW", "NOTIFIED")}
    assert v3 in {r["data-finding-id"] for r in default.rows}
    # filters hide rows
    crit = pages["critical"]
    assert crit.count.startswith("2 of 7") and {r["data-severity"] for r in crit.rows} == {"critical"}
    assert {by_res[r]["id"] for r in ("b2", "evil</script><b>x")} == {r["data-finding-id"] for r in crit.rows}
    assert [r["data-account"] for r in pages["dev"].rows] == [DEV] and pages["dev"].rows[0]["data-finding-id"] == by_res["d1"]["id"]
    assert [r["data-finding-id"] for r in pages["resolved"].rows] == [by_res["b1"]["id"]]
    rule = pages["rule"]
    assert sorted((r["data-rule"], r["data-account"]) for r in rule.rows) == [("t_volume_unencrypted", PROD)] * 2 + [("t_volume_unencrypted", DEV)]
    # a finding unfolded (#open=<id>): its evidence and the rule's remediation
    opened = rule
    assert v3 in [r["data-finding-id"] for r in opened.rows] and len(opened.details) == 1
    assert "Copy to an encrypted snapshot and restore from it." in opened.details[0] and '"encrypted": false' in opened.details[0]


def test_screenshot_renders(report_file: Path, tmp_path: Path) -> None:
    exe = chromium()
    shot = tmp_path / "report.png"
    proc = subprocess.run(
        [exe, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,2000", f"--screenshot={shot}", report_file.as_uri()],
        capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_a_missing_chromium_is_a_failure_not_a_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception, match="chromium is not installed"):
        chromium()
