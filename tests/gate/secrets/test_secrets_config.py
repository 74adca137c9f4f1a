"""Config, allowlist and baseline: validation errors name the file and the line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from mamori.gate.secrets import api, suppress
from mamori.gate.secrets.config import load_config, parse_config
from mamori.gate.secrets.errors import SecretsConfigError
from mamori.gate.secrets.model import SuppressedBy

from .helpers import github_token


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("detectors:\n  - id: acme\n    regex: 'acme_[a-z'\n", "3", "detectors[0].regex: invalid regular expression"),
        ("exclude: [a]\ndisable:\n  - no-such-detector\n", "3", "disable: unknown detector id(s): no-such-detector"),
        ("allowlist:\n  - path: a.py\n    reason: fixture\n", "2", "allowlist[0].expires: Field required"),
        ("allowlist:\n  - reason: fixture\n    expires: 2030-01-01\n", "2", "needs a fingerprint or a path"),
        ("detectors:\n  - id: github-pat\n    regex: x\n", "2", "built-in detector id"),
        ("colour: blue\n", "1", "colour: Extra inputs are not permitted"),
        ("detectors: [\n  {id: a\n", None, "invalid YAML"),
        ("- just\n- a list\n", "1", "top level must be a mapping"),
    ],
)
def test_bad_config_names_file_and_line(text: str, where: str | None, message: str) -> None:
    with pytest.raises(SecretsConfigError) as info:
        parse_config(text, ".mamori-secrets.yaml")
    err = info.value
    assert err.source == ".mamori-secrets.yaml"
    if where is not None:
        assert err.where == where
    assert message in str(err)
    assert str(err).startswith(".mamori-secrets.yaml:")


def test_custom_detector_and_disable(tmp_path: Path) -> None:
    (tmp_path / ".mamori-secrets.yaml").write_text(
        "disable: [generic-password]\n"
        "detectors:\n"
        "  - id: acme-token\n"
        "    title: ACME token\n"
        "    regex: 'acme_(?P<secret>[a-z0-9]{24})'\n"
        "    keywords: [ACME_]\n"
        "    severity: critical\n"
        "  - id: no-keyword\n"
        "    regex: 'zz[0-9]{12}zz'\n"
    )
    cfg, path = load_config(None, tmp_path)
    assert path == tmp_path / ".mamori-secrets.yaml"
    settings = api.Settings.from_config(cfg, base_dir=tmp_path)
    ids = {d.id for d in settings.detectors}
    assert "acme-token" in ids and "generic-password" not in ids
    (tmp_path / "a.txt").write_text('x = "acme_abcdefghij0123456789klmn"\npassword = "Zq8#kLm2!pQr"\nzz123456789012zz\n')  # mamori:allow test data
    res = api.scan_paths([tmp_path], settings)
    assert sorted((f.detector, f.line, f.severity.value) for f in res.findings) == [
        ("acme-token", 1, "critical"),
        ("no-keyword", 3, "high"),
    ]


def test_allowlist_entries_match_exactly_and_expire(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(f'T = "{github_token(1)}"\n')
    (tmp_path / "a.py.bak").write_text(f'T = "{github_token(1)}"\n')
    base = api.Settings.from_config(parse_config("", "x"), base_dir=tmp_path)
    fp = next(f.fingerprint for f in api.scan_paths([tmp_path], base).findings if f.file == "a.py")
    text = (
        "allowlist:\n"
        f"  - fingerprint: {fp}\n    reason: revoked test token\n    expires: 2030-01-01\n"
        "  - path: a.py.bak\n    detector: github-pat\n    reason: old backup\n    expires: 2020-01-01\n"
    )
    settings = api.Settings.from_config(parse_config(text, "x"), base_dir=tmp_path, today=date(2026, 1, 1))
    res = api.scan_paths([tmp_path], settings)
    assert [f.file for f in res.findings] == ["a.py.bak"]  # the expired entry no longer silences
    assert [(s.finding.file, s.by, s.reason) for s in res.suppressed] == [
        ("a.py", SuppressedBy.ALLOWLIST, "revoked test token")
    ]
    assert res.expired_allowlist == ("a.py.bak [github-pat] (expired 2020-01-01)",)


def test_baseline_is_stable_when_lines_move_and_holds_no_secret(tmp_path: Path) -> None:
    tok = github_token(9)
    (tmp_path / "a.py").write_text(f'T = "{tok}"\n')
    settings = api.Settings.from_config(parse_config("", "x"), base_dir=tmp_path)
    first = api.scan_paths([tmp_path], settings)
    doc = suppress.baseline_document(first.findings)
    assert tok not in doc and tok[4:12] not in doc
    bl = tmp_path / "known.json"
    bl.write_text(doc)
    (tmp_path / "a.py").write_text(f'import os\n\n\nT = "{tok}"\n')  # moved down three lines
    settings = api.Settings.from_config(parse_config("", "x"), base_dir=tmp_path, baseline_path=bl)
    res = api.scan_paths([tmp_path], settings)
    assert res.findings == () and [s.by for s in res.suppressed] == [SuppressedBy.BASELINE]


def test_malformed_baseline_names_file_and_line(tmp_path: Path) -> None:
    bl = tmp_path / "b.json"
    bl.write_text('{\n  "fingerprints": [\n    "abc",\n  ]\n}\n')
    with pytest.raises(SecretsConfigError) as info:
        suppress.load_baseline(bl)
    assert info.value.source == str(bl) and info.value.where == "3:10"  # safeload (orjson): the trailing comma
    bl.write_text(json.dumps({"fingerprints": [1]}))
    with pytest.raises(SecretsConfigError, match=r"fingerprints\[0\]"):
        suppress.load_baseline(bl)


_GOOD = [
    "",
    "version: 1\nexclude: ['tests/**', docs/*.md]\ndisable: [generic-password]\nbaseline: b.json\nengine: re\n",
    "max_line_length: 256\n",
    "detectors:\n  - id: acme-token\n    title: ACME\n    regex: 'acme_[a-z]{8}'\n    keywords: [ACME_]\n"
    "    severity: Critical\n    min_entropy: 3\n  - id: zz\n    regex: 'zz[0-9]{4}'\n    min_entropy: 2.5\n",
    "allowlist:\n  - fingerprint: abc\n    reason: why not\n    expires: 2030-01-01\n    approver: me\n"
    "  - path: a.py\n    detector: github-pat\n    reason: fixture\n    expires: '2031-02-03'\n",
]
_COERCED_OR_BAD = [
    "version: '2'\n",  # pydantic coerces the string
    "max_line_length: 100\n",
    "max_line_length: 4096.0\n",
    "exclude: a\n",
    "exclude: [1]\n",
    "baseline: 3\n",
    "detectors:\n  - id: acme\n    regex: 'a'\n  - id: acme\n    regex: 'b'\n",
    "detectors:\n  - id: acme\n    regex: 'a*'\n",
    "detectors:\n  - id: acme\n    regex: 'a'\n    keywords: [' ']\n",
    "detectors:\n  - id: acme\n    regex: 'a'\n    severity: huge\n",
    "detectors:\n  - id: acme\n    regex: 'a'\n    min_entropy: 9\n",
    "detectors:\n  - id: acme\n    regex: 'a'\n    min_entropy: '3'\n",
    "detectors:\n  - id: Acme\n    regex: 'a'\n",
    "detectors:\n  - {id: acme}\n",
    "detectors: {}\n",
    "allowlist:\n  - path: a\n    reason: ok\n    expires: 2030-01-01\n",
    "allowlist:\n  - path: a\n    reason: fine\n    expires: '2030-02-30'\n",
    "allowlist:\n  - path: a\n    reason: fine\n    expires: 2030-01-01 10:00:00\n",
    "allowlist:\n  - path: ''\n    fingerprint: ''\n    reason: fine\n    expires: 2030-01-01\n",
    "allowlist:\n  - path: a\n    reason: fine\n    expires: 2030-01-01\n    extra: 1\n",
]


def _data(text: str) -> dict[str, object]:
    from mamori.safeload import compose_yaml

    node, construct = compose_yaml(text, source="c.yaml", error=SecretsConfigError)
    data = construct(node) if node is not None else None
    return data or {}


def _reference(text: str) -> object:
    """What the pydantic schema alone gives: the config, or its error message and line."""
    from mamori.gate.secrets import config_schema

    def no_plain(data: object) -> object:
        raise config_schema._NotPlain

    orig = config_schema._plain
    config_schema._plain = no_plain
    try:
        return parse_config(text, "c.yaml")
    except SecretsConfigError as exc:
        return (str(exc), exc.where)
    finally:
        config_schema._plain = orig


@pytest.mark.parametrize("text", _GOOD + _COERCED_OR_BAD)
def test_plain_checks_give_what_the_pydantic_schema_gives(text: str) -> None:
    """The plain path accepts only what the schema accepts, with the same values; errors are the schema's."""
    try:
        got: object = parse_config(text, "c.yaml")
    except SecretsConfigError as exc:
        got = (str(exc), exc.where)
    assert got == _reference(text)


@pytest.mark.parametrize("text", _GOOD)
def test_an_ordinary_config_is_validated_without_pydantic(text: str) -> None:
    from mamori.gate.secrets import config_schema

    assert config_schema._plain(_data(text)) == _reference(text)


@pytest.mark.parametrize("text", _COERCED_OR_BAD)
def test_what_the_plain_checks_do_not_accept_goes_to_the_schema(text: str) -> None:
    from mamori.gate.secrets import config_schema

    with pytest.raises(config_schema._NotPlain):
        config_schema._plain(_data(text))


def test_loading_a_config_does_not_import_pydantic(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / ".mamori-secrets.yaml").write_text(_GOOD[3] + _GOOD[4])
    code = (
        "import sys; from pathlib import Path; from mamori.gate.secrets.config import load_config; "
        f"cfg, _ = load_config(None, Path({str(tmp_path)!r})); "
        "assert cfg.detectors and cfg.allowlist; print(sorted(m for m in sys.modules if m.startswith('pydantic')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
