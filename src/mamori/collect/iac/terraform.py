"""Terraform configuration (``.tf``) -> raw resources, resolved statically.

python-hcl2 parses the files; :mod:`~mamori.collect.iac.hclexpr` evaluates expressions with
this module's scope: variable values (``-var-file``, ``terraform.tfvars``, ``*.auto.tfvars``,
defaults), ``locals``, ``count``/``for_each`` (``count.index``, ``each.key``/``each.value``),
modules with a local ``source`` (their inputs and outputs), references between resources
(a managed resource's attribute set in the configuration is its value; a computed one such
as ``id``/``arn`` is :class:`~mamori.collect.iac.values.Symbolic`). A variable without a
value, a data source's attribute that is not an identifier, a remote module's output: Unknown.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mamori.collect.iac.hclexpr import evaluate_hcl2
from mamori.collect.iac.values import IacError, RawResource, Symbolic, Unknown, Waiver

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_INSTANCES = 1000
MAX_MODULE_DEPTH = 8
MAX_FILES = 20_000
PARALLEL_FROM = 64
"""From this many .tf files on, parsing is spread over processes."""

_WAIVER = re.compile(r"mamori:ignore\s+([a-z0-9_]+)(.*)$")
_KV = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')


def parse_waiver(text: str, line: int) -> Waiver | None:
    """``mamori:ignore RULE reason="..." expires=YYYY-MM-DD`` -> Waiver (``problem`` set when malformed)."""
    m = _WAIVER.search(text)
    if not m:
        return None
    kv = {k: v[1:-1] if v.startswith('"') else v for k, v in _KV.findall(m.group(2))}
    reason, expires = kv.get("reason", "").strip(), kv.get("expires", "")
    problem = ""
    if not reason:
        problem = 'no reason="..."'
    elif not re.fullmatch(r"\d{4}-\d{2}-\d{2}", expires):
        problem = "no expires=YYYY-MM-DD"
    return Waiver(m.group(1), reason, expires, line, problem)


def _parse_file(path: Path) -> dict[str, Any]:
    import hcl2
    from hcl2.utils import SerializationOptions

    src = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IacError(f"cannot read: {exc.strerror}", source=src) from exc
    if len(raw) > MAX_FILE_BYTES:
        raise IacError(f"larger than {MAX_FILE_BYTES} bytes", source=src)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IacError(f"not UTF-8 (byte {exc.start})", source=src) from None
    if "\x00" in text:
        raise IacError("contains a NUL character", source=src)
    try:
        doc = hcl2.loads(
            text + ("\n" if not text.endswith("\n") else ""),
            serialization_options=SerializationOptions(with_meta=True),
        )
    except RecursionError:
        raise IacError("nested too deeply", source=src) from None
    except Exception as exc:  # lark's UnexpectedInput and friends: name the place
        line, col = getattr(exc, "line", None), getattr(exc, "column", None)
        where = f"{line}:{col}" if line is not None and line != -1 else None
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise IacError(f"not valid HCL: {msg[:200]}", source=src, where=where) from None
    doc["__text__"] = text.splitlines()
    return doc


def _unq(k: str) -> str:
    return k[1:-1] if len(k) >= 2 and k[0] == '"' and k[-1] == '"' else k


def parse_tfvars(path: Path) -> dict[str, Any]:
    """A ``.tfvars`` (HCL) or ``.tfvars.json`` file -> variable values."""
    src = str(path)
    if path.name.endswith(".json"):
        from mamori.safeload import load_json

        try:
            doc = load_json(path.read_bytes(), source=src, error=IacError)
        except OSError as exc:
            raise IacError(f"cannot read: {exc.strerror}", source=src) from exc
        if not isinstance(doc, dict):
            raise IacError("a .tfvars.json file is an object", source=src)
        return doc
    doc = _parse_file(path)
    return {k: evaluate_hcl2(v, lambda r, s, t: Unknown(t)) for k, v in doc.items() if not k.startswith("__")}


@dataclass
class _Block:
    kind: str
    type: str
    name: str
    body: dict[str, Any]
    file: str
    line: int
    end: int
    lines: list[str]


@dataclass
class _Dir:
    path: Path
    blocks: list[_Block] = field(default_factory=list)


def _blocks(doc: dict[str, Any], file: str) -> list[_Block]:
    out: list[_Block] = []
    lines: list[str] = doc.get("__text__", [])
    for kind in ("resource", "data"):
        for entry in doc.get(kind, []) or []:
            for rtype, named in entry.items():
                if rtype.startswith("__") or not isinstance(named, dict):
                    continue
                for name, body in named.items():
                    if name.startswith("__") or not isinstance(body, dict):
                        continue
                    start, end = _locate(lines, kind, _unq(rtype), _unq(name))
                    out.append(_Block(kind, _unq(rtype), _unq(name), body, file, start, end, lines))
    for kind in ("variable", "module", "output"):
        for entry in doc.get(kind, []) or []:
            for name, body in entry.items():
                if name.startswith("__") or not isinstance(body, dict):
                    continue
                start, end = _locate(lines, kind, None, _unq(name))
                out.append(_Block(kind, "", _unq(name), body, file, start, end, lines))
    for entry in doc.get("locals", []) or []:
        for name, value in entry.items():
            if not name.startswith("__"):
                out.append(_Block("local", "", name, {"value": value}, file, 0, 0, lines))
    return out


def _locate(lines: list[str], kind: str, rtype: str | None, name: str) -> tuple[int, int]:
    """(first, last) 1-based line of a block, found in the text (python-hcl2 8 gives no positions)."""
    label = (rf'\s+"{re.escape(rtype)}"' if rtype is not None else "") + rf'\s+"{re.escape(name)}"'
    head = re.compile(rf"^\s*{kind}{label}\s*\{{")
    for i, text in enumerate(lines):
        if head.match(text):
            depth = 0
            for j in range(i, len(lines)):
                depth += _braces(lines[j])
                if depth <= 0 and j >= i:
                    return i + 1, j + 1
            return i + 1, len(lines)
    return 0, 0


def _braces(line: str) -> int:
    """Net ``{`` minus ``}`` of a line, outside strings and comments (heuristic, for positions only)."""
    n, in_str, i = 0, False, 0
    while i < len(line):
        c = line[i]
        if in_str:
            if c == "\\":
                i += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c == "#" or line.startswith("//", i):
            break
        elif c == "{":
            n += 1
        elif c == "}":
            n -= 1
        i += 1
    return n


class _Cycle(Exception):
    pass


class _Module:
    """One module instance: its scope and its resources."""

    def __init__(self, loader: Loader, d: _Dir, prefix: str, inputs: dict[str, Any], depth: int) -> None:
        self.loader = loader
        self.dir = d
        self.prefix = prefix
        self.depth = depth
        self.inputs = inputs
        self.vars: dict[str, _Block] = {b.name: b for b in d.blocks if b.kind == "variable"}
        self.locals: dict[str, _Block] = {b.name: b for b in d.blocks if b.kind == "local"}
        self.outputs: dict[str, _Block] = {b.name: b for b in d.blocks if b.kind == "output"}
        self.resources: dict[tuple[str, str], _Block] = {
            (b.type, b.name): b for b in d.blocks if b.kind == "resource"
        }
        self.modules: dict[str, _Block] = {b.name: b for b in d.blocks if b.kind == "module"}
        self.data: dict[tuple[str, str], _Block] = {(b.type, b.name): b for b in d.blocks if b.kind == "data"}
        self._memo: dict[tuple[str, str], Any] = {}
        self._busy: set[tuple[str, str]] = set()
        self._instances: dict[tuple[str, str], list[tuple[Any, dict[str, Any]]]] = {}
        self._children: dict[str, Any] = {}

    # -- values -------------------------------------------------------------
    def _cached(self, key: tuple[str, str], compute: Any) -> Any:
        if key in self._memo:
            return self._memo[key]
        if key in self._busy:
            raise _Cycle
        self._busy.add(key)
        try:
            v = compute()
        except _Cycle:
            v = Unknown(f"{key[0]}.{key[1]} (refers to itself)")
        finally:
            self._busy.discard(key)
        self._memo[key] = v
        return v

    def var(self, name: str) -> Any:
        def compute() -> Any:
            if name in self.inputs:
                return self.inputs[name]
            b = self.vars.get(name)
            if b is None:
                return Unknown(f"var.{name} (not declared)")
            if "default" in b.body:
                return evaluate_hcl2(b.body["default"], lambda r, s, t: Unknown(t))
            return Unknown(f"var.{name} (no default and no value given)")

        return self._cached(("var", name), compute)

    def local(self, name: str) -> Any:
        b = self.locals.get(name)
        if b is None:
            return Unknown(f"local.{name} (not declared)")
        return self._cached(("local", name), lambda: evaluate_hcl2(b.body["value"], self.resolver({})))

    def resolver(self, extra: dict[str, Any]) -> Any:
        def resolve(root: str, steps: list[Any], text: str) -> Any:
            if root in extra:
                return _walk(extra[root], steps, text)
            if root == "var" and steps:
                return _walk(self.var(str(steps[0])), steps[1:], text)
            if root == "local" and steps:
                return _walk(self.local(str(steps[0])), steps[1:], text)
            if root == "path" and steps:
                return str(self.dir.path)
            if root == "terraform" and steps == ["workspace"]:
                return "default"
            if root == "module" and steps:
                return self.module_output(str(steps[0]), steps[1:], text)
            if root == "data":
                if len(steps) >= 3 and steps[0] == "aws_iam_policy_document" and steps[2] == "json":
                    return self.policy_document(str(steps[1]), text)
                return Symbolic("${" + text + "}") if steps and steps[-1] in _ID_ATTRS else Unknown(text)
            if root in ("each", "count", "self"):
                return Unknown(text)
            if steps and isinstance(steps[0], str):
                return self.resource_attr(root, steps[0], steps[1:], text)
            return Unknown(text)

        return resolve

    def policy_document(self, name: str, text: str) -> Any:
        """``data.aws_iam_policy_document.NAME.json``, built from its ``statement`` blocks as the
        provider does (effect, actions, not_actions, resources, not_resources, principals,
        not_principals, condition); ``source_policy_documents`` and the like are Unknown."""
        b = self.data.get(("aws_iam_policy_document", name))
        if b is None:
            return Unknown(text + " (no such data source)")

        def build() -> Any:
            body = evaluate_hcl2(b.body, self.resolver({}))
            if any(k in body for k in ("source_policy_documents", "override_policy_documents", "source_json", "override_json")):
                return Unknown(text + " (merges other documents)")
            stmts = []
            for st in body.get("statement") or []:
                if not isinstance(st, dict):
                    return Unknown(text)
                out: dict[str, Any] = {"Effect": st.get("effect", "Allow")}
                if st.get("sid"):
                    out["Sid"] = st["sid"]
                for key, name_ in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"), ("not_resources", "NotResource")):
                    if st.get(key) is not None:
                        out[name_] = st[key]
                for key, name_ in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
                    ps = st.get(key)
                    if ps:
                        prin: dict[str, Any] = {}
                        for p in ps:
                            t, ids = p.get("type"), p.get("identifiers")
                            if t == "*":
                                prin = "*"  # type: ignore[assignment]
                                break
                            prin.setdefault(str(t), []).extend(ids if isinstance(ids, list) else [ids])
                        out[name_] = prin
                conds: dict[str, Any] = {}
                for c in st.get("condition") or []:
                    conds.setdefault(str(c.get("test")), {})[str(c.get("variable"))] = c.get("values")
                if conds:
                    out["Condition"] = conds
                stmts.append(out)
            doc = {"Version": body.get("version", "2012-10-17"), "Statement": stmts}
            from mamori.collect.iac.values import unknown_in

            u = unknown_in(doc)
            return Unknown(f"{text} ({u.expr})") if u is not None else json.dumps(doc)

        return self._cached(("data", f"aws_iam_policy_document.{name}"), build)

    def module_output(self, name: str, steps: list[Any], text: str) -> Any:
        child = self.child(name)
        if child is None or isinstance(child, Unknown):
            return Unknown(
                text + (f" ({child.expr})" if isinstance(child, Unknown) else " (module not found)")
            )
        if isinstance(child, list):  # count/for_each module: module.x[0].out
            if not steps:
                return Unknown(text)
            k, steps = steps[0], steps[1:]
            found = [m for key, m in child if key == k]
            if not found:
                return Unknown(text)
            child = found[0]
        if not steps:
            return Unknown(text)
        out = child.outputs.get(str(steps[0]))
        if out is None:
            return Unknown(text + " (no such output)")
        val = child._cached(
            ("output", out.name), lambda: evaluate_hcl2(out.body.get("value"), child.resolver({}))
        )
        return _walk(val, steps[1:], text)

    def resource_attr(self, rtype: str, name: str, steps: list[Any], text: str) -> Any:
        insts = self.instances(rtype, name)
        if insts is None:
            return Unknown(text + " (no such resource)")
        key: Any = None
        if steps and not isinstance(steps[0], str):
            key, steps = steps[0], steps[1:]
        elif steps and isinstance(steps[0], str) and len(insts) != 1:
            pass
        match = (
            [a for k, a in insts if k == key]
            if key is not None
            else ([insts[0][1]] if len(insts) == 1 and insts[0][0] is None else [])
        )
        if not match:
            return Unknown(text)
        attrs = match[0]
        if not steps:
            return Unknown(text)
        attr = str(steps[0])
        base = f"{rtype}.{name}" + (f"[{key!r}]" if key is not None else "").replace("'", '"')
        if rtype == "aws_s3_bucket" and attr in ("id", "bucket", "arn"):
            bucket = attrs.get("bucket")
            if bucket is None or isinstance(bucket, Unknown):
                bucket = Symbolic("${" + base + ".bucket}")
            return bucket if attr != "arn" else f"arn:aws:s3:::{bucket}"
        if attr in attrs:
            return _walk(attrs[attr], steps[1:], text)
        return (
            Symbolic("${" + base + "." + attr + "}")
            if attr in _ID_ATTRS or attr.endswith(("_id", "_arn"))
            else Unknown(text + " (known after apply)")
        )

    # -- instances ------------------------------------------------------------
    def instances(self, rtype: str, name: str) -> list[tuple[Any, dict[str, Any]]] | None:
        if (rtype, name) in self._instances:
            return self._instances[(rtype, name)]
        b = self.resources.get((rtype, name))
        if b is None:
            return None

        dynamic = _dynamic_names(b.body)
        body = {k: v for k, v in b.body.items() if k != "dynamic"}

        def compute() -> list[tuple[Any, dict[str, Any]]]:
            out = []
            for k, extra in self._expand(b.body):
                attrs = evaluate_hcl2(body, self.resolver(extra))
                for name in dynamic:  # not expanded: whatever the block sets is unknown, never absent
                    attrs[name] = Unknown(f'dynamic "{name}" block (not expanded)')
                out.append((k, attrs))
            return out

        out = self._cached(("resource", f"{rtype}.{name}"), compute)
        if isinstance(out, Unknown):
            out = [(None, {})]
        self._instances[(rtype, name)] = out
        return out  # type: ignore[no-any-return,unused-ignore]

    def _expand(self, body: dict[str, Any]) -> list[tuple[Any, dict[str, Any]]]:
        """(instance key, extra scope) per instance; key None for a resource without count/for_each."""
        if "count" in body:
            n = evaluate_hcl2(body["count"], self.resolver({}))
            if isinstance(n, bool) or not isinstance(n, int):
                expr = n.expr if isinstance(n, Unknown) else str(n)
                return [(None, {"count": {"index": Unknown(f"count.index (count = {expr})")}})]
            return [(i, {"count": {"index": i}}) for i in range(max(0, min(n, MAX_INSTANCES)))]
        if "for_each" in body:
            fe = evaluate_hcl2(body["for_each"], self.resolver({}))
            if isinstance(fe, dict):
                return [(k, {"each": {"key": k, "value": v}}) for k, v in list(fe.items())[:MAX_INSTANCES]]
            if isinstance(fe, list) and all(isinstance(x, str) for x in fe):
                return [(k, {"each": {"key": k, "value": k}}) for k in fe[:MAX_INSTANCES]]
            expr = fe.expr if isinstance(fe, Unknown) else str(fe)[:80]
            return [
                (
                    None,
                    {
                        "each": {
                            "key": Unknown(f"each.key (for_each = {expr})"),
                            "value": Unknown(f"each.value (for_each = {expr})"),
                        }
                    },
                )
            ]
        return [(None, {})]

    def child(self, name: str) -> Any:
        if name in self._children:
            return self._children[name]
        b = self.modules.get(name)
        if b is None:
            return None
        self._children[name] = Unknown("module." + name + " (being evaluated)")
        src = evaluate_hcl2(b.body.get("source"), lambda r, s, t: Unknown(t))
        result: Any
        if not isinstance(src, str) or not (src.startswith("./") or src.startswith("../")):
            result = Unknown(
                f"module.{name} has a remote source ({src if isinstance(src, str) else '?'}), not evaluated"
            )
        elif self.depth >= MAX_MODULE_DEPTH:
            result = Unknown(f"module.{name}: modules nested deeper than {MAX_MODULE_DEPTH}")
        else:
            d = self.loader.dir((self.dir.path / src).resolve())
            if d is None:
                result = Unknown(f"module.{name}: {src} has no .tf files")
            else:
                body = {
                    k: v
                    for k, v in b.body.items()
                    if k not in ("source", "version", "providers", "depends_on", "count", "for_each")
                }
                insts = self._expand(b.body)
                mods = []
                for key, extra in insts:
                    inputs = {
                        k: evaluate_hcl2(v, self.resolver(extra))
                        for k, v in body.items()
                        if not k.startswith("__")
                    }
                    pre = f"{self.prefix}module.{name}" + (
                        "" if key is None else f"[{key!r}]".replace("'", '"')
                    )
                    mods.append((key, _Module(self.loader, d, pre + ".", inputs, self.depth + 1)))
                result = mods[0][1] if len(insts) == 1 and insts[0][0] is None else mods
        self._children[name] = result
        return result

    # -- output -----------------------------------------------------------------
    def raw_resources(self) -> list[RawResource]:
        out: list[RawResource] = []
        for (rtype, name), b in self.resources.items():
            waivers = _waivers(b)
            for key, attrs in self.instances(rtype, name) or []:
                addr = f"{self.prefix}{rtype}.{name}" + (
                    "" if key is None else f"[{key!r}]".replace("'", '"')
                )
                attrs = {k: v for k, v in attrs.items() if k not in _META}
                out.append(RawResource("terraform", rtype, addr, b.file, b.line, attrs, list(waivers), root=self.loader.root))
        for name in self.modules:
            child = self.child(name)
            for m in (
                [child]
                if isinstance(child, _Module)
                else [c for _, c in child]
                if isinstance(child, list)
                else []
            ):
                out.extend(m.raw_resources())
        return out


_META = frozenset(
    {"count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection", "timeouts"}
)
_ID_ATTRS = frozenset(
    {"id", "arn", "name", "account_id", "key_id", "bucket", "json", "url", "invoke_arn", "qualified_arn"}
)


def _dynamic_names(body: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for entry in body.get("dynamic") or []:
        if isinstance(entry, dict):
            names.extend(_unq(k) for k in entry if not k.startswith("__"))
    return names


def _walk(v: Any, steps: list[Any], text: str) -> Any:
    for s in steps:
        if isinstance(v, Unknown):
            return Unknown(text)
        if isinstance(v, dict) and str(s) in v:
            v = v[str(s)]
        elif isinstance(v, list) and isinstance(s, int) and 0 <= s < len(v):
            v = v[s]
        elif isinstance(v, list) and len(v) == 1 and isinstance(v[0], dict) and str(s) in v[0]:
            v = v[0][str(s)]  # a nested block read as an attribute
        else:
            return Unknown(text)
    return v


def _waivers(b: _Block) -> list[Waiver]:
    """Waivers in the comment lines just above the block and inside it."""
    out: list[Waiver] = []
    lines = b.lines
    i = b.line - 2
    above: list[int] = []
    while i >= 0 and lines[i].strip().startswith(("#", "//")):
        above.append(i)
        i -= 1
    inside = (
        range(b.line - 1, min(b.end, len(lines))) if b.end else range(b.line - 1, min(b.line, len(lines)))
    )
    for j in [*reversed(above), *inside]:
        if "mamori:ignore" in lines[j]:
            w = parse_waiver(lines[j], j + 1)
            if w:
                out.append(w)
    return out


class Loader:
    """Parses each directory once; evaluates every root module of a tree."""

    def __init__(self, variables: dict[str, Any] | None = None, var_files: list[Path] | None = None) -> None:
        self.variables = dict(variables or {})
        self.var_files = list(var_files or [])
        self._dirs: dict[Path, _Dir | None] = {}
        self.files = 0
        self.root = ""
        self._parsed: dict[Path, dict[str, Any]] = {}

    def prefetch(self, files: list[Path], workers: int | None = None) -> None:
        """Parse many files up front on every core (python-hcl2 is pure Python: ~10-30 ms a file)."""
        import os
        from concurrent.futures import ProcessPoolExecutor

        n = workers or min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1), 8)
        if n < 2 or len(files) < PARALLEL_FROM:
            return
        with ProcessPoolExecutor(max_workers=n) as pool:
            for f, doc in zip(files, pool.map(_parse_file, files, chunksize=16), strict=True):
                self._parsed[f.resolve()] = doc

    def dir(self, path: Path) -> _Dir | None:
        path = path.resolve()
        if path in self._dirs:
            return self._dirs[path]
        files = sorted(p for p in path.glob("*.tf") if p.is_file()) if path.is_dir() else []
        d = _Dir(path) if files else None
        for f in files:
            self.files += 1
            if self.files > MAX_FILES:
                raise IacError(f"more than {MAX_FILES} .tf files", source=str(path))
            if d is not None:
                doc = self._parsed.pop(f.resolve(), None) or _parse_file(f)
                d.blocks.extend(_blocks(doc, str(f)))
        self._dirs[path] = d
        return d

    def root_inputs(self, path: Path) -> dict[str, Any]:
        values: dict[str, Any] = {}
        auto = [
            path / "terraform.tfvars",
            path / "terraform.tfvars.json",
            *sorted(path.glob("*.auto.tfvars")),
            *sorted(path.glob("*.auto.tfvars.json")),
        ]
        for f in [p for p in auto if p.is_file()] + self.var_files:
            values.update(parse_tfvars(f))
        values.update(self.variables)
        return values

    def load_root(self, path: Path) -> list[RawResource]:
        d = self.dir(path)
        if d is None:
            return []
        self.root = str(path.resolve())
        return _Module(self, d, "", self.root_inputs(path), 0).raw_resources()


def load_tree(root: Path, var_files: list[Path] | None = None) -> list[RawResource]:
    """Every root module under ``root`` (a directory no other directory calls as a local module),
    or the one file's directory when ``root`` is a ``.tf`` file."""
    loader = Loader(var_files=var_files)
    if root.is_file():
        return loader.load_root(root.parent)
    dirs = sorted(
        {p.parent.resolve() for p in root.rglob("*.tf") if ".terraform" not in p.parts and p.is_file()}
    )
    called: set[Path] = set()
    for d in dirs:
        parsed = loader.dir(d)
        for b in parsed.blocks if parsed else []:
            if b.kind == "module":
                src = b.body.get("source")
                if isinstance(src, str) and src.strip('"').startswith(("./", "../")):
                    called.add((d / src.strip('"')).resolve())
    out: list[RawResource] = []
    for d in dirs:
        if d not in called:
            out.extend(loader.load_root(d))
    return out
