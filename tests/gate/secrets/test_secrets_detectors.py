"""Every detector: metadata, a positive and a negative case; decoys stay quiet; engines agree."""

from __future__ import annotations

import re
from random import Random

import pytest

from mamori.gate.secrets import corpus
from mamori.gate.secrets.detectors import REGISTRY
from mamori.gate.secrets.errors import SecretsConfigError
from mamori.gate.secrets.model import LazyPattern, redact
from mamori.gate.secrets.prefilter import available_engines, build_prefilter, trie_pattern
from mamori.gate.secrets.scanner import Scanner

IDS = [d for d in REGISTRY if not REGISTRY.get(d).by_path]  # pkcs12-file: by file name (test_secrets_forms)
ENGINES = available_engines()


def test_every_engine_is_installed_for_the_tests() -> None:
    """The dev extra installs hyperscan (x86_64) and google-re2: no engine goes untested silently."""
    import platform

    expected = {"re", "re2"} | ({"hyperscan"} if platform.machine() == "x86_64" else set())
    assert expected <= set(ENGINES)


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner(REGISTRY.values(), engine="re")


def test_registry_has_at_least_40_detectors_with_metadata() -> None:
    assert len(REGISTRY) >= 40
    for det_id, det in REGISTRY.items():
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]+", det_id)
        assert det.id == det_id and det.title and det.keywords, det_id
        assert all(k == k.lower() for k in det.keywords), det_id
        for sup in det.supersedes:
            assert sup in REGISTRY, (det_id, sup)


def test_every_detector_has_samples() -> None:
    assert set(corpus.SAMPLES) == set(REGISTRY)
    assert set(IDS) | {"pkcs12-file"} == set(REGISTRY)


@pytest.mark.parametrize("det_id", IDS)
def test_positive_case_is_found_on_its_line(scanner: Scanner, det_id: str) -> None:
    for seed in range(3):
        sample = corpus.positive(det_id, Random(seed))
        res = scanner.scan_bytes(corpus.sample_path(det_id), f"# config\n{sample}\n".encode())
        assert [m.detector.id for m in res.matches] == [det_id], sample
        # the line of the secret: the sample's first line, or a later one (an XML element, a YAML block)
        assert 2 <= res.matches[0].line <= 1 + sample.count("\n") + 1
        # the redacted form never holds more than 4 characters of the secret
        secret = res.matches[0].secret.text
        assert secret not in repr(res.matches[0])
        assert len(res.matches[0].secret.redacted.split("…")[0]) <= 4


@pytest.mark.parametrize("det_id", IDS)
def test_negative_case_is_quiet(scanner: Scanner, det_id: str) -> None:
    for seed in range(3):
        sample = corpus.negative(det_id, Random(seed))
        assert scanner.scan_bytes(corpus.sample_path(det_id), sample.encode()).matches == [], sample


@pytest.mark.parametrize("kind", list(corpus.DECOYS))
def test_decoys_are_not_secrets(scanner: Scanner, kind: str) -> None:
    for seed in range(5):
        text = corpus.DECOYS[kind](Random(seed))
        assert scanner.scan_bytes("src/app.py", text.encode()).matches == [], text


def test_lockfile_integrity_hashes_are_quiet(scanner: Scanner) -> None:
    r = Random(3)
    lock = "\n".join(
        f'    "node_modules/p{i}": {{"integrity": "sha512-{corpus.rs(r, 86, corpus.B64)}==", '
        f'"token": "{corpus.rs(r, 40)}"}},'
        for i in range(20)
    )
    assert scanner.scan_bytes("web/package-lock.json", lock.encode()).matches == []
    # the same text outside a lockfile would be worth a look (generic detectors run there)
    assert scanner.scan_bytes("web/settings.json", lock.encode()).matches


ANYWHERE = [d for d in IDS if corpus.sample_path(d) == corpus.DEFAULT_SAMPLE_PATH]


def _mixed_corpus() -> bytes:
    r = Random(42)
    lines: list[str] = []
    for i in range(400):
        det_id = ANYWHERE[i % len(ANYWHERE)]
        lines.append(f"def f{i}(token, password):  # see https://docs.example/x{i}")
        lines.append(corpus.positive(det_id, r))
        lines.append(corpus.DECOYS[list(corpus.DECOYS)[i % len(corpus.DECOYS)]](r))
        lines.append(corpus.negative(det_id, r))
    return "\n".join(lines).encode()


@pytest.mark.parametrize("engine", ENGINES)
def test_fast_engines_agree_with_pure_python(engine: str) -> None:
    data = _mixed_corpus()

    def sig(eng: str) -> list[tuple[str, int, int]]:
        res = Scanner(REGISTRY.values(), engine=eng).scan_bytes("x.txt", data)
        return [(m.detector.id, m.line, m.column) for m in res.matches]

    expected = sig("re")
    assert len(expected) == 400
    assert sig(engine) == expected


def test_engine_reports_every_keyword_start() -> None:
    kws = [b"sk-", b"sk-ant-", b"ant", b"secret", b"secret_access_key", b"access_key"]
    buf = b"x sk-ant-1 AWS_SECRET_ACCESS_KEY=1 ant"
    for engine in ENGINES:
        pf = build_prefilter(kws, engine)
        starts = {s for s, _ in pf.hits(buf)}
        assert {2, 15, 35} <= starts, engine


def test_trie_pattern_prefers_longest() -> None:
    rx = re.compile(trie_pattern([b"sk-", b"sk-ant-", b"ab"]))
    m = rx.search(b"zz sk-ant-x")
    assert m is not None and m.group() == b"sk-ant-"


def test_unknown_engine_is_bad_input() -> None:
    with pytest.raises(SecretsConfigError, match="unknown engine"):
        build_prefilter([b"x"], "warp-drive")


def test_redaction_rules() -> None:
    assert redact("abcdefghijklmnop") == "abcd…(16 chars)"
    assert redact("short-pass1") == "…(11 chars)"



def test_every_builtin_regex_compiles() -> None:
    """Built-in regexes compile on first use (a small commit tries few of them); here every one must."""
    for d in REGISTRY.values():
        assert isinstance(d.regex, LazyPattern), d.id
        assert d.regex.compiled.pattern == d.regex.pattern, d.id
