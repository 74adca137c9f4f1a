"""A small, bounded evaluator for the HCL expressions python-hcl2 leaves as text.

python-hcl2 parses the structure of ``.tf`` files (blocks, attributes, literals) and keeps
every expression as its source text (``${var.name}``, ``"${local.p}-logs"``,
``jsonencode({...})``). This module evaluates the part of the expression language that can
be decided without running Terraform: literals, string templates, references (through a
resolver the caller gives), ``cond ? a : b``, comparisons, ``!``/``&&``/``||``, arithmetic,
objects, tuples and a handful of pure functions (``jsonencode``, ``lower``, ``merge``, ...).
Anything else - a ``for`` expression, a splat, a function mamori does not know, a value
known only after apply - is :class:`~mamori.collect.iac.values.Unknown` carrying the
expression's text, never a guess. Input length and nesting are bounded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from mamori.collect.iac.values import Unknown, unknown_in

MAX_EXPR = 100_000
MAX_DEPTH = 64

Resolver = Callable[[str, list[Any], str], Any]
"""``(root, steps, text) -> value``: ``var``/``local``/``each``/``count``/``module``/resource
type roots with their traversal steps (attribute names and indexes); returns Unknown when it
cannot."""

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|
    (?P<ident>[A-Za-z_][A-Za-z0-9_\-]*)|
    (?P<heredoc><<-?[A-Za-z_]+\n)|
    (?P<op>==|!=|<=|>=|&&|\|\||=>|\.\.\.|[-+*/%<>!?:.,\[\](){}=])|
    (?P<str>")
    )""",
    re.VERBOSE,
)


class _Fail(Exception):
    """The expression is outside what mamori evaluates: the whole expression is unknown."""


class _Parser:
    def __init__(self, text: str, resolve: Resolver) -> None:
        self.s = text
        self.i = 0
        self.resolve = resolve
        self.depth = 0

    # -- lexing ------------------------------------------------------------
    def _peek(self) -> tuple[str, str]:
        m = _TOKEN.match(self.s, self.i)
        if not m or (m.end() == m.start() and self.i >= len(self.s)):
            if self.s[self.i :].strip() == "":
                return ("eof", "")
            raise _Fail
        kind = m.lastgroup or "eof"
        return (kind, m.group(kind))

    def _next(self) -> tuple[str, str]:
        m = _TOKEN.match(self.s, self.i)
        if not m:
            if self.s[self.i :].strip() == "":
                self.i = len(self.s)
                return ("eof", "")
            raise _Fail
        self.i = m.end()
        kind = m.lastgroup or "eof"
        return (kind, m.group(kind))

    def _skip_ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i] in " \t\r\n":
            self.i += 1

    def _at(self, tok: str) -> bool:
        self._skip_ws()
        return self.s.startswith(tok, self.i)

    def _expect(self, tok: str) -> None:
        _kind, val = self._next()
        if val != tok:
            raise _Fail

    # -- grammar -----------------------------------------------------------
    def parse(self) -> Any:
        v = self.expr()
        self._skip_ws()
        if self.i != len(self.s):
            raise _Fail
        return v

    def expr(self) -> Any:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Fail
        try:
            start = self.i
            cond = self.or_()
            if self._at("?"):
                self._expect("?")
                a = self.expr()
                self._expect(":")
                b = self.expr()
                if isinstance(cond, Unknown):
                    return Unknown(self.s[start : self.i].strip())
                if not isinstance(cond, bool):
                    raise _Fail
                return a if cond else b
            return cond
        finally:
            self.depth -= 1

    def _binary(self, sub: Callable[[], Any], ops: tuple[str, ...]) -> Any:
        start = self.i
        left = sub()
        while True:
            self._skip_ws()
            op = next(
                (o for o in ops if self.s.startswith(o, self.i) and not self.s.startswith("=>", self.i)), None
            )
            if op is None or (
                op in ("<", ">") and self.s.startswith(op + "=", self.i) and op + "=" not in ops
            ):
                return left
            if op == "=" or (op in ("<", ">") and self.s.startswith("<<", self.i)):
                return left
            self.i += len(op)
            right = sub()
            if isinstance(left, Unknown) or isinstance(right, Unknown):
                left = Unknown(self.s[start : self.i].strip())
                continue
            left = _apply(op, left, right)

    def or_(self) -> Any:
        return self._binary(self.and_, ("||",))

    def and_(self) -> Any:
        return self._binary(self.cmp, ("&&",))

    def cmp(self) -> Any:
        return self._binary(self.add, ("==", "!=", "<=", ">=", "<", ">"))

    def add(self) -> Any:
        return self._binary(self.mul, ("+", "-"))

    def mul(self) -> Any:
        return self._binary(self.unary, ("*", "/", "%"))

    def unary(self) -> Any:
        self._skip_ws()
        if self._at("!") and not self._at("!="):
            self.i += 1
            v = self.unary()
            if isinstance(v, Unknown):
                return v
            if not isinstance(v, bool):
                raise _Fail
            return not v
        if self._at("-"):
            self.i += 1
            v = self.unary()
            if isinstance(v, Unknown):
                return v
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise _Fail
            return -v
        return self.postfix()

    def postfix(self) -> Any:
        start = self.i
        kind, val = self._next()
        if kind == "num":
            v: Any = float(val) if any(c in val for c in ".eE") else int(val)
        elif kind == "str":
            v = self.template('"')
        elif kind == "heredoc":
            v = self.heredoc(val)
        elif val == "(":
            v = self.expr()
            self._expect(")")
        elif val == "[":
            v = self.tuple_()
        elif val == "{":
            v = self.object_()
        elif kind == "ident":
            if val in ("true", "false"):
                v = val == "true"
            elif val == "null":
                v = None
            elif self._at("("):
                v = self.call(val, start)
            else:
                return self.reference(val, start)
        else:
            raise _Fail
        return self.traverse(v, start)

    def traverse(self, v: Any, start: int) -> Any:
        while True:
            self._skip_ws()
            if self.s.startswith(".", self.i) and not self.s.startswith("...", self.i):
                self.i += 1
                kind, name = self._next()
                if kind not in ("ident", "num"):
                    raise _Fail
                v = _index(v, name if kind == "ident" else int(name), self.s[start : self.i])
            elif self.s.startswith("[", self.i):
                self.i += 1
                if self._at("*"):
                    raise _Fail
                k = self.expr()
                self._expect("]")
                v = (
                    Unknown(self.s[start : self.i].strip())
                    if isinstance(k, Unknown)
                    else _index(v, k, self.s[start : self.i])
                )
            else:
                return v

    def reference(self, root: str, start: int) -> Any:
        steps: list[Any] = []
        while True:
            self._skip_ws()
            if self.s.startswith(".", self.i) and not self.s.startswith("...", self.i):
                self.i += 1
                kind, name = self._next()
                if kind == "ident":
                    steps.append(name)
                elif kind == "num":
                    steps.append(int(name))
                elif name == "*":
                    raise _Fail
                else:
                    raise _Fail
            elif self.s.startswith("[", self.i):
                self.i += 1
                if self._at("*"):
                    raise _Fail
                k = self.expr()
                self._expect("]")
                if isinstance(k, Unknown):
                    return Unknown(self.s[start : self.i].strip())
                steps.append(k)
            else:
                break
        if root in ("for",):
            raise _Fail
        return self.resolve(root, steps, self.s[start : self.i].strip())

    def tuple_(self) -> list[Any]:
        out: list[Any] = []
        if self._at("for ") or self._at("for\t"):
            raise _Fail
        while not self._at("]"):
            out.append(self.expr())
            if self._at(","):
                self.i += 1
        self._expect("]")
        return out

    def object_(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self._at("for ") or self._at("for\t"):
            raise _Fail
        while not self._at("}"):
            self._skip_ws()
            kind, val = self._next()
            if kind == "ident":
                key: Any = val
            elif kind == "str":
                key = self.template('"')
            elif val == "(":
                key = self.expr()
                self._expect(")")
            else:
                raise _Fail
            kind, sep = self._next()
            if sep not in ("=", ":"):
                raise _Fail
            value = self.expr()
            if isinstance(key, Unknown):
                raise _Fail
            out[str(key)] = value
            if self._at(","):
                self.i += 1
        self._expect("}")
        return out

    def call(self, name: str, start: int) -> Any:
        self._expect("(")
        args: list[Any] = []
        while not self._at(")"):
            args.append(self.expr())
            if self._at("..."):
                raise _Fail
            if self._at(","):
                self.i += 1
        self._expect(")")
        text = self.s[start : self.i].strip()
        fn = FUNCTIONS.get(name)
        if fn is None:
            return Unknown(text)
        if name == "try":
            return next((a for a in args if unknown_in(a) is None), Unknown(text))
        if any(unknown_in(a) is not None for a in args):
            return Unknown(text)
        try:
            return fn(*args)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):
            return Unknown(text)

    def template(self, end: str) -> Any:
        parts: list[Any] = []
        buf: list[str] = []
        start = self.i - 1
        s = self.s
        while True:
            if self.i >= len(s):
                raise _Fail
            c = s[self.i]
            if c == "\\" and end == '"':
                nxt = s[self.i + 1 : self.i + 2]
                buf.append({"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}.get(nxt, nxt))
                self.i += 2
                continue
            if c == '"' and end == '"':
                self.i += 1
                break
            if s.startswith("$${", self.i) or s.startswith("%%{", self.i):
                buf.append(s[self.i + 1 : self.i + 3])
                self.i += 3
                continue
            if s.startswith("%{", self.i):
                raise _Fail
            if s.startswith("${", self.i):
                self.i += 2
                if self._at("~"):
                    self.i += 1
                v = self.expr()
                if self._at("~"):
                    self.i += 1
                self._expect("}")
                parts.append("".join(buf))
                buf = []
                parts.append(v)
                continue
            buf.append(c)
            self.i += 1
        parts.append("".join(buf))
        if any(isinstance(p, Unknown) for p in parts):
            return Unknown(s[start : self.i])
        if len(parts) == 3 and parts[0] == "" and parts[2] == "" and not isinstance(parts[1], str):
            return parts[1] if parts[1] is None else _str(parts[1])
        return "".join(_str(p) for p in parts)

    def heredoc(self, opener: str) -> Any:
        marker = opener.lstrip("<-").strip()
        end = re.compile(r"^[ \t]*" + re.escape(marker) + r"[ \t]*$", re.MULTILINE)
        m = end.search(self.s, self.i)
        if not m:
            raise _Fail
        body = self.s[self.i : m.start()]
        self.i = m.end()
        if opener.startswith("<<-"):
            lines = body.split("\n")
            pad = min((len(x) - len(x.lstrip()) for x in lines if x.strip()), default=0)
            body = "\n".join(x[pad:] for x in lines)
        sub = _Parser('"' + body.replace("\\", "\\\\").replace('"', '\\"') + '"', self.resolve)
        sub.i = 1
        return sub.template('"')


def _str(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float, str)):
        return str(v)
    if v is None:
        return ""
    raise _Fail


def _apply(op: str, a: Any, b: Any) -> Any:
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op in ("&&", "||"):
        if not isinstance(a, bool) or not isinstance(b, bool):
            raise _Fail
        return (a and b) if op == "&&" else (a or b)
    if (
        isinstance(a, bool)
        or isinstance(b, bool)
        or not isinstance(a, (int, float))
        or not isinstance(b, (int, float))
    ):
        raise _Fail
    try:
        return {"<": lambda: a < b, ">": lambda: a > b, "<=": lambda: a <= b, ">=": lambda: a >= b,
                "+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
                "%": lambda: a % b}[op]()  # fmt: skip
    except ZeroDivisionError:
        raise _Fail from None


def _index(v: Any, k: Any, text: str) -> Any:
    if isinstance(v, Unknown):
        return Unknown(text.strip())
    try:
        if isinstance(v, dict):
            return v[str(k)]
        if isinstance(v, list) and isinstance(k, int) and not isinstance(k, bool):
            return v[k]
    except (KeyError, IndexError):
        return Unknown(text.strip())
    return Unknown(text.strip())


def _jsonencode(v: Any) -> str:
    return json.dumps(v, separators=(",", ":"))


def _format(fmt: str, *args: Any) -> str:
    it = iter(args)
    return re.sub(r"%[sdv%]", lambda m: "%" if m.group(0) == "%%" else _str(next(it)), fmt)


def _merge(*maps: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in maps:
        if not isinstance(m, dict):
            raise TypeError
        out.update(m)
    return out


def _lookup(m: Any, k: Any, *default: Any) -> Any:
    return m[k] if k in m or not default else default[0]


def _coalesce(*vals: Any) -> Any:
    return next(v for v in vals if v not in (None, ""))


def _tobool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if v in ("true", "false"):
        return bool(v == "true")
    raise ValueError(v)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "jsonencode": _jsonencode, "jsondecode": json.loads, "lower": lambda s: str(s).lower(),
    "upper": lambda s: str(s).upper(), "tostring": _str, "tonumber": lambda v: float(v) if "." in str(v) else int(v),
    "tobool": _tobool, "format": _format, "join": lambda sep, xs: sep.join(_str(x) for x in xs),
    "concat": lambda *ls: [x for lst in ls for x in lst], "merge": _merge, "lookup": _lookup,
    "length": len, "tolist": list, "toset": lambda xs: list(dict.fromkeys(xs)), "coalesce": _coalesce,
    "try": lambda *a: a[0], "can": lambda *_: True, "trimspace": lambda s: str(s).strip(),
    "replace": lambda s, a, b: str(s).replace(a, b), "element": lambda xs, i: xs[i % len(xs)],
    "contains": lambda xs, x: x in xs, "min": min, "max": max, "tomap": dict, "compact": lambda xs: [x for x in xs if x],
}  # fmt: skip


def evaluate(text: str, resolve: Resolver) -> Any:
    """The value of one HCL expression (without the surrounding ``${ }``), or Unknown."""
    if len(text) > MAX_EXPR:
        return Unknown(text[:80] + "...")
    try:
        return _Parser(text, resolve).parse()
    except (_Fail, RecursionError, ValueError, TypeError, IndexError):
        return Unknown(text.strip())


def evaluate_hcl2(value: Any, resolve: Resolver) -> Any:
    """A value as python-hcl2 (8.x, quoted strings) serialises it, evaluated: ``"\\"x\\""`` is the
    string x, ``"${...}"`` an expression, dicts and lists element by element."""
    if isinstance(value, str):
        if value.startswith("${") and value.endswith("}") and _one_interpolation(value):
            return evaluate(value[2:-1], resolve)
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            return evaluate(value, resolve)
        if value.startswith("<<"):
            return evaluate(value, resolve)
        return evaluate(value, resolve)
    if isinstance(value, dict):
        return {_key(k): evaluate_hcl2(v, resolve) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [evaluate_hcl2(v, resolve) for v in value]
    return value


def _key(k: str) -> str:
    return k[1:-1] if len(k) >= 2 and k.startswith('"') and k.endswith('"') else k


def _one_interpolation(value: str) -> bool:
    """Whether ``${...}`` spans the whole string (not ``${a}-${b}`` as a bare template)."""
    depth = 0
    in_str = False
    i = 0
    while i < len(value):
        c = value[i]
        if in_str:
            if c == "\\":
                i += 2
                continue
            if c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0 and i != len(value) - 1:
                return False
        i += 1
    return True
