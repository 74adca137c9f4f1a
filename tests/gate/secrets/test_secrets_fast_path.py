"""The fast tree-scan path: the loosened-regex Hyperscan pass, the folder walk, remembered verdicts.

Every test compares the fast path with the plain one (pure-Python ``re`` engine, no regex pass): the
fast path may only skip work, never change a finding, its line, column or end line.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath
from random import Random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mamori.gate.secrets import api, corpus, files, hsregex, quiet
from mamori.gate.secrets.config import SecretsConfig
from mamori.gate.secrets.detectors import REGISTRY
from mamori.gate.secrets.model import Category, Detector, DetectorId
from mamori.gate.secrets.prefilter import available_engines
from mamori.gate.secrets.scanner import _IDENT_CHARS, Scanner
from mamori.model.finding import Severity

# Hyperscan is a runtime dependency on x86-64, the platform the suite runs on: no skipping.
assert "hyperscan" in available_engines()

Row = tuple[str, int, int, int, bytes]


@pytest.fixture(scope="module")
def fast() -> Scanner:
    sc = Scanner(REGISTRY.values(), engine="hyperscan")
    assert sc.use_regex_filter()
    return sc


@pytest.fixture(scope="module")
def plain() -> Scanner:
    return Scanner(REGISTRY.values(), engine="re")


def rows(sc: Scanner, text: bytes, path: str = "src/app.py") -> list[Row]:
    res = sc.scan_bytes(path, text)
    return [(m.detector.id, m.line, m.column, m.end_line, m.secret.reveal()) for m in res.matches]


def _samples() -> list[tuple[str, str, str]]:
    out = []
    for det_id in sorted(REGISTRY):
        if REGISTRY.get(det_id).by_path:
            continue
        for seed in range(3):
            r = Random(seed)
            out.append((det_id, corpus.sample_path(det_id), corpus.positive(det_id, r)))
            out.append((det_id, corpus.sample_path(det_id), corpus.negative(det_id, r)))
    return out


SAMPLES = _samples()


def test_every_detector_is_covered_by_the_regex_pass(fast: Scanner) -> None:
    assert fast.rx is not None
    missing = [d.id for i, d in enumerate(fast.detectors) if i not in fast.rx.covered]
    assert missing == []


def test_every_sample_gives_the_same_findings_with_and_without_the_pass(fast: Scanner, plain: Scanner) -> None:
    differ = []
    for det_id, path, text in SAMPLES:
        for body in (text, f"x = 1\n{text}\ny = 2\n", text.replace("\n", "\r\n") + "\r\n"):
            if rows(fast, body.encode(), path) != rows(plain, body.encode(), path):
                differ.append((det_id, body[:60]))
    assert differ == []


def test_positives_are_still_found_with_the_pass(fast: Scanner) -> None:
    missed = []
    for det_id, path, text in SAMPLES[::2]:
        if det_id not in [r[0] for r in rows(fast, text.encode(), path)]:
            missed.append(det_id)
    assert missed == []


def test_loosened_pattern_ends_where_the_python_match_ends(fast: Scanner) -> None:
    """The superset property itself: a Python match [s, e) holds an end of the loosened pattern in (s, e]
    (at ``e``, or earlier where the pattern was cut after the secret's minimum length)."""
    assert fast.rx is not None
    index = {d.id: i for i, d in enumerate(fast.detectors)}
    for det_id, _path, text in SAMPLES[::2]:
        det = REGISTRY.get(det_id)
        data = text.encode()
        ends = fast.rx.ends(data).get(index[det_id], [])
        for m in det.regex.finditer(data):
            assert any(m.start() < e <= m.end() for e in ends), (det_id, m.group()[:40])


GH = "ghp_" + corpus.rs(Random(3), 36)
KEY = corpus.positive("private-key-rsa", Random(4))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{GH} at the very start\nmore\n", [("github-pat", 1, 1, 1)]),
        (f"one\ntwo\nlast = {GH}", [("github-pat", 3, 8, 3)]),  # last line, no newline
        (f"a\r\nb = {GH}\r\nc\r\n", [("github-pat", 2, 5, 2)]),  # CRLF
        (f"x\n\n{KEY}\ny\n", [("private-key-rsa", 3, 1, 2 + KEY.count("\n"))]),  # multi-line: up to the body's end
        (f"{GH}", [("github-pat", 1, 1, 1)]),  # the whole file is the secret
    ],
)
def test_positions_are_exact(fast: Scanner, plain: Scanner, text: str, expected: list[tuple[str, int, int, int]]) -> None:
    got = rows(fast, text.encode())
    assert [r[:4] for r in got] == expected
    assert got == rows(plain, text.encode())


def test_long_lines_are_flagged_alike(fast: Scanner, plain: Scanner) -> None:
    filler = "var a=1;" * 1000  # one 8,000-character line, as in a minified bundle
    for text in (f"{filler}token='x'{filler}\n", f"{filler}\nsecret = {GH}\n", f"{filler}{GH}{filler}"):
        a, b = fast.scan_bytes("dist/app.min.js", text.encode()), plain.scan_bytes("dist/app.min.js", text.encode())
        assert a.long_lines == b.long_lines
        assert rows(fast, text.encode(), "dist/app.min.js") == rows(plain, text.encode(), "dist/app.min.js")


@pytest.fixture(scope="module")
def two_pass() -> Scanner:
    """The regex pass without the keywords in its database: a second (keyword) pass per buffer."""
    sc = Scanner(REGISTRY.values(), engine="hyperscan")
    sc.rx = hsregex.build_filter(sc.detectors, _IDENT_CHARS, sc.options.max_line)
    assert sc.rx is not None and not sc.rx.has_keywords
    return sc


def _spy_hits(sc: Scanner) -> list[int]:
    calls: list[int] = []
    orig = sc.prefilter.hits

    def spy(buf: bytes) -> list[tuple[int, int]]:
        calls.append(len(buf))
        return orig(buf)

    sc.prefilter.hits = spy  # type: ignore[method-assign]
    return calls


def test_a_buffer_without_any_loosened_match_skips_the_keyword_pass(two_pass: Scanner) -> None:
    calls = _spy_hits(two_pass)
    try:
        assert rows(two_pass, b"the token of the secret password is in the vault\n") == []
        assert calls == []
        assert rows(two_pass, f"token = {GH}\n".encode()) != []
        assert calls
    finally:
        del two_pass.prefilter.hits


def test_the_keywords_come_from_the_regex_pass_in_one_call(fast: Scanner) -> None:
    assert fast.rx is not None and fast.rx.has_keywords
    calls = _spy_hits(fast)
    scans: list[int] = []
    orig = fast.rx.scan

    def spy(buf: bytes) -> tuple[dict[int, list[int]], list[tuple[int, int]]]:
        scans.append(len(buf))
        return orig(buf)

    fast.rx.scan = spy  # type: ignore[method-assign]
    try:
        assert rows(fast, b"the token of the secret password is in the vault\n") == []
        assert rows(fast, f"token = {GH}\n".encode()) != []
        assert calls == [] and len(scans) == 2  # one Hyperscan call per buffer, no keyword pass
    finally:
        del fast.prefilter.hits
        del fast.rx.scan


def test_one_pass_equals_two_passes_on_every_sample(fast: Scanner, two_pass: Scanner) -> None:
    assert fast.rx is not None and two_pass.rx is not None
    for _det_id, path, text in SAMPLES:
        data = f"x = 1\n{text}\nTOKEN Secret\n".encode()
        assert fast.rx.scan(data) == (two_pass.rx.ends(data), two_pass.prefilter.hits(data))
        assert rows(fast, data, path) == rows(two_pass, data, path)


_ALPHABET = st.sampled_from([*list("aZ9_-.:=\"' \t\n\r{}/+@"), "token", "secret", "password", "://", "key-", "\n"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pieces=st.lists(st.one_of(_ALPHABET, st.sampled_from([s[2] for s in SAMPLES[::7]])), max_size=40),
)
def test_property_fast_path_equals_plain_path(fast: Scanner, plain: Scanner, pieces: list[str]) -> None:
    data = "".join(pieces).encode()
    assert rows(fast, data) == rows(plain, data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pieces=st.lists(st.one_of(_ALPHABET, st.sampled_from([s[2] for s in SAMPLES[3::7]])), max_size=40),
)
def test_property_one_pass_equals_two_passes(fast: Scanner, two_pass: Scanner, pieces: list[str]) -> None:
    """The merged database's ends and keyword hits are the two databases' ones, and so are the findings."""
    assert fast.rx is not None and two_pass.rx is not None
    data = "".join(pieces).encode()
    ends, hits = fast.rx.scan(data)
    assert ends == two_pass.rx.ends(data)
    assert hits == two_pass.prefilter.hits(data)
    assert rows(fast, data) == rows(two_pass, data)


# -- the translation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (rb"(?<![a-z])abc(?=\d)", b"-abc1"),
        (rb"^key=(?P<q>['\"]?)(?P<secret>[a-z]{8,40}+)(?P=q)$", b"key='abcdefghij'"),
        (rb"(?i)tok(?-i:EN)\b", b"TOKEN"),
        (rb"(?>ab|a)c", b"ac"),
        (rb"(a)?(?(1)b|c)", b"c"),
        (rb"\s+x\S", b"\x0bxy"),
    ],
)
def test_loosen_matches_a_superset(pattern: bytes, text: bytes) -> None:
    import hyperscan  # type: ignore[import-not-found,unused-ignore]

    m = re.search(pattern, text)
    assert m is not None
    pat, flags = hsregex.loosen(pattern)
    db = hyperscan.Database()
    db.compile(expressions=[pat], ids=[0], elements=1, flags=[flags])
    ends: list[int] = []
    db.scan(text, match_event_handler=lambda _i, _f, to, _fl, _c: ends.append(to))
    # the secret group was cut to its minimum: the loosened match may end earlier, never later
    assert ends and min(ends) <= m.end()


def test_a_pattern_hyperscan_rejects_is_left_out_and_still_tried(tmp_path: Path) -> None:
    odd = Detector(
        id=DetectorId("odd-empty"),
        title="matches empty",
        severity=Severity.LOW,
        category=Category.CUSTOM,
        regex=re.compile(rb"(?P<secret>q*)"),  # can match the empty string: Hyperscan refuses it
        keywords=(b"qq",),
    )
    dets = [REGISTRY.get("github-pat"), odd]
    sc = Scanner(dets, engine="hyperscan")
    assert sc.use_regex_filter()
    assert sc.rx is not None and sc.rx.covered == frozenset({0})
    text = f"qqqq {GH}\n".encode()
    got = [(m.detector.id, m.line, m.column) for m in sc.scan_bytes("a.txt", text).matches]
    ref = [(m.detector.id, m.line, m.column) for m in Scanner(dets, engine="re").scan_bytes("a.txt", text).matches]
    assert got == ref and ("odd-empty", 1, 1) in got and ("github-pat", 1, 6) in got


def test_the_database_comes_from_the_cache_and_survives_a_damaged_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAMORI_CACHE_DIR", str(tmp_path))
    dets = [REGISTRY.get("github-pat"), REGISTRY.get("generic-secret")]
    first = hsregex.build_filter(dets, b"abc", 4096)
    cached = list(tmp_path.glob("secrets-regex-*.hsdb"))
    assert first is not None and len(cached) == 1
    again = hsregex.build_filter(dets, b"abc", 4096)
    assert again is not None and again.covered == first.covered == frozenset({0, 1})
    cached[0].write_bytes(b"0,1\nnot a database")
    healed = hsregex.build_filter(dets, b"abc", 4096)
    assert healed is not None and healed.ends(f"x {GH}\n".encode()).get(0)
    other = hsregex.build_filter(dets[:1], b"abc", 4096)  # another detector set: another file
    assert other is not None and len(list(tmp_path.glob("secrets-regex-*.hsdb"))) == 2


def test_a_database_with_keywords_is_cached_apart_and_finds_them_when_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAMORI_CACHE_DIR", str(tmp_path))
    dets = [REGISTRY.get("github-pat")]
    plain_db = hsregex.build_filter(dets, b"abc", 4096)
    built = hsregex.build_filter(dets, b"abc", 4096, keywords=[b"ghp_", b"token"])
    assert plain_db is not None and built is not None and built.has_keywords and not plain_db.has_keywords
    assert len(list(tmp_path.glob("secrets-regex-*.hsdb"))) == 2  # the keywords are part of the key
    loaded = hsregex.build_filter(dets, b"abc", 4096, keywords=[b"ghp_", b"token"], compile_if_missing=False)
    assert loaded is not None
    data = f"TOKEN = {GH}\n".encode()
    ends, hits = loaded.scan(data)
    assert hits == [(0, 1), (8, 0)] and ends.get(0) and (ends, hits) == built.scan(data)
    assert plain_db.scan(data) == (ends, [])


# -- the tree scan ----------------------------------------------------------------------------------


def _old_walk(root: Path) -> list[str]:
    """The listing before (os.walk, sorted, symlinks not followed), as the reference."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in files.SKIP_DIRS)
        for name in sorted(filenames):
            full = Path(dirpath) / name
            display = os.path.relpath(full, root).replace(os.sep, "/")
            if files.skipped_by_name(display):
                out.append("skip:" + display)
            elif not full.is_symlink():
                out.append(display)
    return out


def test_walk_lists_what_os_walk_listed(tmp_path: Path) -> None:
    root = tmp_path / "t"
    for rel in ("a.py", "b/c.txt", "b/d/e.json", "node_modules/x.js", "img.PNG", ".env", "z/.git/config", "B/k"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x")
    (root / "link.py").symlink_to(root / "a.py")
    (root / "dirlink").symlink_to(root / "b")
    (root / "dangling").symlink_to(root / "missing")
    got = [("skip:" + r) if isinstance(r, str) else r.display for r in files.iter_files(root)]
    assert got == _old_walk(root)


@pytest.mark.parametrize(
    "rel", ["a/b.py", "x.PNG", "node_modules/a.js", "./a/.venv/b", "a.", ".bashrc", "a/b/", "dir.tar.gz", ".mamori-secrets-baseline.json"]
)
def test_name_rules_equal_the_pathlib_ones(rel: str) -> None:
    p = PurePosixPath(rel)
    old = any(part in files.SKIP_DIRS for part in p.parts[:-1]) or (
        p.suffix.lower() in files.SKIP_SUFFIXES or p.name == files.BASELINE_NAME
    )
    assert files.skipped_by_name(rel) == old
    assert quiet.is_lockfile(rel) == (p.name in quiet.LOCKFILES)
    assert quiet.is_lockfile(rel.replace("b.py", "package-lock.json")) == (
        PurePosixPath(rel.replace("b.py", "package-lock.json")).name in quiet.LOCKFILES
    )


def test_tree_scan_equals_the_plain_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "REGEX_FILTER_MIN_BYTES", 0)
    monkeypatch.setattr(api, "REGEX_COMPILE_MIN_BYTES", 0)
    monkeypatch.setattr(api, "PARALLEL_MIN_BYTES", 0)
    root = tmp_path / "tree"
    for n, (_det_id, path, text) in enumerate(SAMPLES[::3]):
        target = root / f"d{n % 7}" / f"{n}-{path.replace('/', '_')}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"# file {n}\n{text}\napi_key = settings.API_KEY\n")
    settings_ = api.Settings.from_config(SecretsConfig(), base_dir=tmp_path)
    fast = api.scan_paths([root], settings_, jobs=2)
    plain = api.scan_paths([root], api.Settings.from_config(SecretsConfig(), base_dir=tmp_path, engine="re"), jobs=1)
    assert fast.stats.engine == "hyperscan" and plain.stats.engine == "re"
    assert fast.findings == plain.findings and len(fast.findings) > 100
    assert fast.suppressed == plain.suppressed


def test_remembered_verdicts_last_one_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A verdict depends on module state (the well-known-key list): a new scan starts afresh."""
    (tmp_path / "a.py").write_text("client_secret = 'R92RVwRNnTZ2diNIVNLlDIPptl5O5K0R'\n")
    settings_ = api.Settings.from_config(SecretsConfig(), base_dir=tmp_path)
    sc = api.scanner_for(settings_)
    assert [f.detector for f in api.scan_paths([tmp_path], settings_, sc).findings] == ["generic-secret"]
    monkeypatch.setattr(quiet, "_PLACEHOLDER_WORDS", (*quiet._PLACEHOLDER_WORDS, b"r92rvw"))
    assert api.scan_paths([tmp_path], settings_, sc).findings == ()


def test_a_cold_cache_compiles_only_for_a_large_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAMORI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(api, "REGEX_FILTER_MIN_BYTES", 0)
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "a.py").write_text(f"token = {GH}\n")
    dets = [REGISTRY.get("github-pat"), REGISTRY.get("generic-secret")]
    settings_ = api.Settings(detectors=tuple(dets))
    sc = api.scanner_for(settings_)
    found = api.scan_paths([tmp_path / "t"], settings_, sc)
    assert sc.rx is None and [f.detector for f in found.findings] == ["github-pat"]  # too small to compile
    monkeypatch.setattr(api, "REGEX_COMPILE_MIN_BYTES", 1)
    sc = api.scanner_for(settings_)
    assert api.scan_paths([tmp_path / "t"], settings_, sc).findings == found.findings
    assert sc.rx is not None and list((tmp_path / "cache").glob("secrets-regex-*.hsdb"))
    monkeypatch.setattr(api, "REGEX_COMPILE_MIN_BYTES", 1 << 40)
    sc = api.scanner_for(settings_)
    assert api.scan_paths([tmp_path / "t"], settings_, sc).findings == found.findings
    assert sc.rx is not None  # cached now: used whatever the size


def test_remembered_verdicts_equal_fresh_checks_on_repeated_assignments() -> None:
    """Verdicts are keyed by the texts of the match and its groups: the same assignment text at other
    offsets, quoted or bare, in other key spellings gives what checking every match afresh gives."""
    values = [
        "settings.API_KEY",
        "'R92RVwRNnTZ2diNIVNLlDIPptl5O5K0R'",
        '"R92RVwRNnTZ2diNIVNLlDIPptl5O5K0R"',
        "R92RVwRNnTZ2diNIVNLlDIPptl5O5K0R",
        "'your-api-key-here-xxxxxxxxxxxx'",
        "os.environ['API_KEY']",
        "'d41d8cd98f00b204e9800998ecf8427e'",
        "'hunter2hunter2'",
    ]
    keys = ["api_key", "client_secret", "db_password", "sha256_secret", "API_KEY", "password"]
    r = Random(5)
    lines = [f"{' ' * r.randrange(6)}{r.choice(keys)} = {r.choice(values)}" for _ in range(400)]
    data = ("\n".join(lines) + "\n").encode()
    remembering = Scanner(REGISTRY.values(), engine="hyperscan")
    remembering.remember_verdicts()
    fresh = Scanner(REGISTRY.values(), engine="hyperscan")
    got = rows(remembering, data, "a.py")
    assert got == rows(fresh, data, "a.py")
    assert remembering._verdicts and len(remembering._verdicts) < 100  # many repeats, few distinct texts
    assert {row[0] for row in got} >= {"generic-secret", "generic-password"}
