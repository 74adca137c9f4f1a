"""Sigma rules as mamori detections: parsed by pySigma, compiled into the event matcher.

A Sigma rule whose logsource is AWS CloudTrail (``product: aws``, ``service: cloudtrail``)
becomes a :class:`~mamori.events.loader.Detection`: its condition tree (pySigma parses the
YAML, the modifiers and the condition expression) is compiled into a predicate over the raw
record, indexed by the ``eventSource`` / ``eventName`` values the condition requires (else
under ``*``), with the rule's id, level (the severity), title, status and ATT&CK tags
(``attack.t1562.008`` -> ``T1562.008``) carried into every detection and finding.

Supported: field equality with wildcards (``contains``, ``startswith``, ``endswith``,
``all``, ``cased``, ``base64``, ``windash``...: pySigma expands them into strings), ``re``,
``cidr``, ``exists``, ``gt/gte/lt/lte``, ``fieldref``, ``null``, booleans, numbers and
keywords (searched in the record's JSON text). A list value in the record matches when an
element does; an object is matched as its JSON text (``requestParameters|contains``).

Never silently dropped: a rule for another logsource, a correlation rule, a placeholder
(``expand``) or any value type not listed above is returned in :attr:`SigmaLoad.skipped`
with the reason, as is a file pySigma cannot parse.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from mamori.events.errors import DetectionError
from mamori.events.loader import Detection
from mamori.events.schema import DetectionSpec

Pred = Callable[[Mapping[str, Any]], bool]
MAX_RULE_BYTES = 256 * 1024

LEVELS = {"informational": "informational", "low": "low", "medium": "medium", "high": "high", "critical": "critical"}


class Unsupported(Exception):
    """A construct mamori cannot evaluate; the rule is skipped with this reason."""


@dataclass(frozen=True)
class Skipped:
    path: str
    rule: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.rule}: {self.reason}" if self.rule else f"{self.path}: {self.reason}"

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "rule": self.rule, "reason": self.reason}


@dataclass(frozen=True)
class SigmaRuleInfo:
    """One loaded rule: its metadata and parsed condition tree (kept for the retro-hunt)."""

    id: str
    title: str
    level: str
    tags: tuple[str, ...]
    path: str
    trees: tuple[Any, ...]
    detection: Detection

    def meta(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "level": self.level, "tags": list(self.tags), "path": self.path}


@dataclass
class SigmaLoad:
    rules: list[SigmaRuleInfo] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    files: int = 0

    @property
    def detections(self) -> list[Detection]:
        return [r.detection for r in self.rules]

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "loaded": [r.meta() | {"detection": r.detection.id} for r in self.rules],
            "skipped": [s.to_dict() for s in self.skipped],
        }


# -- values -------------------------------------------------------------------------


def _text(v: Any) -> str | None:
    """A record value as Sigma compares it: strings as they are, booleans as true/false, objects as JSON."""
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return str(v)
    try:
        return orjson.dumps(v).decode()
    except (TypeError, orjson.JSONEncodeError):
        return str(v)


def _values(v: Any) -> list[Any]:
    return v if isinstance(v, list) else [v]


def string_regex(value: Any) -> tuple[str, bool]:
    """(regex source, case-sensitive) of a pySigma string with its wildcards."""
    from sigma.types import SpecialChars

    parts = []
    for p in value.s:
        if isinstance(p, str):
            parts.append(re.escape(p))
        elif p is SpecialChars.WILDCARD_MULTI:
            parts.append(".*")
        elif p is SpecialChars.WILDCARD_SINGLE:
            parts.append(".")
        else:
            raise Unsupported(f"placeholder or special character {p!r} in a value")
    cased = type(value).__name__ == "SigmaCasedString"
    return "".join(parts), cased


def _string_matcher(value: Any) -> Callable[[str], bool]:
    from sigma.types import SpecialChars

    parts = value.s
    cased = type(value).__name__ == "SigmaCasedString"
    plain = all(isinstance(p, str) for p in parts)
    if plain:
        want = "".join(parts)
        if cased:
            return lambda s: s == want
        lw = want.lower()
        return lambda s: s.lower() == lw
    if (
        len(parts) == 3 and parts[0] is SpecialChars.WILDCARD_MULTI and parts[2] is SpecialChars.WILDCARD_MULTI
        and isinstance(parts[1], str) and not cased
    ):  # fmt: skip
        needle = parts[1].lower()
        return lambda s: needle in s.lower()
    if len(parts) == 2 and parts[0] is SpecialChars.WILDCARD_MULTI and isinstance(parts[1], str) and not cased:
        suffix = parts[1].lower()
        return lambda s: s.lower().endswith(suffix)
    if len(parts) == 2 and parts[1] is SpecialChars.WILDCARD_MULTI and isinstance(parts[0], str) and not cased:
        prefix = parts[0].lower()
        return lambda s: s.lower().startswith(prefix)
    src, cased = string_regex(value)
    rx = re.compile(src, 0 if cased else re.IGNORECASE | re.DOTALL)
    return lambda s: rx.fullmatch(s) is not None


def _value_pred(value: Any) -> Callable[[Any], bool]:
    """A test of one record value (already read from the field) against one Sigma value."""
    from sigma import types as st

    if isinstance(value, st.SigmaString):
        m = _string_matcher(value)
        return lambda v: any((t := _text(x)) is not None and m(t) for x in _values(v))
    if isinstance(value, st.SigmaBool):
        want = "true" if value.boolean else "false"
        return lambda v: any(_text(x) is not None and str(_text(x)).lower() == want for x in _values(v))
    if isinstance(value, st.SigmaNumber):
        num = value.number

        def numeric(v: Any) -> bool:
            for x in _values(v):
                if isinstance(x, bool):
                    continue
                if isinstance(x, int | float) and x == num:
                    return True
                if isinstance(x, str):
                    try:
                        if float(x) == float(num):
                            return True
                    except ValueError:
                        pass
            return False

        return numeric
    if isinstance(value, st.SigmaNull):
        return lambda v: v is None
    if isinstance(value, st.SigmaRegularExpression):
        flags = 0
        for f in getattr(value, "flags", ()) or ():
            flags |= {"IGNORECASE": re.IGNORECASE, "MULTILINE": re.MULTILINE, "DOTALL": re.DOTALL}.get(getattr(f, "name", str(f)), 0)
        rx = re.compile(value.regexp if isinstance(value.regexp, str) else str(value.regexp), flags)
        return lambda v: any((t := _text(x)) is not None and rx.search(t) is not None for x in _values(v))
    if isinstance(value, st.SigmaCIDRExpression):
        net = ipaddress.ip_network(str(value.network), strict=False)

        def in_net(v: Any) -> bool:
            for x in _values(v):
                try:
                    if isinstance(x, str) and ipaddress.ip_address(x) in net:
                        return True
                except ValueError:
                    continue
            return False

        return in_net
    if isinstance(value, st.SigmaCompareExpression):
        op = value.op.name
        num = value.number.number
        cmp = {"LT": lambda a: a < num, "LTE": lambda a: a <= num, "GT": lambda a: a > num, "GTE": lambda a: a >= num}[op]

        def compare(v: Any) -> bool:
            for x in _values(v):
                try:
                    if not isinstance(x, bool) and cmp(float(x)):
                        return True
                except (TypeError, ValueError):
                    continue
            return False

        return compare
    raise Unsupported(f"value type {type(value).__name__} ({value!r}) is not supported")


# -- the condition tree --------------------------------------------------------------


def field_getter(name: str) -> Callable[[Mapping[str, Any]], Any]:
    """A Sigma field (a dotted path, any characters) over a record; a list on the way is
    traversed (``requestParameters.items.userId`` reads every item's userId)."""
    parts = name.split(".")

    def read(rec: Mapping[str, Any]) -> Any:
        cur: list[Any] = [rec]
        for p in parts:
            nxt: list[Any] = []
            for c in cur:
                if isinstance(c, Mapping):
                    v = c.get(p)
                    if v is not None:
                        nxt.append(v)
                elif isinstance(c, list):
                    nxt.extend(x.get(p) for x in c if isinstance(x, Mapping) and x.get(p) is not None)
            if not nxt:
                return None
            cur = nxt
        if len(cur) == 1:
            return cur[0]
        flat: list[Any] = []
        for c in cur:
            flat.extend(c if isinstance(c, list) else [c])
        return flat

    return read


def _compile(node: Any) -> Pred:
    from sigma import conditions as sc
    from sigma import types as st

    if isinstance(node, sc.ConditionAND):
        subs = [_compile(a) for a in node.args]
        return lambda r: all(p(r) for p in subs)
    if isinstance(node, sc.ConditionOR):
        subs = [_compile(a) for a in node.args]
        return lambda r: any(p(r) for p in subs)
    if isinstance(node, sc.ConditionNOT):
        sub = _compile(node.args[0])
        return lambda r: not sub(r)
    if isinstance(node, sc.ConditionFieldEqualsValueExpression):
        read = field_getter(str(node.field))
        value = node.value
        if isinstance(value, st.SigmaExists):
            want = bool(value.exists)
            return lambda r: (read(r) is not None) == want
        if isinstance(value, st.SigmaFieldReference):
            other = field_getter(str(value.field))

            def same(r: Mapping[str, Any]) -> bool:
                a, b = _text(read(r)), _text(other(r))
                return a is not None and b is not None and a.lower() == b.lower()

            return same
        if isinstance(value, st.SigmaExpansion):
            subs2 = [_value_pred(v) for v in value.values]
            return lambda r: any(p(read(r)) for p in subs2)
        test = _value_pred(value)
        return lambda r: test(read(r))
    if isinstance(node, sc.ConditionValueExpression):  # a keyword: anywhere in the record
        value = node.value
        if isinstance(value, st.SigmaString):
            src, cased = string_regex(value)
            rx = re.compile(src, 0 if cased else re.IGNORECASE)
            return lambda r: rx.search(orjson.dumps(r).decode()) is not None
        raise Unsupported(f"keyword of type {type(value).__name__} is not supported")
    if isinstance(node, sc.ConditionFieldEqualsValueExpression | sc.ConditionValueExpression):
        raise Unsupported("unexpected condition item")
    raise Unsupported(f"condition element {type(node).__name__} is not supported")


def _plain_values(value: Any) -> list[str] | None:
    """The exact strings a value allows (for the index), or None when it has wildcards / is not a string."""
    from sigma import types as st

    if isinstance(value, st.SigmaString) and all(isinstance(p, str) for p in value.s):
        return ["".join(str(p) for p in value.s)]
    return None


Constraint = list[tuple[frozenset[str] | None, frozenset[str] | None]]
"""Alternatives of (eventSource values, eventName values); None = unconstrained."""


def _constraint(node: Any) -> Constraint:
    from sigma import conditions as sc

    if isinstance(node, sc.ConditionFieldEqualsValueExpression):
        vals = _plain_values(node.value)
        if node.field == "eventSource" and vals is not None:
            return [(frozenset(vals), None)]
        if node.field == "eventName" and vals is not None:
            return [(None, frozenset(vals))]
        return [(None, None)]
    if isinstance(node, sc.ConditionOR):
        out: Constraint = []
        for a in node.args:
            out += _constraint(a)
        # an OR over the same field collapses: eventName a OR eventName b
        if all(s is None and n is not None for s, n in out):
            return [(None, frozenset().union(*(n for _, n in out if n is not None)))]
        if all(n is None and s is not None for s, n in out):
            return [(frozenset().union(*(s for s, _ in out if s is not None)), None)]
        return out
    if isinstance(node, sc.ConditionAND):
        alts: Constraint = [(None, None)]
        for a in node.args:
            nxt: Constraint = []
            for s1, n1 in alts:
                for s2, n2 in _constraint(a):
                    s = s1 if s2 is None else (s2 if s1 is None else s1 & s2)
                    n = n1 if n2 is None else (n2 if n1 is None else n1 & n2)
                    nxt.append((s, n))
            alts = nxt[:64] if len(nxt) <= 64 else [(None, None)]
        return alts
    return [(None, None)]


def index_keys(trees: Iterable[Any]) -> list[tuple[str, list[str]]]:
    """(eventSource, [eventNames]) pairs the rule can match: the detection's index."""
    pairs: set[tuple[str, str]] = set()
    for t in trees:
        for s, n in _constraint(t):
            for src in sorted(s) if s is not None else ["*"]:
                for name in sorted(n) if n is not None else ["*"]:
                    pairs.add((src, name))
    if ("*", "*") in pairs:
        return [("*", ["*"])]
    by_src: dict[str, list[str]] = {}
    for src, name in sorted(pairs):
        by_src.setdefault(src, []).append(name)
    return sorted(by_src.items())


# -- loading ---------------------------------------------------------------------------


def _slug(text: str, n: int = 48) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return (s or "rule")[:n].rstrip("_")


def mitre_of(tags: Iterable[str]) -> list[str]:
    out = []
    for t in tags:
        m = re.fullmatch(r"attack\.t(\d{4})(?:\.(\d{3}))?", t.lower())
        if m:
            out.append("T" + m.group(1) + (f".{m.group(2)}" if m.group(2) else ""))
    return out


def is_cloudtrail(product: str | None, service: str | None) -> bool:
    return (product or "").lower() == "aws" and (service or "").lower() == "cloudtrail"


def iter_sigma_files(dirs: Iterable[str | Path]) -> Iterator[Path]:
    for d in dirs:
        p = Path(d)
        if p.is_file():
            yield p
        elif p.is_dir():
            yield from (f for f in sorted(p.rglob("*")) if f.is_file() and f.suffix in (".yml", ".yaml") and not f.name.startswith("."))
        else:
            raise DetectionError("Sigma rule path does not exist", source=str(p))


def _docs(path: Path) -> list[Any]:
    from mamori.safeload import load_yaml

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DetectionError(f"cannot read: {exc.strerror or exc}", source=str(path)) from exc
    if len(raw) > MAX_RULE_BYTES:
        raise DetectionError(f"file is {len(raw):,} bytes, above the {MAX_RULE_BYTES:,} a Sigma rule may have", source=str(path))
    if b"\n---" in raw.lstrip(b"-\n"):
        raise DetectionError("multi-document Sigma collections (action: global) are not supported: one rule per file", source=str(path))
    return [load_yaml(raw, source=str(path), error=DetectionError, max_bytes=MAX_RULE_BYTES)]


def load_sigma(paths: Iterable[str | Path]) -> SigmaLoad:
    """Every Sigma rule under ``paths``: compiled when it can be, else listed in ``skipped`` with the reason."""
    from sigma.exceptions import SigmaError
    from sigma.rule import SigmaRule

    out = SigmaLoad()
    seen: set[str] = set()
    for path in iter_sigma_files(paths):
        out.files += 1
        try:
            docs = _docs(path)
        except DetectionError as exc:
            out.skipped.append(Skipped(str(path), "", exc.message))
            continue
        for i, doc in enumerate(docs):
            where = f"{path}" if len(docs) == 1 else f"{path} (document {i + 1})"
            if not isinstance(doc, dict):
                out.skipped.append(Skipped(where, "", "not a Sigma rule (a YAML mapping was expected)"))
                continue
            name = str(doc.get("title") or doc.get("name") or "")
            if "correlation" in doc:
                out.skipped.append(Skipped(where, name, "correlation rules are not supported (mamori's own thresholds cover counts; see docs/events.md)"))
                continue
            if "detection" not in doc:
                out.skipped.append(Skipped(where, name, "no detection section (a filter or a meta document is not supported)"))
                continue
            try:
                rule = SigmaRule.from_dict(doc)
            except SigmaError as exc:
                out.skipped.append(Skipped(where, name, f"invalid Sigma rule: {exc}"))
                continue
            except Exception as exc:  # pySigma raising on input it did not expect: reported, the rest loads
                out.skipped.append(Skipped(where, name, f"pySigma could not parse it: {type(exc).__name__}: {exc}"))
                continue
            ls = rule.logsource
            if not is_cloudtrail(ls.product, ls.service):
                out.skipped.append(Skipped(where, name, f"logsource is product={ls.product} service={ls.service}, not aws/cloudtrail"))
                continue
            try:
                info = _to_detection(rule, where, seen)
            except Unsupported as exc:
                out.skipped.append(Skipped(where, name, str(exc)))
                continue
            except SigmaError as exc:
                out.skipped.append(Skipped(where, name, f"invalid Sigma rule: {exc}"))
                continue
            except DetectionError as exc:
                out.skipped.append(Skipped(where, name, exc.message))
                continue
            except ValidationError as exc:
                err = exc.errors()[0]
                out.skipped.append(Skipped(where, name, f"cannot be a detection: {'.'.join(str(x) for x in err['loc'])}: {err['msg']}"))
                continue
            seen.add(info.detection.id)
            out.rules.append(info)
    return out


def _to_detection(rule: Any, where: str, seen: set[str]) -> SigmaRuleInfo:
    trees = tuple(c.parsed for c in rule.detection.parsed_condition)
    preds = [_compile(t) for t in trees]
    pred: Pred = preds[0] if len(preds) == 1 else (lambda r: any(p(r) for p in preds))
    rid = str(rule.id) if rule.id else str(uuid.uuid5(uuid.NAMESPACE_URL, where))
    title = str(rule.title or rid)
    did = f"sigma_{_slug(title)}"
    if did in seen:
        did = f"{did}_{rid.replace('-', '')[:8]}"
    level = LEVELS.get(rule.level.name.lower() if rule.level else "medium", "medium")
    tags = tuple(f"{t.namespace}.{t.name}" for t in rule.tags)
    mitre = mitre_of(tags) or ["T1078"]
    keys = index_keys(trees)
    status = rule.status.name.lower() if rule.status else ""
    spec = DetectionSpec.model_validate({
        "id": did, "title": title if len(title) >= 5 else f"Sigma: {title}", "severity": level, "mitre": mitre,
        "rationale": str(rule.description or f"Sigma rule {rid}").strip() or f"Sigma rule {rid}",
        "remediation": "Review the event (Sigma rule " + rid + (f", status {status}" if status else "") + ").",
        "events": [{"source": s if s == "*" else s.lower(), "names": n} for s, n in keys],
        "respond": [{"responder": "notify"}],
        "references": [str(r) for r in (rule.references or [])],
        "sigma": {"id": rid, "level": level, "tags": list(tags), "path": where, "status": status},
    })  # fmt: skip

    def when(view: Any, ctx: Any, ev: dict[str, Any]) -> bool:
        rec = view.properties
        ok = pred(rec)
        if ok:
            ev["sigma_rule"] = rid
        return ok

    det = Detection(spec=spec, path=Path(where.split(" (document")[0]), when=when)
    return SigmaRuleInfo(rid, title, level, tags, where, trees, det)
