"""gitleaks configs: rules, allowlists, extend, RE2 translation, what cannot be honoured, gitleaks:allow."""

from __future__ import annotations

import contextlib
import re
import warnings
from pathlib import Path
from random import Random

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from mamori.cli.gate import gate
from mamori.gate.secrets import api, corpus
from mamori.gate.secrets.config import load_config, load_gitleaks
from mamori.gate.secrets.errors import SecretsConfigError
from mamori.gate.secrets.gitleaks import Untranslatable, translate_go_regex

ACME = "acme_" + corpus.rs(Random(1), 32)

CONFIG = """
[extend]
useDefault = true
disabledRules = ["generic-api-key"]

[[rules]]
id = "acme-token"
description = "ACME internal token"
regex = '''\\b(acme_(?i)[a-z0-9]{32})\\b'''
keywords = ["acme_"]
entropy = 3.0
  [[rules.allowlists]]
  regexTarget = "line"
  regexes = ['''fixture-line''']

[[rules]]
id = "acme-pair"
regex = '''acmeid=([0-9]{4}) acmekey=([[:alnum:]]{20})'''
secretGroup = 2
keywords = ["acmekey="]

[[rules]]
id = "keystore-file"
path = '''(?i)\\.jks$'''

[[rules]]
id = "aws-access-token"
  [[rules.allowlists]]
  description = "aws fixtures"
  regexTarget = "line"
  regexes = ['''key_fixture''']

[[rules]]
id = "greek"
regex = '''\\p{Greek}+'''

[allowlist]
description = "vendored code"
paths = ['''(?:^|/)third/''']

[[allowlists]]
description = "known dummy"
stopwords = ["notsecret"]
"""


def _scan(tmp_path: Path, files: dict[str, str], config: str = CONFIG) -> api.ScanResult:
    (tmp_path / ".gitleaks.toml").write_text(config)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    cfg, path = load_config(None, tmp_path)
    assert path == tmp_path / ".gitleaks.toml"
    return api.scan_paths([tmp_path], api.Settings.from_config(cfg, base_dir=tmp_path), jobs=1)


def test_custom_rules_and_allowlists(tmp_path: Path) -> None:
    key = "AKIA" + corpus.rs(Random(2), 16, corpus.B32)
    pair = corpus.rs(Random(3), 20)
    res = _scan(
        tmp_path,
        {
            "app.py": f'token = "{ACME}"\nx = "acmeid=1234 acmekey={pair}"\n',
            "fixture.py": f'token = "{ACME}"  # fixture-line\n',
            "third/lib.py": f'token = "{ACME}"\n',
            "keys/server.jks": "binary\x00",
            "aws.py": f"key_fixture = {key}\n",
            "other.py": f'token = "{ACME[:-9]}notsecret"\n',
        },
    )
    got = sorted((h.detector, h.file, h.secret.reveal().decode()) for h in res.findings)
    assert got == [
        ("acme-pair", "app.py", pair),
        ("acme-token", "app.py", ACME),
        ("keystore-file", "keys/server.jks", "keys/server.jks"),
    ]
    reasons = sorted((s.finding.file, s.reason) for s in res.suppressed)
    assert reasons == [
        ("aws.py", "gitleaks allowlist: aws fixtures"),
        ("fixture.py", "gitleaks allowlist"),
        ("other.py", "gitleaks allowlist: known dummy"),
    ]
    assert res.stats.skipped_excluded >= 1  # third/ is not read at all


def test_unusable_rule_is_reported_not_dropped(tmp_path: Path) -> None:
    (tmp_path / ".gitleaks.toml").write_text(CONFIG)
    cfg = load_gitleaks(tmp_path / ".gitleaks.toml")
    assert [s for s in cfg.skipped if s.startswith("rule greek:")] == [
        "rule greek: regex cannot be used: Unicode classes (\\p{...}) are not supported by Python's re on bytes"
    ]
    (tmp_path / "a.py").write_text(f'token = "{ACME}"\n')
    res = CliRunner().invoke(gate, ["secrets", str(tmp_path)], catch_exceptions=False)
    assert res.exit_code == 1
    assert "gitleaks config: not used: rule greek: regex cannot be used" in res.stderr
    assert ACME not in res.stdout + res.stderr


def test_disabled_rules_use_gitleaks_names(tmp_path: Path) -> None:
    (tmp_path / ".gitleaks.toml").write_text(CONFIG)
    cfg, _ = load_config(tmp_path / ".gitleaks.toml")
    ids = {d.id for d in cfg.active_detectors()}
    assert "generic-secret" not in ids  # gitleaks' generic-api-key
    assert {"acme-token", "github-pat", "keystore-file"} <= ids


def test_without_use_default_rules_replace_the_builtins(tmp_path: Path) -> None:
    text = CONFIG.replace("useDefault = true", "useDefault = false")
    res = _scan(tmp_path, {"a.py": f'token = "{ACME}"\ngh = "ghp_{corpus.rs(Random(5), 36)}"\n'}, text)
    assert sorted(h.detector for h in res.findings) == ["acme-token"]


def test_gitleaks_allow_comment(tmp_path: Path) -> None:
    gh = "ghp_" + corpus.rs(Random(6), 36)
    (tmp_path / "a.py").write_text(f'GITHUB_TOKEN = "{gh}"  # gitleaks:allow\nOTHER = "{gh[:-1]}Z"\n')
    cfg, _ = load_config(None, tmp_path)
    res = api.scan_paths([tmp_path], api.Settings.from_config(cfg, base_dir=tmp_path), jobs=1)
    assert [(h.detector, h.line) for h in res.findings] == [("github-pat", 2)]
    assert [(s.by.value, s.reason) for s in res.suppressed] == [("inline", "gitleaks:allow")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[rules]\nid = 'x'", "invalid TOML"),
        ("rules = 3", "rules must be an array"),
        ("[[rules]]\nregex = 'x'", "rules[0]: id is required"),
        ("[[rules]]\nid = 'x'\nregex = 'a'\nsecretGroup = -1", "secretGroup"),
        ("[[rules]]\nid = 'x'\nregex = 'a'\nkeywords = 'a'", "keywords: expected a list"),
    ],
)
def test_bad_gitleaks_config_names_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "custom.toml"
    path.write_text(text)
    with pytest.raises(SecretsConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(str(path)) and message in str(info.value)
    res = CliRunner().invoke(gate, ["secrets", str(tmp_path), "--config", str(path)], catch_exceptions=False)
    assert res.exit_code == 2 and str(path) in res.stderr


@pytest.mark.parametrize(
    ("go", "py"),
    [
        (r"\b(p8e-(?i)[a-z0-9]{32})\b", r"\b(p8e-(?i:[a-z0-9]{32}))\b"),
        (r"(?i)abc", r"(?i)abc"),
        (r"a(?i)b|c", r"a(?i:b)|(?i:c)"),
        (r"(x(?-i)Y)", r"(x(?-i:Y))"),
        (r"[[:alnum:]_]{3}", r"[A-Za-z0-9_]{3}"),
        (r"end\z", r"end\Z"),
        (r"(?<tok>[a-z]+)", r"(?P<tok>[a-z]+)"),
        (r"[\]a]\(", r"[\]a]\("),
    ],
)
def test_re2_translation(go: str, py: str) -> None:
    assert translate_go_regex(go) == py
    re.compile(py)


@pytest.mark.parametrize("go", [r"\p{L}+", r"\PL", r"\Qa.b\E", r"(?U)a+", r"[[:foo:]]", r"(a"])
def test_untranslatable_regexes_say_why(go: str) -> None:
    with pytest.raises(Untranslatable):
        translate_go_regex(go)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab()[]|?:*+\\iz{}^-=<>PpQE:", max_size=30))
def test_translation_never_crashes_otherwise(rx: str) -> None:
    """Any input either translates (then compiles or raises re.error) or raises Untranslatable."""
    try:
        out = translate_go_regex(rx)
    except Untranslatable:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # "possible nested set" in random input
        with contextlib.suppress(re.error):
            re.compile(out.encode())


def test_extend_path_overrides_base_rules_field_by_field(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text(
        "[[rules]]\nid = 'acme-token'\ndescription = 'ACME'\nregex = '''acme_[a-z0-9]{8}'''\nkeywords = ['acme_']\n"
        "[[rules]]\nid = 'old-rule'\nregex = '''old_[0-9]{8}'''\n"
    )
    (tmp_path / ".gitleaks.toml").write_text(
        "[extend]\npath = 'base.toml'\ndisabledRules = ['old-rule']\n"
        "[[rules]]\nid = 'acme-token'\ndescription = 'ACME token (ours)'\nentropy = 2.0\n"
    )
    cfg = load_gitleaks(tmp_path / ".gitleaks.toml")
    assert [(d.id, d.title, d.min_entropy, d.keywords) for d in cfg.detectors] == [
        ("acme-token", "ACME token (ours)", 2.0, (b"acme_",))
    ]
    assert not cfg.use_default and cfg.skipped == ()
    (tmp_path / "missing.toml").write_text("[extend]\npath = 'nope.toml'\n")
    with pytest.raises(SecretsConfigError, match=r"extend.*nope\.toml.*cannot read"):
        load_gitleaks(tmp_path / "missing.toml")
