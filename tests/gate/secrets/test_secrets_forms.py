"""Generic assignment forms, hex/UUID values, symbol-first passwords, placeholders, public keys, special formats.

Values are built from a seeded generator (``corpus.rs``): no secret-shaped literal is committed.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from random import Random

import pytest

from mamori.gate.secrets import api, corpus, files, quiet
from mamori.gate.secrets.config import SecretsConfig
from mamori.gate.secrets.detectors import REGISTRY
from mamori.gate.secrets.scanner import Scanner

R = Random(2126)
TOKEN = corpus.rs(R, 32)  # a high-entropy value
PASSWORD = corpus.rs(R, 10) + "%" + corpus.rs(R, 5)


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner(REGISTRY.values(), engine="re")


def found(scanner: Scanner, text: str, path: str = "src/app.py") -> list[str]:
    return [m.detector.id for m in scanner.scan_bytes(path, text.encode()).matches]


@pytest.mark.parametrize(
    "template",
    [
        '$apiToken .= "{s}";',
        "API_TOKEN ::= {s}",
        "API_TOKEN :::= {s}",
        "API_TOKEN ?= {s}",
        'var apiToken string = "{s}"',
        "val apiToken: String = '{s}'",
        'System.setProperty("API_TOKEN", "{s}");',
        "<apiToken>\n    {s}\n</apiToken>",
        "api_token: |\n  {s}",
        "api_token: >-\n  {s}",
        'apiToken := `{s}`',
        '  "api_token" => "{s}",',
        '{{"env": "API_TOKEN={s}\\nDEBUG=1"}}',
        'string apiToken = "{s}";',
    ],
)
def test_generic_assignment_forms(scanner: Scanner, template: str) -> None:
    assert found(scanner, template.format(s=TOKEN)) == ["generic-secret"], template


@pytest.mark.parametrize(
    "template",
    ['DB_PASSWORD = "{s}"', "db_password: '{s}'", "<password>\n  {s}\n</password>", 'System.setProperty("DB_PASSWORD", "{s}")'],
)
def test_password_forms(scanner: Scanner, template: str) -> None:
    assert found(scanner, template.format(s=PASSWORD)) == ["generic-password"], template


@pytest.mark.parametrize("first", ["*", "%", "!", "&", "@", "#", "^"])
def test_password_starting_with_a_symbol(scanner: Scanner, first: str) -> None:
    value = first + corpus.rs(Random(first), 14) + "!"
    assert found(scanner, f'DB_PASSWORD = "{value}"') == ["generic-password"]


@pytest.mark.parametrize(
    "value",
    ["$DB_PASSWORD", "${DB_PASSWORD}", "$(cat /run/secrets/db)", "%(db_password)s", "%DB_PASSWORD%", "@db_password@", "{{ db_password }}"],
)
def test_references_are_not_passwords(scanner: Scanner, value: str) -> None:
    assert found(scanner, f'DB_PASSWORD = "{value}"') == []
    assert found(scanner, f"DB_PASSWORD={value}") == []


@pytest.mark.parametrize("length", [32, 40, 64])
def test_hex_next_to_a_secret_name_is_a_secret(scanner: Scanner, length: int) -> None:
    value = corpus.rs(Random(length), length, corpus.HEX)
    assert found(scanner, f'client_secret = "{value}"') == ["generic-secret"]
    assert found(scanner, f"API_TOKEN={value}") == ["generic-secret"]


def test_uuid_next_to_a_secret_name_is_a_secret(scanner: Scanner) -> None:
    assert found(scanner, f'"apiKey": "{corpus.uuid(Random(4))}"') == ["generic-secret"]


@pytest.mark.parametrize(
    "text",
    [
        'commit_sha = "{h40}"',
        '  rev: "{h40}"',
        "{h64}  dist/app.tar.gz",
        'request_id = "{uuid}"',
        '"integrity": "sha512-{b86}=="',
        'token_hash = "{h64}"',
        'session_token_id = "{uuid}"',
        'api_key = "{zeros}"',
    ],
)
def test_hashes_and_uuids_in_neutral_context_stay_quiet(scanner: Scanner, text: str) -> None:
    r = Random(text)
    filled = text.format(
        h40=corpus.rs(r, 40, corpus.HEX), h64=corpus.rs(r, 64, corpus.HEX), uuid=corpus.uuid(r),
        b86=corpus.rs(r, 86, corpus.B64), zeros="0" * 32,
    )  # fmt: skip
    assert found(scanner, filled) == [], filled


@pytest.mark.parametrize(
    "text",
    [
        "GITHUB_TOKEN=ghp_" + "x" * 36,
        "GITLAB_TOKEN=glpat-" + "X" * 20,
        "aws_access_key_id = AKIA" + "X" * 16,
        "SENTRY_AUTH_TOKEN=sntryu_" + "a" * 64,
        "GITHUB_TOKEN=ghp_" + "1234567890abcdefghijklmnopqrstuvwxyz",
        "NPM_TOKEN=npm_" + "0" * 36,
        'OPENAI_API_KEY="sk-proj-' + "a" * 40 + "T3BlbkFJ" + "a" * 40 + '"',
        "SLACK_BOT_TOKEN=xoxb-0000000000-0000000000-" + "x" * 24,
    ],
)
def test_vendor_placeholders_are_quiet(scanner: Scanner, text: str) -> None:
    assert found(scanner, text) == [], text


def test_well_known_public_key_is_quiet(scanner: Scanner, monkeypatch: pytest.MonkeyPatch) -> None:
    key = "AIza" + corpus.rs(Random(9), 35, corpus.B64URL)
    line = f'apiKey: "{key}",'
    assert found(scanner, line) == ["google-api-key"]
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    monkeypatch.setattr(quiet, "WELL_KNOWN_PUBLIC", quiet.WELL_KNOWN_PUBLIC | {digest})
    assert found(scanner, line) == []


def test_stripe_publishable_key_is_public(scanner: Scanner) -> None:
    assert found(scanner, f"STRIPE_KEY=pk_live_{corpus.rs(R, 24)}") == []
    assert found(scanner, f"STRIPE_KEY=sk_test_{corpus.rs(R, 24)}") == ["stripe-test-key"]


# -- the special formats: >= 3 true and >= 2 false examples each --------------------------------

def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


SPECIAL: dict[str, tuple[list[str], list[str]]] = {
    "curl-auth-user": (
        [
            f"curl --cacert ca.crt -u elastic:{corpus.rs(R, 12)} https://localhost:9200",
            f"curl -X POST https://api.internal/hello \\\n  -H 'Content-type: text/plain' \\\n  -u developer:{corpus.rs(R, 16)}",
            f'curl -u ":{corpus.rs(R, 14)}" https://localhost:9200',
            f"curl --user '{corpus.rs(R, 6, corpus.LOW)}:{corpus.rs(R, 12)}' https://ci.internal",
        ],
        [
            "curl -u elastic:$ELASTIC_PASSWORD https://localhost:9200",
            "curl -u admin:changeme https://localhost:9200",
            "curl -u '<user>:<password>' https://example.invalid",
            "git push -u origin main",
        ],
    ),
    "curl-auth-header": (
        [
            f"curl --header 'Authorization: {corpus.uuid(R)}' https://api.internal",
            f'curl -H "Authorization: Basic {_b64("svc:" + corpus.rs(R, 16))}" https://api.internal',
            f"curl -s -H 'X-API-Key: {corpus.rs(R, 32)}' https://api.internal/v1",
        ],
        ['curl -H "Authorization: Bearer $TOKEN" https://api.internal', "curl -H 'Authorization: <token>' https://x.invalid"],
    ),
    "basic-auth-header": (
        [
            f"Authorization: Basic {_b64('deploy:' + corpus.rs(R, 14))}",
            f'headers = {{"Authorization": "Basic {_b64("svc:" + corpus.rs(R, 20))}"}}',
            f"  authorization: Basic {_b64(corpus.rs(R, 8, corpus.LOW) + ':' + corpus.rs(R, 10))}",
        ],
        [f"Authorization: Basic {_b64('user:password')}", "Authorization: Basic $CREDENTIALS", "Authorization: Basic notbase64!"],
    ),
    "jwt-base64": (
        [f"  token: {_b64(corpus.jwt(Random(s)))}" for s in range(3)],
        [f"  note: {_b64('eyJ' + corpus.rs(R, 40))}", f"  note: ZXlK{corpus.rs(R, 20)}"],
    ),
}


@pytest.mark.parametrize("det_id", sorted(SPECIAL))
def test_special_formats(scanner: Scanner, det_id: str) -> None:
    trues, falses = SPECIAL[det_id]
    assert len(trues) >= 3 and len(falses) >= 2
    for text in trues:
        assert det_id in found(scanner, text), text
    for text in falses:
        assert det_id not in found(scanner, text), text


def test_pkcs12_files_are_reported_by_name(tmp_path: Path) -> None:
    for name in ("es_kibana_client.p12", "cagw_key.P12", "ToDo.UWP_TemporaryKey.pfx"):
        (tmp_path / name).write_bytes(b"\x30\x82\x00binary")
    for name in ("type.P126.html", "syntest.p1200.sh"):
        (tmp_path / name).write_text("nothing\n")
    settings = api.Settings.from_config(SecretsConfig(), base_dir=tmp_path)
    res = api.scan_paths([tmp_path], settings, jobs=1)
    assert sorted(h.file for h in res.findings if h.detector == "pkcs12-file") == [
        "ToDo.UWP_TemporaryKey.pfx",
        "cagw_key.P12",
        "es_kibana_client.p12",
    ]


def test_parallel_scan_equals_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = Random(77)
    ids = [d for d in REGISTRY if corpus.sample_path(d) == corpus.DEFAULT_SAMPLE_PATH and not REGISTRY.get(d).by_path]
    for i in range(40):
        lines = [corpus.positive(ids[(i * 7 + k) % len(ids)], r) for k in range(5)]
        (tmp_path / f"m{i:02d}.txt").write_text("\n".join(["x = 1", *lines, "# mamori:allow fixture", lines[0]]) + "\n")
    settings = api.Settings.from_config(SecretsConfig(), base_dir=tmp_path)
    serial = api.scan_paths([tmp_path], settings, jobs=1)
    monkeypatch.setattr(api, "PARALLEL_MIN_BYTES", 0)
    parallel = api.scan_paths([tmp_path], settings, jobs=2)

    def sig(res: api.ScanResult) -> list[tuple[str, str, int, int, str]]:
        return [(h.detector, h.file, h.line, h.column, h.fingerprint) for h in res.findings]

    assert sig(parallel) == sig(serial) and len(serial.findings) >= 150
    assert [s.reason for s in parallel.suppressed] == [s.reason for s in serial.suppressed]
    assert parallel.stats.files == serial.stats.files == 40


def _tree_for_workers(tmp_path: Path) -> None:
    r = Random(78)
    ids = [d for d in REGISTRY if corpus.sample_path(d) == corpus.DEFAULT_SAMPLE_PATH and not REGISTRY.get(d).by_path]
    for i in range(30):
        sub = tmp_path / f"d{i % 4}" / ("deep" if i % 3 else "")
        sub.mkdir(parents=True, exist_ok=True)
        lines = [corpus.positive(ids[(i * 5 + k) % len(ids)], r) for k in range(4)]
        (sub / f"m{i:02d}.txt").write_text("\n".join(["x = 1", *lines]) + "\n")
    (tmp_path / "d1" / "keystore.p12").write_bytes(b"\x00binary")  # by name; binary content
    (tmp_path / "d2" / "logo.png").write_bytes(b"png")  # skipped by suffix
    (tmp_path / "d3" / "blob.bin").write_bytes(b"\x00" * 64)


def test_workers_take_small_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers taking batches of 3 files from the pipe: same findings, order and counts as serial."""
    _tree_for_workers(tmp_path)
    settings = api.Settings.from_config(SecretsConfig(), base_dir=tmp_path)
    serial = api.scan_paths([tmp_path], settings, jobs=1)
    monkeypatch.setattr(api, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(api, "REGEX_FILTER_MIN_BYTES", 1)
    monkeypatch.setattr(api, "BATCH_FILES", 3)
    started: list[int] = []
    real = api._scan_parallel

    def spy(sc: Scanner, refs: object, settings_: api.Settings, jobs: int) -> object:
        started.append(jobs)
        return real(sc, refs, settings_, jobs)

    monkeypatch.setattr(api, "_scan_parallel", spy)
    parallel = api.scan_paths([tmp_path], settings, jobs=2)
    assert started == [2]
    assert parallel.findings == serial.findings and len(serial.findings) >= 100
    assert [h.detector for h in serial.findings].count("pkcs12-file") == 1
    assert parallel.suppressed == serial.suppressed
    assert parallel.stats == serial.stats and serial.stats.files == 30 and serial.stats.skipped_binary == 2


def test_files_of_a_failed_worker_are_scanned_in_the_parent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree_for_workers(tmp_path)
    settings = api.Settings.from_config(SecretsConfig(), base_dir=tmp_path)
    serial = api.scan_paths([tmp_path], settings, jobs=1)
    monkeypatch.setattr(api, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(api, "BATCH_FILES", 4)
    real = api._worker_files

    def first_batch_fails(sc: Scanner, refs: object, lo: int, hi: int, max_bytes: int) -> object:
        if lo == 0:  # in whichever worker takes it: that worker exits non-zero, its results are lost
            raise RuntimeError("worker down")
        return real(sc, refs, lo, hi, max_bytes)

    monkeypatch.setattr(api, "_worker_files", first_batch_fails)
    in_parent: list[str] = []
    scan_file = api._scan_file

    def spy(sc: Scanner, ref: files.FileRef, max_bytes: int) -> object:
        in_parent.append(ref.display)  # in the parent only: a worker's list is its own copy
        return scan_file(sc, ref, max_bytes)

    monkeypatch.setattr(api, "_scan_file", spy)
    again = api.scan_paths([tmp_path], settings, jobs=2)
    assert again.findings == serial.findings and again.stats == serial.stats
    assert len(in_parent) >= 4  # at least the lost batch (the failed worker may have done others)


def test_hyperscan_database_is_cached_and_a_bad_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mamori.gate.secrets.prefilter import build_prefilter

    monkeypatch.setenv("MAMORI_CACHE_DIR", str(tmp_path))
    kws = [b"ghp_", b"xoxb-", b"token"]
    buf = b"a ghp_ b XOXB- c Token"
    first = build_prefilter(kws, "hyperscan").hits(buf)
    (cached,) = tmp_path.glob("secrets-prefilter-*.hsdb")
    assert build_prefilter(kws, "hyperscan").hits(buf) == first == [(2, 0), (9, 1), (17, 2)]
    cached.write_bytes(b"not a database")
    assert build_prefilter(kws, "hyperscan").hits(buf) == first
    monkeypatch.setenv("MAMORI_SECRETS_NO_CACHE", "1")
    assert build_prefilter([b"other"], "hyperscan").hits(b"xx other") == [(3, 0)]
    assert len(list(tmp_path.glob("secrets-prefilter-*.hsdb"))) == 1
