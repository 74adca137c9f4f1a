"""Every YAML/JSON reader of a file a repository or user controls is bounded (issue 12, items 4, 6, 11).

mamori.yaml, the suppressions file, .mamori-secrets.yaml, the secrets baseline, a KEV
catalogue and OSV records go through ``mamori.safeload``: an alias bomb, deep nesting, an
impossible date, NUL or non-UTF-8 bytes are the reader's own error with file and place, and
duplicate keys in mamori.yaml are refused instead of the last one silently winning.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.config.loader import load_config
from mamori.errors import ConfigError, InputError
from mamori.gate.deps.errors import AdvisoryDataError
from mamori.gate.deps.kev import load_kev
from mamori.gate.secrets.config_schema import parse as parse_secrets_config
from mamori.gate.secrets.errors import SecretsConfigError
from mamori.gate.secrets.suppress import load_baseline
from mamori.hub.suppfile import load_suppressions_file

BOMB = b"a: &a [x, x, x, x, x, x, x, x, x]\n" + b"".join(
    f"{c}: &{c} [".encode() + ", ".join([f"*{p}"] * 9).encode() + b"]\n"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)
HOSTILE_YAML = {
    "alias bomb": (BOMB, "alias bomb"),
    "deep": (b"x: " + b"[" * 500 + b"]" * 500 + b"\n", "nested deeper"),
    "bad date": (b"x: 2026-02-30\n", "timestamp"),
    "bad offset": (b"x: 2026-01-01 10:00:00 +99:00\n", "timestamp"),
    "nul": (b"x: a\x00b\n", "NUL"),
    "not utf-8": (b"x: \xff\xfe\n", "not UTF-8"),
    "duplicate key": (b"x: 1\nx: 2\n", "duplicate key 'x'"),
}


def _config(p: Path) -> object:
    return load_config(p)


def _supp(p: Path) -> object:
    return load_suppressions_file(p)


def _secrets(p: Path) -> object:
    return parse_secrets_config(p.read_bytes().decode("utf-8", "replace"), str(p))


READERS: dict[str, tuple[Callable[[Path], object], type[InputError]]] = {
    "mamori.yaml": (_config, ConfigError),
    "mamori-suppressions.yaml": (_supp, InputError),
    ".mamori-secrets.yaml": (_secrets, SecretsConfigError),
}


# .mamori-secrets.yaml's reader is given text (its caller decodes the bytes), so "not utf-8" is not its case.
PAIRS = [(r, c) for r in sorted(READERS) for c in sorted(HOSTILE_YAML) if (r, c) != (".mamori-secrets.yaml", "not utf-8")]


@pytest.mark.parametrize(("reader", "case"), PAIRS)
def test_hostile_yaml_is_the_readers_error(tmp_path: Path, reader: str, case: str) -> None:
    raw, words = HOSTILE_YAML[case]
    read, error = READERS[reader]
    p = tmp_path / reader
    p.write_bytes(raw)
    start = time.monotonic()
    with pytest.raises(error) as err:
        read(p)
    assert time.monotonic() - start < 2
    assert words in str(err.value)
    assert str(err.value).startswith(str(p))


def test_mamori_yaml_duplicate_key_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "mamori.yaml"
    p.write_text("regions: [eu-west-1]\nowners: {}\nregions: [us-east-1]\n")
    with pytest.raises(ConfigError) as err:
        load_config(p)
    assert err.value.where == "3:1" and "duplicate key 'regions'" in str(err.value)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b'{"vulnerabilities": ' + b"[" * 500 + b"]" * 500 + b"}", "nested deeper"),
        (b'{"vulnerabilities": [{"cveID": "CVE-1\\u0000"}]}', "NUL"),
        (b'{"vulnerabilities": [], "x": NaN}', "JSON"),
    ],
)
def test_hostile_kev_catalogue_is_an_advisory_data_error(tmp_path: Path, raw: bytes, words: str) -> None:
    p = tmp_path / "kev.json"
    p.write_bytes(raw)
    with pytest.raises(AdvisoryDataError) as err:
        load_kev(p)
    assert words in str(err.value)


def test_hostile_baseline_is_a_secrets_config_error(tmp_path: Path) -> None:
    p = tmp_path / "b.json"
    p.write_bytes(b'{"fingerprints": ' + b"[" * 500 + b"]" * 500 + b"}")
    with pytest.raises(SecretsConfigError, match="nested deeper"):
        load_baseline(p)


@given(text=st.text(max_size=300))
def test_any_text_is_a_config_or_a_config_error(text: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    p = tmp_path_factory.getbasetemp() / "fuzz-mamori.yaml"
    p.write_text(text, encoding="utf-8", errors="surrogatepass")
    with contextlib.suppress(ConfigError):
        load_config(p)
