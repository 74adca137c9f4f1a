"""Every directory of Python modules under src/mamori is a package, so a wheel ships it."""

from __future__ import annotations

from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "mamori"


def test_every_python_directory_is_a_package() -> None:
    missing = sorted(
        str(d.relative_to(SRC))
        for d in [SRC, *SRC.rglob("*")]
        if d.is_dir() and "__pycache__" not in d.parts and any(d.glob("*.py")) and not (d / "__init__.py").exists()
    )
    assert not missing, f"add __init__.py to: {missing}"
