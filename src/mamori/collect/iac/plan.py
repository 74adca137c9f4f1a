"""Terraform plan JSON (``terraform show -json plan.out``) -> raw resources.

``planned_values`` gives each resource's attributes after the change; ``resource_changes``'
``after_unknown`` marks those known only after apply: an attribute whose configuration
refers to another resource (``kms_master_key_id = aws_kms_key.k.arn``) is Symbolic (it will
be that resource's identifier), any other is Unknown (``known after apply``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mamori.collect.iac.values import IacError, RawResource, Symbolic, Unknown
from mamori.safeload import load_json

MAX_BYTES = 256 * 1024 * 1024


def is_plan(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and ("planned_values" in doc or "resource_changes" in doc)
        and "format_version" in doc
    )


def _mark_unknown(values: Any, unknown: Any, refs: dict[str, list[str]], path: str) -> Any:
    if unknown is True:
        ref = refs.get(path.split(".", 1)[0]) if "." not in path else None
        if ref:
            return Symbolic("${" + ref[0] + "}")
        return Unknown(f"{path} (known after apply)")
    if isinstance(unknown, dict) and isinstance(values, dict):
        out = dict(values)
        for k, u in unknown.items():
            out[k] = _mark_unknown(values.get(k), u, refs, f"{path}.{k}" if path else k)
        return out
    if isinstance(unknown, list) and isinstance(values, list):
        return [
            _mark_unknown(v, unknown[i] if i < len(unknown) else False, refs, f"{path}[{i}]")
            for i, v in enumerate(values)
        ]
    return values


def _config_refs(config: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    """{resource address: {attribute: [referenced addresses]}} from ``configuration`` (root and local modules)."""
    out: dict[str, dict[str, list[str]]] = {}
    stack: list[tuple[str, Any]] = [("", config.get("root_module") or {})]
    while stack:
        prefix, mod = stack.pop()
        if not isinstance(mod, dict):
            continue
        for r in mod.get("resources") or []:
            if not isinstance(r, dict):
                continue
            exprs = r.get("expressions") or {}
            refs = {
                k: [x for x in v.get("references", []) if isinstance(x, str)]
                for k, v in exprs.items()
                if isinstance(v, dict) and v.get("references")
            }
            out[prefix + str(r.get("address", ""))] = {k: [prefix + x for x in v] for k, v in refs.items()}
        for name, call in (mod.get("module_calls") or {}).items():
            if isinstance(call, dict):
                stack.append((f"{prefix}module.{name}.", call.get("module") or {}))
    return out


def load_plan(path: Path, doc: Any | None = None) -> list[RawResource]:
    src = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IacError(f"cannot read: {exc.strerror}", source=src) from exc
    if doc is None:
        doc = load_json(raw, source=src, max_bytes=MAX_BYTES, error=IacError)
    if not is_plan(doc):
        raise IacError(
            "not a Terraform plan (`terraform show -json`): no format_version/planned_values", source=src
        )
    text = raw.decode("utf-8", "replace")
    changes = {c.get("address"): c for c in doc.get("resource_changes") or [] if isinstance(c, dict)}
    refs = _config_refs(doc.get("configuration") or {})
    out: list[RawResource] = []
    stack = [(doc.get("planned_values") or {}).get("root_module") or {}]
    while stack:
        mod = stack.pop()
        if not isinstance(mod, dict):
            raise IacError("planned_values modules must be objects", source=src, where="planned_values")
        stack.extend(reversed(mod.get("child_modules") or []))
        for r in mod.get("resources") or []:
            if not isinstance(r, dict) or r.get("mode", "managed") != "managed":
                continue
            addr = str(r.get("address", ""))
            values = r.get("values") if isinstance(r.get("values"), dict) else {}
            change = (changes.get(addr) or {}).get("change") or {}
            unknown = change.get("after_unknown") or {}
            base = re.sub(r"\[[^\]]*\]$", "", addr)
            r_refs = refs.get(re.sub(r"\[[^\]]*\]", "", base)) or refs.get(base) or {}
            attrs: dict[str, Any] = _mark_unknown(values, unknown, r_refs, "") if unknown else dict(values or {})
            m = re.search(r'"address"\s*:\s*"' + re.escape(addr) + '"', text)
            line = text.count("\n", 0, m.start()) + 1 if m else 0
            rr = RawResource("plan", str(r.get("type", "")), addr, src, line, attrs, root=src)
            rr.refs = {k: v[0] for k, v in r_refs.items() if v}
            out.append(rr)
    return out
