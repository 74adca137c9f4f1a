"""Secrets in image layers honour the secrets gate's configuration: allowlist, baseline, excludes,
custom/disabled detectors, gitleaks allowlists and inline ``gitleaks:allow`` / ``mamori:allow``."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from mamori.gate.image.service import ImageRequest, run_image_gate
from tests.gate.image.builders import docker_archive, layer_tar
from tests.gate.image.conftest import AWS_KEY_ID, AWS_SECRET, debian_layers


def _image(tmp_path: Path, layers: list[bytes] | None = None) -> Path:
    p = tmp_path / "img.tar"
    p.write_bytes(docker_archive(layers or debian_layers()))
    return p


def _run(tmp_path: Path, now: datetime, cfg_dir: Path, layers: list[bytes] | None = None, **kw: object):
    return run_image_gate(ImageRequest(_image(tmp_path, layers), now, sample_data=True, secrets_config_dir=cfg_dir,
                                       **kw))  # type: ignore[arg-type]  # fmt: skip


def test_without_a_config_both_keys_are_reported(tmp_path: Path, now: datetime) -> None:
    report = _run(tmp_path, now, tmp_path)
    assert {s.detector for s in report.secrets} == {"aws-access-key-id", "aws-secret-access-key"}
    assert report.suppressed_secrets == () and report.exit_code == 1


def test_allowlist_entry_by_image_path_and_detector(tmp_path: Path, now: datetime) -> None:
    (tmp_path / ".mamori-secrets.yaml").write_text(
        "version: 1\nallowlist:\n"
        "  - path: app/.aws/credentials\n    detector: aws-access-key-id\n    reason: example key of the docs\n"
        "    expires: 2027-12-31\n    approver: security\n"
        "  - path: app/.aws/credentials\n    detector: aws-secret-access-key\n    reason: expired entry\n"
        "    expires: 2026-01-01\n    approver: security\n"
    )
    report = _run(tmp_path, now, tmp_path)
    assert [s.detector for s in report.secrets] == ["aws-secret-access-key"]  # its entry expired: reported
    [(s, by, why)] = report.suppressed_secrets
    assert (s.detector, by, why) == ("aws-access-key-id", "allowlist", "example key of the docs")
    assert any("expired" in n and "aws-secret-access-key" in n for n in report.notices)


def test_baseline_of_the_images_fingerprints(tmp_path: Path, now: datetime) -> None:
    first = _run(tmp_path, now, tmp_path)
    fps = [s.fingerprint for s in first.secrets]
    (tmp_path / ".mamori-secrets-baseline.json").write_text(json.dumps({"version": 1, "fingerprints": fps}))
    report = _run(tmp_path, now, tmp_path)
    assert report.secrets == () and {by for _, by, _ in report.suppressed_secrets} == {"baseline"}
    assert report.exit_code == 1  # log4j is still blocked; the secrets no longer are


def test_exclude_and_disabled_detectors(tmp_path: Path, now: datetime) -> None:
    (tmp_path / ".mamori-secrets.yaml").write_text("version: 1\nexclude:\n  - 'app/.aws/*'\n")
    assert _run(tmp_path, now, tmp_path).secrets == ()
    (tmp_path / ".mamori-secrets.yaml").write_text("version: 1\ndisable:\n  - aws-access-key-id\n")
    assert [s.detector for s in _run(tmp_path, now, tmp_path).secrets] == ["aws-secret-access-key"]


def test_gitleaks_config_and_inline_allow(tmp_path: Path, now: datetime) -> None:
    cfg = tmp_path / "gl"
    cfg.mkdir()
    (cfg / ".gitleaks.toml").write_text('[extend]\nuseDefault = true\n\n[allowlist]\npaths = ["app/\\\\.aws/.*"]\n')
    assert _run(tmp_path, now, cfg).secrets == ()
    inline = f"aws_access_key_id = {AWS_KEY_ID}  # gitleaks:allow\naws_secret_access_key = {AWS_SECRET}\n"
    layers = [layer_tar({"etc/app.ini": inline.encode()})]
    report = _run(tmp_path, now, tmp_path, layers)
    assert [s.detector for s in report.secrets] == ["aws-secret-access-key"]
    assert [(s.detector, by) for s, by, _ in report.suppressed_secrets] == [("aws-access-key-id", "inline")]


def test_an_explicit_config_file_wins(tmp_path: Path, now: datetime) -> None:
    other = tmp_path / "secrets.yaml"
    other.write_text("version: 1\nexclude:\n  - 'app/**'\n")
    report = _run(tmp_path, now, tmp_path, secrets_config=other)
    assert report.secrets == ()
