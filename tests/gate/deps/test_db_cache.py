"""The advisory cache: `mamori db update` (HTTP through an injected transport, or --from DIR),
`mamori db status`, and `mamori gate deps` reading it. No test touches the network."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from mamori.gate.deps.cache import UpdateRequest, check_osv_zip, read_state, update
from mamori.gate.deps.epss import load_epss, parse_epss
from mamori.gate.deps.errors import AdvisoryDataError, OsvServiceError
from mamori.gate.deps.kev import sample_osv_dir
from mamori.gate.deps.service import DepsRequest, run_gate

FIX = Path(__file__).parent / "fixtures"
KEV = (sample_osv_dir().parent / "kev-sample.json").read_bytes()
EPSS = (FIX / "epss" / "epss_scores-current.csv.gz").read_bytes()
NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)


def osv_zip(eco: str) -> bytes:
    """A real export's shape: one OSV JSON per advisory, from the shipped samples and real fixtures."""
    buf = io.BytesIO()
    seen: set[str] = set()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for base in (FIX / "osv-real", sample_osv_dir()):
            for f in sorted(base.glob("*/*.json")):
                doc = json.loads(f.read_text())
                if f.name not in seen and any(a.get("package", {}).get("ecosystem") == eco
                                              for a in doc.get("affected", [])):  # fmt: skip
                    seen.add(f.name)
                    zf.writestr(f.name, f.read_bytes())
    return buf.getvalue()


class Server:
    """OSV's bucket, CISA and FIRST, in memory; ETags honoured with 304."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {
            "/PyPI/all.zip": osv_zip("PyPI"),
            "/Maven/all.zip": osv_zip("Maven"),
            "/sites/default/files/feeds/known_exploited_vulnerabilities.json": KEV,
            "/epss_scores-current.csv.gz": EPSS,
        }
        self.requests: list[tuple[str, str | None]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.requests.append((path, request.headers.get("If-None-Match")))
        body = self.files.get(path)
        if body is None:
            return httpx.Response(404)
        etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
        if request.headers.get("If-None-Match") == etag:
            return httpx.Response(304)
        return httpx.Response(200, content=body, headers={"ETag": etag})


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def fetch(root: Path, server: Server, now: datetime = NOW, **kw: object) -> object:
    req = UpdateRequest(now=now, ecosystems=("PyPI", "Maven"), root=root, transport=httpx.MockTransport(server),
                        **kw)  # type: ignore[arg-type]  # fmt: skip
    return update(req)


def test_update_fetches_every_source_and_records_dates_and_etags(root: Path) -> None:
    server = Server()
    result = fetch(root, server)
    state = read_state(root)
    keys = {s.key: s for s in state.sources}
    assert set(keys) == {"osv/PyPI", "osv/Maven", "kev", "epss"}
    assert keys["osv/PyPI"].count == 22 and keys["osv/PyPI"].etag  # 19 PyPA + 3 more shipped samples
    assert keys["kev"].count == 1 and keys["kev"].detail == "sample"
    assert keys["epss"].date == "2026-12-06" and keys["epss"].detail == "v2025.03.14" and keys["epss"].count == 6
    assert set(result.updated) == set(keys)  # type: ignore[attr-defined]
    # second run: the stored ETags are sent, 304 keeps the files
    result = fetch(root, server, NOW + timedelta(days=8))
    assert set(result.unchanged) == set(keys)  # type: ignore[attr-defined]
    # a 304 is a check: the sources are current as of now, not stale
    assert not read_state(root).stale(NOW + timedelta(days=8), 7)
    assert all(etag for path, etag in server.requests[-4:])
    assert (read_state(root).osv_dir / "PyPI" / "all.zip").is_file()  # type: ignore[operator]
    epss = read_state(root).epss_path  # the SQLite copy, kept across a 304
    assert epss is not None and epss.name == "epss.sqlite"
    assert load_epss(epss, only={"CVE-2021-44228", "CVE-1999-0001"}).scores == {"CVE-2021-44228": (0.94358, 0.99971)}


def test_a_failed_update_keeps_the_cache(root: Path) -> None:
    server = Server()
    fetch(root, server)
    before = read_state(root)
    bad = io.BytesIO()
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("GHSA-ok.json", json.dumps({"id": "GHSA-ok", "affected": []}))
        zf.writestr("GHSA-bad.json", '{"id": "GHSA-bad", "affected": [')
    server.files["/PyPI/all.zip"] = bad.getvalue()
    with pytest.raises(AdvisoryDataError) as err:
        fetch(root, server, NOW + timedelta(days=1))
    assert "PyPI/all.zip!GHSA-bad.json" in str(err.value)
    after = read_state(root)
    assert after.directory == before.directory and after.sources == before.sources
    assert len(list((root / "advisories.d").iterdir())) == 1  # the half-built generation is gone


def test_http_errors_are_runtime_errors_and_keep_the_cache(root: Path) -> None:
    server = Server()
    fetch(root, server)
    del server.files["/Maven/all.zip"]
    with pytest.raises(OsvServiceError, match="HTTP 404"):
        fetch(root, server, NOW + timedelta(days=1))
    assert read_state(root).sources


def test_zip_bombs_are_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "all.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("GHSA-big.json", b" " * (3 * 1024 * 1024))  # 3 MiB of spaces: ~3 KiB compressed
    with pytest.raises(AdvisoryDataError, match=r"200\:1"):
        check_osv_zip(bomb, "PyPI/all.zip")
    with pytest.raises(AdvisoryDataError, match="not a zip"):
        (tmp_path / "x.zip").write_bytes(b"PK\x03\x04 garbage")
        check_osv_zip(tmp_path / "x.zip", "x.zip")


def test_from_dir_imports_the_same_layout_offline(root: Path, tmp_path: Path) -> None:
    src = tmp_path / "mirror"
    (src / "PyPI").mkdir(parents=True)
    (src / "PyPI" / "all.zip").write_bytes(osv_zip("PyPI"))
    (src / "known_exploited_vulnerabilities.json").write_bytes(KEV)
    shutil.copy(FIX / "epss" / "epss_scores-current.csv.gz", src)
    result = update(UpdateRequest(now=NOW, from_dir=src, root=root))
    assert set(result.updated) == {"osv/PyPI", "kev", "epss"}
    with pytest.raises(AdvisoryDataError, match=r"no Maven/all\.zip"):
        update(UpdateRequest(now=NOW, ecosystems=("Maven",), from_dir=src, root=root))
    assert {s.key for s in read_state(root).sources} == {"osv/PyPI", "kev", "epss"}


def test_the_gate_reads_the_cache_and_prints_each_source_date(root: Path, tmp_path: Path) -> None:
    fetch(root, Server())
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "pom.xml").write_text((FIX / "maven" / "pom.xml").read_text())
    report = run_gate(DepsRequest(tmp_path / "p", NOW + timedelta(days=1), cache_dir=root, record=False)).report
    log4j = next(p for p in report.packages if p.package.name.endswith("log4j-core"))
    assert log4j.rule.value == "kev"  # KEV from the cache, no --kev needed
    assert ("epss", "2026-12-06", "v2025.03.14") in report.data_sources
    v = log4j.vulns[0].vulnerability
    assert v.risk is not None and any(f.factor == "epss" and f.value.startswith("0.94358") for f in v.risk.factors)
    assert not [n for n in report.notices if "older than" in n.message]
    stale = run_gate(DepsRequest(tmp_path / "p", NOW + timedelta(days=9), cache_dir=root, record=False)).report
    assert any("older than 7 days" in n.message and "mamori db update" in n.message for n in stale.notices)


def test_cli_db_update_status_and_gate(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mamori.cli.main import cli

    monkeypatch.setenv("MAMORI_CACHE_DIR", str(root))
    runner = CliRunner()
    out = runner.invoke(cli, ["db", "status"])
    assert out.exit_code == 0 and "empty: run `mamori db update`" in out.output
    out = runner.invoke(cli, ["db", "update", "--ecosystems", "PyPI,Maven"], obj={"db_transport": httpx.MockTransport(Server())})
    assert out.exit_code == 0, out.output
    assert "osv/PyPI" in out.output and "updated" in out.output
    out = runner.invoke(cli, ["db", "status", "-o", "json"])
    doc = json.loads(out.output)
    assert doc["empty"] is False and {s["key"] for s in doc["sources"]} == {"osv/PyPI", "osv/Maven", "kev", "epss"}
    assert all(s["stale"] is False for s in doc["sources"])
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "requirements.txt").write_text("requests==2.19.0\n")
    out = runner.invoke(cli, ["gate", "deps", str(tmp_path / "p"), "--no-record"])
    assert out.exit_code == 0, out.output
    assert "data as of: " in out.output and "kev " in out.output and "upgrade to 2.31.0" in out.output
    bad = tmp_path / "bad"
    (bad / "PyPI").mkdir(parents=True)
    (bad / "PyPI" / "all.zip").write_bytes(b"not a zip")
    out = runner.invoke(cli, ["db", "update", "--from", str(bad), "--ecosystems", "PyPI"])
    assert out.exit_code == 2 and "PyPI/all.zip" in out.output


def test_epss_reader_bounds_and_errors(tmp_path: Path) -> None:
    scores = load_epss(FIX / "epss" / "epss_scores-current.csv.gz")
    assert scores.scores["CVE-2021-44228"] == (0.94358, 0.99971) and scores.date == "2026-12-06"
    only = load_epss(FIX / "epss" / "epss_scores-current.csv.gz", only={"CVE-2017-7525"})
    assert list(only.scores) == ["CVE-2017-7525"]
    for body, where in ((b"cve,epss,percentile\nCVE-2021-1,x,0.1\n", ":2"), (b"cve,epss\n", ":1"),
                        (b"cve,epss,percentile\nCVE-2021-1,1.5,0.1\n", ":2")):  # fmt: skip
        with pytest.raises(AdvisoryDataError) as err:
            parse_epss(io.BytesIO(body), "e.csv")
        assert f"e.csv{where}" in str(err.value)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_epss_reader_never_crashes(data: bytes) -> None:
    with contextlib.suppress(AdvisoryDataError):
        parse_epss(io.BytesIO(b"cve,epss,percentile\n" + data), "fuzz.csv")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["GHSA-a.json", "x/y.json", "b.txt"]), st.binary(max_size=200)), max_size=4))
def test_osv_zip_check_never_crashes(tmp_path_factory: pytest.TempPathFactory, members: list[tuple[str, bytes]]) -> None:
    path = tmp_path_factory.mktemp("z") / "all.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, body in members:
            zf.writestr(name, body)
    with contextlib.suppress(AdvisoryDataError):
        check_osv_zip(path, "all.zip")
