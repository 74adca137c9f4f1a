"""CloudFormation templates (YAML or JSON) -> raw resources, intrinsics resolved statically.

Templates are read through :mod:`mamori.safeload` (size, depth, alias and duplicate-key
limits apply as to every other input): YAML is composed into a node graph and converted
here, so the short intrinsic tags (``!Ref``, ``!Sub``, ``!GetAtt``, ``!If``, ...) become their
long forms and each resource keeps its line. Resolved: ``Parameters`` (an override file, then
``Default``), ``Mappings``/``Fn::FindInMap``, ``Conditions`` (``Fn::Equals``/``Not``/``And``/
``Or``/``Condition``), ``Fn::If``, ``Ref``, ``Fn::GetAtt``, ``Fn::Sub``, ``Fn::Join``,
``Fn::Select``, ``Fn::Split``, ``AWS::NoValue``. A ``Ref`` to a resource or a pseudo parameter
is :class:`~mamori.collect.iac.values.Symbolic` (it will exist; its text is not known now);
a parameter without a default, ``Fn::ImportValue`` and the like are Unknown.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mamori.collect.iac.terraform import parse_waiver
from mamori.collect.iac.values import IacError, RawResource, Symbolic, Unknown, Waiver
from mamori.safeload import compose_yaml, load_json

MAX_BYTES = 8 * 1024 * 1024
_SHORT = {"Ref": "Ref", "Condition": "Condition"}
_NOVALUE = object()


def _convert(node: Node, construct: Any, lines: dict[str, int], top: bool = False) -> Any:
    """A composed YAML node -> plain data with the intrinsic tags in their long form."""
    tag = node.tag or ""
    if tag.startswith("!"):
        name = tag[1:]
        fn = _SHORT.get(name, f"Fn::{name}")
        if isinstance(node, ScalarNode):
            val: Any = node.value
            if name == "GetAtt":
                val = val.split(".", 1)
        elif isinstance(node, SequenceNode):
            val = [_convert(c, construct, {}) for c in node.value]
        else:
            val = _convert(MappingNode("tag:yaml.org,2002:map", node.value), construct, {})
        return {fn: val}
    if isinstance(node, MappingNode):
        out: dict[str, Any] = {}
        for k, v in node.value:
            key = str(construct(k)) if isinstance(k, ScalarNode) else "?"
            out[key] = _convert(v, construct, {}, False)
            if top:
                lines[key] = k.start_mark.line + 1
        return out
    if isinstance(node, SequenceNode):
        return [_convert(c, construct, {}) for c in node.value]
    return construct(node)


def read_template(path: Path, text: bytes | None = None) -> tuple[dict[str, Any], dict[str, int]]:
    """(template, {logical id: line}) of a template file."""
    src = str(path)
    if text is None:
        try:
            text = path.read_bytes()
        except OSError as exc:
            raise IacError(f"cannot read: {exc.strerror}", source=src) from exc
    lines: dict[str, int] = {}
    if path.suffix.lower() == ".json" or text.lstrip()[:1] == b"{":
        doc = load_json(text, source=src, max_bytes=MAX_BYTES, unique_keys=True, error=IacError)
        if isinstance(doc, dict) and isinstance(doc.get("Resources"), dict):
            body = text.decode("utf-8", "replace")
            for lid in doc["Resources"]:
                m = re.search(r'"' + re.escape(str(lid)) + r'"\s*:', body)
                lines[str(lid)] = body.count("\n", 0, m.start()) + 1 if m else 0
    else:
        root, construct = compose_yaml(text, source=src, max_bytes=MAX_BYTES, error=IacError)
        if root is None:
            raise IacError("empty template", source=src)
        doc = _convert(root, construct, {})
        res = (
            next((v for k, v in root.value if isinstance(k, ScalarNode) and k.value == "Resources"), None)
            if isinstance(root, MappingNode)
            else None
        )
        if isinstance(res, MappingNode):
            for k, _ in res.value:
                lines[str(k.value)] = k.start_mark.line + 1
    if not isinstance(doc, dict) or not isinstance(doc.get("Resources"), dict):
        raise IacError(
            "a CloudFormation template is a mapping with `Resources:`", source=src, where="Resources"
        )
    return doc, lines


def looks_like_template(path: Path) -> bool:
    """Whether a .yaml/.json/.template file is a CloudFormation template (cheap sniff)."""
    try:
        head = path.read_bytes()[:200_000]
    except OSError:
        return False
    return b"AWSTemplateFormatVersion" in head or (
        b"Resources" in head and re.search(rb"AWS::[A-Za-z0-9]+::", head) is not None
    )


class _Template:
    def __init__(self, doc: dict[str, Any], src: str, params: dict[str, Any]) -> None:
        self.doc = doc
        self.src = src
        self.resources: dict[str, Any] = doc.get("Resources") or {}
        self.params: dict[str, Any] = {}
        for name, spec in (doc.get("Parameters") or {}).items():
            if name in params:
                self.params[name] = params[name]
            elif isinstance(spec, dict) and "Default" in spec:
                d = spec["Default"]
                t = str(spec.get("Type", ""))
                self.params[name] = (
                    [x.strip() for x in str(d).split(",")]
                    if t.startswith("List<") or t == "CommaDelimitedList"
                    else _scalar(d)
                )
            else:
                self.params[name] = Unknown(f"Ref {name} (parameter without Default)")
        self.mappings = doc.get("Mappings") or {}
        self.conditions = doc.get("Conditions") or {}
        self._cond_memo: dict[str, Any] = {}
        self.depth = 0

    def condition(self, name: str) -> Any:
        if name in self._cond_memo:
            return self._cond_memo[name]
        self._cond_memo[name] = Unknown(f"Condition {name} (refers to itself)")
        spec = self.conditions.get(name)
        v = Unknown(f"Condition {name} (not defined)") if spec is None else self.value(spec)
        if isinstance(v, Unknown):
            v = Unknown(f"Condition {name}: {v.expr}")
        elif not isinstance(v, bool):
            v = Unknown(f"Condition {name} is not a boolean")
        self._cond_memo[name] = v
        return v

    def ref(self, name: str) -> Any:
        if name in self.params:
            return self.params[name]
        if name == "AWS::NoValue":
            return _NOVALUE
        if name == "AWS::Partition":
            return "aws"
        if name == "AWS::URLSuffix":
            return "amazonaws.com"
        if name.startswith("AWS::"):
            return Symbolic("${" + name + "}")
        res = self.resources.get(name)
        if isinstance(res, dict):
            if res.get("Type") == "AWS::S3::Bucket":
                bn = (res.get("Properties") or {}).get("BucketName")
                v = self.value(bn) if bn is not None else None
                return v if isinstance(v, str) else Symbolic("${" + name + "}")
            return Symbolic("${" + name + "}")
        return Unknown(f"Ref {name} (no such parameter or resource)")

    def getatt(self, lid: str, attr: str) -> Any:
        res = self.resources.get(lid)
        if not isinstance(res, dict):
            return Unknown(f"Fn::GetAtt {lid}.{attr} (no such resource)")
        if res.get("Type") == "AWS::S3::Bucket" and attr == "Arn":
            return f"arn:aws:s3:::{self.ref(lid)}"
        return Symbolic("${" + lid + "." + attr + "}")

    def value(self, v: Any) -> Any:
        self.depth += 1
        try:
            if self.depth > 200:
                return Unknown("nested too deeply")
            if isinstance(v, dict):
                if len(v) == 1:
                    ((k, arg),) = v.items()
                    if k == "Ref" or k.startswith("Fn::") or k == "Condition":
                        return self.intrinsic(k, arg)
                out = {}
                for k, x in v.items():
                    r = self.value(x)
                    if r is not _NOVALUE:
                        out[k] = r
                return out
            if isinstance(v, list):
                return [r for r in (self.value(x) for x in v) if r is not _NOVALUE]
            return _scalar(v)
        finally:
            self.depth -= 1

    def intrinsic(self, fn: str, arg: Any) -> Any:
        text = f"{fn} {_short(arg)}"
        if fn == "Ref":
            return self.ref(str(arg)) if isinstance(arg, str) else Unknown(text)
        if fn == "Condition":
            return self.condition(str(arg))
        if fn == "Fn::GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else arg
            if isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, str) for p in parts):
                return self.getatt(parts[0], parts[1])
            return Unknown(text)
        if fn == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
            c = self.condition(str(arg[0]))
            if isinstance(c, Unknown):
                return Unknown(f"Fn::If [{arg[0]}, ...] ({c.expr})")
            return self.value(arg[1] if c else arg[2])
        a = self.value(arg)
        bad = _first_unknown(a)
        if bad is not None:
            return Unknown(f"{text} ({bad.expr})")
        try:
            if fn == "Fn::Equals":
                return str(a[0]) == str(a[1])
            if fn == "Fn::Not":
                return not a[0]
            if fn == "Fn::And":
                return all(a)
            if fn == "Fn::Or":
                return any(a)
            if fn == "Fn::Join":
                return str(a[0]).join(_text(x) for x in a[1])
            if fn == "Fn::Select":
                return a[1][int(a[0])]
            if fn == "Fn::Split":
                return str(a[1]).split(str(a[0]))
            if fn == "Fn::FindInMap":
                return self.value(self.mappings[a[0]][a[1]][a[2]])
            if fn == "Fn::Sub":
                return self.sub(a if isinstance(a, str) else a[0], {} if isinstance(a, str) else a[1], text)
            if fn == "Fn::Base64":
                return a
        except (KeyError, IndexError, TypeError, ValueError):
            return Unknown(text)
        return Unknown(text)

    def sub(self, template: str, names: dict[str, Any], text: str) -> Any:
        out: list[str] = []
        symbolic = False
        for part in re.split(r"(\$\{[^}]*\})", template):
            if part.startswith("${!"):
                out.append("${" + part[3:])
            elif part.startswith("${") and part.endswith("}"):
                name = part[2:-1].strip()
                if name in names:
                    v = names[name]
                elif "." in name and not name.startswith("AWS::"):
                    v = self.getatt(*name.split(".", 1))
                else:
                    v = self.ref(name)
                if isinstance(v, Unknown):
                    return Unknown(f"{text} ({v.expr})")
                symbolic = symbolic or isinstance(v, Symbolic)
                out.append(_text(v))
            else:
                out.append(part)
        s = "".join(out)
        return Symbolic(s) if symbolic and s.startswith("${") and s.endswith("}") else s


def _short(v: Any) -> str:
    s = repr(v)
    return s if len(s) <= 80 else s[:77] + "..."


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _scalar(v: Any) -> Any:
    if isinstance(v, datetime | date):
        return v.isoformat()
    return v


def _first_unknown(v: Any) -> Unknown | None:
    from mamori.collect.iac.values import unknown_in

    return unknown_in(v)


def _waivers(meta: Any, line: int) -> list[Waiver]:
    """``Metadata: {mamori: {ignore: [{rule, reason, expires}, ...]}}`` (or the comment syntax as strings)."""
    out: list[Waiver] = []
    block = meta.get("mamori") if isinstance(meta, dict) else None
    items = block.get("ignore") if isinstance(block, dict) else None
    for it in items if isinstance(items, list) else []:
        if isinstance(it, str):
            w = parse_waiver("mamori:ignore " + it.removeprefix("mamori:ignore").strip(), line)
            if w:
                out.append(w)
        elif isinstance(it, dict):
            rule, reason, expires = (
                str(it.get("rule", "")),
                str(it.get("reason", "") or "").strip(),
                _scalar(it.get("expires", "")),
            )
            problem = "" if reason else "no reason"
            if not problem and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(expires)):
                problem = "no expires: YYYY-MM-DD"
            out.append(Waiver(rule, reason, str(expires), line, problem))
    return out


def load_template(path: Path, params: dict[str, Any] | None = None) -> list[RawResource]:
    doc, lines = read_template(path)
    t = _Template(doc, str(path), params or {})
    out: list[RawResource] = []
    for lid, res in t.resources.items():
        if not isinstance(res, dict) or not isinstance(res.get("Type"), str):
            raise IacError(
                "a resource needs a Type",
                source=str(path),
                where=f"{lines.get(lid, 0)}" if lines.get(lid) else f"Resources.{lid}",
            )
        cond = res.get("Condition")
        if isinstance(cond, str):
            c = t.condition(cond)
            if c is False:
                continue
        props = res.get("Properties") or {}
        attrs = t.value(props) if isinstance(props, dict) else {}
        if not isinstance(attrs, dict):
            attrs = {}
        line = lines.get(lid, 0)
        out.append(
            RawResource(
                "cloudformation",
                res["Type"],
                lid,
                str(path),
                line,
                attrs,
                _waivers(res.get("Metadata"), line),
                root=str(path),
            )
        )
    return out


def parse_parameters_file(path: Path) -> dict[str, Any]:
    """Parameter values: ``[{ParameterKey, ParameterValue}]`` (the CLI's format) or ``{Parameters: {k: v}}`` / ``{k: v}``."""
    src = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IacError(f"cannot read: {exc.strerror}", source=src) from exc
    from mamori.safeload import load_yaml

    doc = load_yaml(raw, source=src, error=IacError)
    if isinstance(doc, list):
        return {str(p.get("ParameterKey")): p.get("ParameterValue") for p in doc if isinstance(p, dict)}
    if isinstance(doc, dict):
        inner = doc.get("Parameters", doc)
        return dict(inner) if isinstance(inner, dict) else {}
    raise IacError("a parameters file is a list of {ParameterKey, ParameterValue} or a mapping", source=src)
