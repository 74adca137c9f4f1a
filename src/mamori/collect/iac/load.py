"""Find and read every IaC source under a path: Terraform trees, plan JSON, CloudFormation templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mamori.collect.iac.adapt import Adapted, adapt
from mamori.collect.iac.cfn import load_template, looks_like_template, parse_parameters_file
from mamori.collect.iac.plan import is_plan, load_plan
from mamori.collect.iac.terraform import load_tree
from mamori.collect.iac.values import IacError, RawResource

_SKIP_DIRS = {".terraform", ".git", "node_modules", ".venv", "__pycache__", "cdk.out"}
_TEMPLATE_SUFFIXES = {".yaml", ".yml", ".json", ".template"}


def _plan_doc(path: Path) -> Any:
    from mamori.collect.iac.plan import MAX_BYTES
    from mamori.safeload import load_json

    try:
        head = path.read_bytes()[:4096]
    except OSError as exc:
        raise IacError(f"cannot read: {exc.strerror}", source=str(path)) from exc
    if b'"format_version"' not in head and b'"planned_values"' not in head:
        return None
    doc = load_json(path.read_bytes(), source=str(path), max_bytes=MAX_BYTES, error=IacError)
    return doc if is_plan(doc) else None


def read_raw(path: Path, var_files: list[Path] | None = None) -> tuple[list[RawResource], int]:
    """(raw resources, files read) of a file or a directory tree."""
    tfvars = [f for f in var_files or [] if f.name.endswith((".tfvars", ".tfvars.json"))]
    params: dict[str, Any] = {}
    for f in var_files or []:
        if f not in tfvars:
            params.update(parse_parameters_file(f))
    if not path.exists():
        raise IacError("no such file or directory", source=str(path))
    if path.is_file():
        if path.suffix == ".tf":
            return load_tree(path, tfvars), 1
        if path.suffix.lower() == ".json":
            doc = _plan_doc(path)
            if doc is not None:
                return load_plan(path, doc), 1
        if path.suffix.lower() in _TEMPLATE_SUFFIXES:
            return load_template(path, params), 1
        raise IacError("not Terraform (.tf), a plan (.json) or a CloudFormation template", source=str(path))
    out = load_tree(path, tfvars)
    files = sum(1 for _ in path.rglob("*.tf"))
    for f in sorted(path.rglob("*")):
        if (
            not f.is_file()
            or f.suffix.lower() not in _TEMPLATE_SUFFIXES
            or _SKIP_DIRS & set(f.relative_to(path).parts)
        ):
            continue
        if f.name.endswith(".tfvars.json") or f in (var_files or []):
            continue
        if f.suffix.lower() == ".json":
            doc = _plan_doc(f)
            if doc is not None:
                out.extend(load_plan(f, doc))
                files += 1
                continue
        if looks_like_template(f):
            out.extend(load_template(f, params))
            files += 1
    return out, files


def load_iac(path: Path, var_files: list[Path] | None = None) -> tuple[list[Adapted], list[RawResource], int]:
    """(typed resources, raw resources, files read)."""
    raws, files = read_raw(path, var_files)
    return adapt(raws), raws, files
