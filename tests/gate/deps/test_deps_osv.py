"""Advisory sources: the offline index (all.zip layout, loose JSON, rebuilds) and the OSV API via a mock transport."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import httpx
import pytest

from mamori.gate.deps.errors import AdvisoryDataError, OsvServiceError
from mamori.gate.deps.kev import load_kev, parse_kev, sample_kev, sample_osv_dir
from mamori.gate.deps.model import Ecosystem, Package
from mamori.gate.deps.osv.local import LocalOsvSource
from mamori.gate.deps.osv.online import OnlineOsvSource
from mamori.gate.deps.osv.record import parse_advisory
from mamori.gate.deps.severity import assess, base_score
from mamori.model.finding import Severity


def make_all_zip(dest: Path) -> Path:
    """The OSV export layout: <dir>/<Ecosystem>/all.zip, one JSON per advisory."""
    for eco_dir in sorted(p for p in sample_osv_dir().iterdir() if p.is_dir()):
        (dest / eco_dir.name).mkdir(parents=True)
        with zipfile.ZipFile(dest / eco_dir.name / "all.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            for f in sorted(eco_dir.glob("*.json")):
                zf.writestr(f.name, f.read_text())
    return dest


def ids(source: LocalOsvSource | OnlineOsvSource, pkg: Package) -> set[str]:
    return {a.id for advs in source.advisories_for([pkg]).values() for a in advs}


def test_all_zip_layout_is_indexed_once_and_reused(tmp_path: Path) -> None:
    data = make_all_zip(tmp_path / "osv")
    cache = tmp_path / "cache"
    first = LocalOsvSource(data, cache=cache)
    assert first.rebuilt and first.count == 15  # 11 language + 4 distribution (Debian, Alpine) records
    assert ids(first, Package(Ecosystem.MAVEN, "org.apache.logging.log4j:log4j-core", "2.14.1")) == {
        "GHSA-jfh8-c2jp-5v3q", "GHSA-7rjr-3q55-vv33"}  # fmt: skip
    second = LocalOsvSource(data, cache=cache)
    assert not second.rebuilt and second.count == 15
    assert len(list(cache.glob("osv-index-*.sqlite"))) == 1


def test_the_index_is_rebuilt_when_the_data_changes(tmp_path: Path) -> None:
    data = tmp_path / "osv"
    data.mkdir()
    rec = json.loads((sample_osv_dir() / "npm" / "GHSA-35jh-r3h4-6jhm.json").read_text())
    (data / "a.json").write_text(json.dumps(rec))
    cache = tmp_path / "cache"
    assert LocalOsvSource(data, cache=cache).rebuilt
    extra = json.loads((sample_osv_dir() / "npm" / "GHSA-xvch-5gv4-984h.json").read_text())
    (data / "b.json").write_text(json.dumps(extra))
    again = LocalOsvSource(data, cache=cache)
    assert again.rebuilt and again.count == 2
    os.utime(data / "b.json", ns=(1, 1))  # same size, other mtime
    assert LocalOsvSource(data, cache=cache).rebuilt


def test_name_lookup_normalises_pypi_names(sample_source: LocalOsvSource) -> None:
    assert ids(sample_source, Package(Ecosystem.PYPI, "pyyaml", "5.3.1")) == {"GHSA-8q59-q68h-6hv4"}
    assert ids(sample_source, Package(Ecosystem.PYPI, "Py_YAML", "5.3.1")) == set()  # py-yaml is another name
    assert ids(sample_source, Package(Ecosystem.GO, "golang.org/x/text", "v0.3.7")) == {"GHSA-69ch-w2m2-3vjp"}


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: None, "no OSV data here"),
        (lambda d: (d / "bad.json").write_text('{"id": "X",\n "affected": [}'), "bad.json:2:"),
        (lambda d: (d / "all.zip").write_bytes(b"not a zip"), "not a zip file"),
        (lambda d: (d / "x.json").write_text('{"no": "id"}'), "not an OSV record"),
        (
            lambda d: (d / "x.json").write_text(
                '{"id": "X", "affected": [{"package": {"ecosystem": "npm", "name": "a"},'
                ' "ranges": [{"type": "ECOSYSTEM", "events": [{"broken": "1"}]}]}]}'
            ),
            "unknown range event",
        ),  # fmt: skip
    ],
)
def test_bad_data_is_named(tmp_path: Path, setup: object, message: str) -> None:
    data = tmp_path / "osv"
    data.mkdir()
    setup(data)  # type: ignore[operator]
    with pytest.raises(AdvisoryDataError, match=message):
        LocalOsvSource(data, cache=tmp_path / "cache")


def test_missing_data_dir(tmp_path: Path) -> None:
    with pytest.raises(AdvisoryDataError, match="does not exist"):
        LocalOsvSource(tmp_path / "nope", cache=tmp_path)


# -- online --------------------------------------------------------------------------


def _records() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sample_osv_dir().rglob("*.json")}


def osv_api(
    calls: list[httpx.Request], *, page: bool = False, fail: int | None = None
) -> httpx.MockTransport:
    """A fake api.osv.dev: querybatch answers by (ecosystem, name, version); vulns/{id} serves records."""
    records = _records()
    affected = {("PyPI", "requests", "2.19.0"): ["GHSA-j8r2-6x86-q33q", "PYSEC-2023-74"],
                ("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1"): ["GHSA-jfh8-c2jp-5v3q",
                                                                             "GHSA-7rjr-3q55-vv33"]}  # fmt: skip

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if fail is not None:
            return httpx.Response(fail, text="unavailable")
        if request.url.path == "/v1/querybatch":
            body = json.loads(request.content)
            results = []
            for q in body["queries"]:
                found = affected.get((q["package"]["ecosystem"], q["package"]["name"], q["version"]), [])
                if page and "page_token" not in q and len(found) > 1:
                    results.append({"vulns": [{"id": found[0]}], "next_page_token": "p2"})
                elif page and q.get("page_token") == "p2":
                    results.append({"vulns": [{"id": i} for i in found[1:]]})
                else:
                    results.append({"vulns": [{"id": i, "modified": "2024-01-01T00:00:00Z"} for i in found]}
                                   if found else {})  # fmt: skip
            return httpx.Response(200, json={"results": results})
        if request.url.path.startswith("/v1/vulns/"):
            vid = request.url.path.rsplit("/", 1)[1]
            return httpx.Response(200, json=records[vid]) if vid in records else httpx.Response(404)
        return httpx.Response(404)

    return httpx.MockTransport(handler)


@pytest.mark.parametrize("page", [False, True])
def test_online_querybatch_then_records(page: bool) -> None:
    calls: list[httpx.Request] = []
    with httpx.Client(transport=osv_api(calls, page=page)) as client:
        src = OnlineOsvSource(client, batch_size=2)
        got = src.advisories_for([
            Package(Ecosystem.PYPI, "requests", "2.19.0"),
            Package(Ecosystem.MAVEN, "org.apache.logging.log4j:log4j-core", "2.14.1"),
            Package(Ecosystem.NPM, "left-pad", "1.3.0"),
            Package(Ecosystem.PYPI, "flask", None, spec=">=2"),
        ])  # fmt: skip
    assert {k[1]: sorted(a.id for a in v) for k, v in got.items()} == {
        "requests": ["GHSA-j8r2-6x86-q33q", "PYSEC-2023-74"],
        "org.apache.logging.log4j:log4j-core": ["GHSA-7rjr-3q55-vv33", "GHSA-jfh8-c2jp-5v3q"],
        "left-pad": [],
    }
    batches = [c for c in calls if c.url.path == "/v1/querybatch"]
    assert len(json.loads(batches[0].content)["queries"]) == 2  # batch_size respected, unpinned not asked
    assert all(c.url.host == "api.osv.dev" for c in calls)
    assert len([c for c in calls if c.url.path.startswith("/v1/vulns/")]) == 4  # each record fetched once


def test_online_errors_are_service_errors() -> None:
    with (
        httpx.Client(transport=osv_api([], fail=503)) as client,
        pytest.raises(OsvServiceError, match="HTTP 503"),
    ):
        OnlineOsvSource(client).advisories_for([Package(Ecosystem.PYPI, "requests", "2.19.0")])

    def boom(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route to host", request=request)

    with (
        httpx.Client(transport=httpx.MockTransport(boom)) as client,
        pytest.raises(OsvServiceError, match="no route"),
    ):
        OnlineOsvSource(client).advisories_for([Package(Ecosystem.PYPI, "requests", "2.19.0")])


# -- severity and KEV ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "vector", "score"),
    [
        ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),  # log4shell
        ("CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N", 6.1),  # requests
        ("CVSS_V3", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3),
        ("CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5),
        ("CVSS_V3", "not a vector", None),
    ],
)
def test_cvss_base_scores(kind: str, vector: str, score: float | None) -> None:
    assert base_score(kind, vector) == score


def test_severity_prefers_vectors_then_database_words() -> None:
    both = parse_advisory({"id": "X", "severity": [
        {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N"},
        {"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}]})  # fmt: skip
    assert assess(both) == (Severity.CRITICAL, 9.3)  # the worse reading
    word = parse_advisory({"id": "X", "database_specific": {"severity": "MODERATE"}})
    assert assess(word) == (Severity.MEDIUM, None)
    assert assess(parse_advisory({"id": "X"}), "HIGH") == (Severity.HIGH, None)
    assert assess(parse_advisory({"id": "X"})) == (None, None)


def test_kev_catalogue(tmp_path: Path) -> None:
    kev = sample_kev()
    assert "CVE-2021-44228" in kev and "cve-2021-44228" in kev and "CVE-2021-45046" not in kev
    f = tmp_path / "kev.json"
    f.write_text('{"vulnerabilities": [{"cveID": "CVE-2017-5638"}]}')
    assert load_kev(f).cves == frozenset({"CVE-2017-5638"})
    with pytest.raises(AdvisoryDataError, match="no 'vulnerabilities' list"):
        parse_kev("{}", "kev.json")
    with pytest.raises(AdvisoryDataError, match=r"kev.json:vulnerabilities\[0\]"):
        parse_kev('{"vulnerabilities": [{"id": 1}]}', "kev.json")
    with pytest.raises(AdvisoryDataError, match="cannot read"):
        load_kev(tmp_path / "missing.json")
