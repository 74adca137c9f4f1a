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
