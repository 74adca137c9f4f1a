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


def test_the_emulator_is_an_extra_not_a_runtime_dependency() -> None:
    import tomllib

    project = tomllib.loads((SRC.parents[1] / "pyproject.toml").read_text())["project"]
    assert not [d for d in project["dependencies"] if d.lower().startswith(("moto", "flask", "werkzeug"))]
    extras = project["optional-dependencies"]
    assert any(d.startswith("moto[server]") for d in extras["demo"])
    assert "mamori[demo]" in extras["dev"]  # make demo / make test install it
    assert project["license"] == "Apache-2.0" and (SRC.parents[1] / "LICENSE").read_text().count("Apache License") >= 1
    assert {"Homepage", "Source", "Changelog"} <= set(project["urls"])
    assert (SRC.parents[1] / "CHANGELOG.md").exists()


def test_moto_is_imported_only_inside_functions_of_the_demo() -> None:
    """`pip install mamori` has no moto: a module-level import anywhere would break every command."""
    import re

    imports = re.compile(r"^(\s*)(?:import moto\b|from moto\b)", re.M)
    offenders = []
    for py in SRC.rglob("*.py"):
        for m in imports.finditer(py.read_text()):
            if not m.group(1) or "demo" not in py.relative_to(SRC).parts:
                offenders.append(f"{py.relative_to(SRC)}: {m.group(0).strip()}")
    assert not offenders, offenders
