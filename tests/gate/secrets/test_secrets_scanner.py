"""The streaming scanner: block boundaries, long lines, binaries, inline allow comments."""

from __future__ import annotations

from random import Random

import pytest

from mamori.gate.secrets import corpus
from mamori.gate.secrets.detectors import REGISTRY
from mamori.gate.secrets.scanner import Scanner, ScanOptions

from .helpers import aws_key_id, github_token

SMALL = ScanOptions(block_size=256, lookahead=2048, overlap=128, max_line=200, window_before=64,
                    window_after=256, multiline_window=2048)  # fmt: skip


def chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.fixture(scope="module")
def big() -> Scanner:
    return Scanner(REGISTRY.values())


@pytest.fixture(scope="module")
def small() -> Scanner:
    return Scanner(REGISTRY.values(), options=SMALL)


def test_line_numbers_and_columns_survive_block_boundaries(big: Scanner, small: Scanner) -> None:
    r = Random(7)
    lines = []
    for i in range(300):
        lines.append(f"filler line {i} " + "x" * r.randrange(0, 120))
        if i % 37 == 0:
            lines.append(corpus.positive("github-pat", r))
        if i % 53 == 0:
            lines.append(corpus.positive("private-key-rsa", r))
    data = "\n".join(lines).encode()
    whole = [(m.detector.id, m.line, m.column) for m in big.scan_bytes("f.py", data).matches]
    assert len(whole) == 9 + 6
    for size in (1, 7, 100, 4096):
        got = small.scan_stream("f.py", chunks(data, size)).matches
        assert [(m.detector.id, m.line, m.column) for m in got] == whole, size


def test_private_key_spanning_blocks_is_one_finding(small: Scanner) -> None:
    key = corpus.positive("private-key-openssh", Random(1))
    data = ("a" * 50 + "\n") * 4 + key + "\n"
    res = small.scan_stream("id_ed25519", chunks(data.encode(), 64))
    assert [(m.detector.id, m.line, m.end_line) for m in res.matches] == [("private-key-openssh", 5, 10)]


def test_very_long_line_is_scanned_in_windows_and_flagged(small: Scanner) -> None:
    tok = github_token(3)
    minified = "var a=1;" * 5000 + f'var t="{tok}";' + "b();" * 5000
    res = small.scan_stream("app.min.js", chunks(minified.encode(), 1000))
    assert res.long_lines
    assert [m.detector.id for m in res.matches] == ["github-pat"]
    m = res.matches[0]
    assert m.line == 1 and m.column == minified.index(tok) + 1


def test_secret_straddling_a_mid_line_cut_is_found_once(small: Scanner) -> None:
    tok = github_token(4)
    for pad in range(0, 400, 13):
        data = ("z" * (300 + pad) + f" {tok} " + "q" * 3000).encode()
        res = small.scan_stream("blob.txt", chunks(data, 97))
        assert [m.detector.id for m in res.matches] == ["github-pat"], pad


def test_binary_files_are_skipped(big: Scanner) -> None:
    data = b"\x89PNG\r\n\x1a\n\x00\x00" + aws_key_id().encode()
    res = big.scan_bytes("logo.png", data)
    assert res.binary and res.matches == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('k = "{tok}"  # mamori:allow test fixture, revoked', "test fixture, revoked"),
        ("// mamori:allow documented sample\nk = '{tok}'", "documented sample"),
        ('k = "{tok}"  # mamori:allow', None),
        ('k = "{tok}"', None),
    ],
)
def test_inline_allow_needs_a_reason(big: Scanner, text: str, reason: str | None) -> None:
    res = big.scan_bytes("a.py", text.format(tok=github_token(5)).encode())
    assert len(res.matches) == 1
    assert res.matches[0].allow_reason == reason


def test_specific_detector_wins_over_generic(big: Scanner) -> None:
    line = f'aws_secret_access_key = "{corpus.rs(Random(2), 40, corpus.B64)}"'
    assert [m.detector.id for m in big.scan_bytes("c.ini", line.encode()).matches] == ["aws-secret-access-key"]


def test_documented_example_keys_are_quiet(big: Scanner) -> None:
    for name in ("aws-example-key-id", "aws-example-secret"):
        text = corpus.DECOYS[name](Random(0))
        assert big.scan_bytes("README.md", text.encode()).matches == []
