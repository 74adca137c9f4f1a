"""A gitleaks configuration (``.gitleaks.toml``) read as mamori detectors and allowlists.

What is honoured:

* ``[[rules]]`` with ``id``, ``description``, ``regex``, ``secretGroup``, ``entropy``, ``keywords``,
  ``path`` (a rule with only ``path`` reports files by name), and their allowlists;
* ``[[rules]]`` without ``regex`` whose ``id`` names a built-in detector (mamori's or gitleaks'
  name for it): their allowlists are added to that detector;
* ``[allowlist]`` / ``[[allowlists]]`` (global) and ``[rules.allowlist]`` / ``[[rules.allowlists]]``
  with ``paths``, ``regexes`` (``regexTarget`` = secret, match or line), ``stopwords``, ``commits``
  and ``condition`` (OR, AND);
* ``[extend] useDefault``, ``disabledRules`` and ``path`` (another file whose rules this one
  extends or overrides field by field); without ``useDefault`` a file that defines rules
  replaces the built-in detectors, as it does for gitleaks.

Go's RE2 syntax is translated where Python's differs (``(?i)`` in the middle of a pattern, POSIX
classes such as ``[[:alnum:]]``, ``\\z``, ``(?<name>``). What cannot be honoured (``\\p{...}``
classes, ``[extend] url``, a regex that does not compile) is reported with the reason, never
silently dropped. gitleaks looks for a rule's keywords anywhere in a file; mamori looks for them
on the line (and the next) that the rule is tried on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mamori.gate.secrets.errors import SecretsConfigError
from mamori.gate.secrets.model import Category, Detector, DetectorId
from mamori.model.finding import Severity

CONFIG_NAME = ".gitleaks.toml"
MAX_BYTES = 4 << 20

_POSIX = {
    "alnum": "A-Za-z0-9",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7F",
    "blank": " \\t",
    "cntrl": "\\x00-\\x1F\\x7F",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "A-Za-z0-9_",
    "xdigit": "0-9A-Fa-f",
}


class Untranslatable(ValueError):
    """A Go regular expression that Python's ``re`` cannot run (the message says why)."""


def translate_go_regex(rx: str) -> str:
    """Rewrite RE2 syntax that Python's ``re`` reads differently or not at all."""
    if re.search(r"\\[pP]", rx):
        raise Untranslatable("Unicode classes (\\p{...}) are not supported by Python's re on bytes")
    if "\\Q" in rx:
        raise Untranslatable("\\Q...\\E quoting is not supported")
    out: list[str] = []
    # per open group: the inline flags opened in it so far (closed at its end, reopened after "|")
    stack: list[list[str]] = [[]]
    i, n = 0, len(rx)
    in_class = False
    while i < n:
        c = rx[i]
        if c == "\\" and i + 1 < n:
            nxt = rx[i + 1]
            out.append("\\Z" if nxt == "z" and not in_class else rx[i : i + 2])
            i += 2
            continue
        if in_class:
            if rx.startswith("[:", i):
                end = rx.find(":]", i + 2)
                name = rx[i + 2 : end] if end > 0 else ""
                if name not in _POSIX:
                    raise Untranslatable(f"POSIX class [:{name}:] is not supported")
                out.append(_POSIX[name])
                i = end + 2
                continue
            if c == "]":
                in_class = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            out.append(c)
            i += 1
            if i < n and rx[i] == "^":
                out.append("^")
                i += 1
            if i < n and rx[i] == "]":
                out.append("\\]")
                i += 1
            continue
        if c == "(":
            m = re.match(r"\(\?([imsU-]+)\)", rx[i:])
            if m:
                flags = m.group(1)
                if "U" in flags:
                    raise Untranslatable("the U (ungreedy) flag is not supported")
                if not out and "-" not in flags:
                    out.append(m.group(0))  # global flags at the very start: Python reads them the same
                else:  # scoped to the rest of the enclosing group
                    out.append(f"(?{flags}:")
                    stack[-1].append(flags)
                i += len(m.group(0))
                continue
            if rx.startswith("(?<", i) and not rx.startswith(("(?<=", "(?<!"), i):
                out.append("(?P<")
                i += 3
                stack.append([])
                continue
            stack.append([])
            out.append(c)
            i += 1
            continue
        if c == "|" and stack[-1]:
            # RE2: an inline flag holds to the end of its group, across "|": close and reopen it
            opened = stack[-1]
            out.append(")" * len(opened) + "|" + "".join(f"(?{f}:" for f in opened))
            i += 1
            continue
        if c == ")":
            out.append(")" * len(stack.pop()))
            if not stack:
                raise Untranslatable("unbalanced parenthesis")
            out.append(")")
            i += 1
            continue
        out.append(c)
        i += 1
    out.append(")" * len(stack.pop()))
    if stack:
        raise Untranslatable("unbalanced parenthesis")
    return "".join(out)


# -- allowlists ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Allowlist:
    """One gitleaks allowlist; ``matches`` is true when it silences a finding."""

    description: str = ""
    condition: str = "OR"
    target: str = "secret"  # secret | match | line
    paths: tuple[re.Pattern[str], ...] = ()
    regexes: tuple[re.Pattern[bytes], ...] = ()
    stopwords: tuple[bytes, ...] = ()
    commits: frozenset[str] = frozenset()

    def matches(self, path: str, secret: bytes, match: bytes, line: bytes, commit: str | None = None) -> bool:
        text = {"secret": secret, "match": match, "line": line}[self.target]
        checks: list[bool] = []
        if self.commits:
            checks.append(commit is not None and commit in self.commits)
        if self.paths:
            checks.append(any(p.search(path) for p in self.paths))
        if self.regexes:
            checks.append(any(r.search(text) for r in self.regexes))
        if self.stopwords:
            low = secret.lower()
            checks.append(any(w in low for w in self.stopwords))
        if not checks:
            return False
        return all(checks) if self.condition == "AND" else any(checks)

    @property
    def label(self) -> str:
        return f"gitleaks allowlist{': ' + self.description if self.description else ''}"


@dataclass(frozen=True)
class GitleaksConfig:
    """Detectors and allowlists from a gitleaks file, and what could not be honoured."""

    source: str
    detectors: tuple[Detector, ...] = ()
    use_default: bool = True
    disabled: tuple[str, ...] = ()
    global_allow: tuple[Allowlist, ...] = ()
    rule_allow: dict[str, tuple[Allowlist, ...]] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()  # "rule <id>: <reason>"

    def allow_fn(self) -> AllowFn | None:
        """``allow(detector_id, path, secret, match, line, commit) -> reason | None`` for the scanner."""
        if not self.global_allow and not self.rule_allow:
            return None
        glob, per_rule = self.global_allow, self.rule_allow

        def allow(det: str, path: str, secret: bytes, match: bytes, line: bytes, commit: str | None = None) -> str | None:
            for al in (*glob, *per_rule.get(det, ())):
                if al.matches(path, secret, match, line, commit):
                    return al.label
            return None

        return allow

    def path_allowed(self, path: str) -> bool:
        """A global allowlist with only ``paths`` skips the file altogether (as gitleaks does)."""
        return any(
            al.paths and not (al.regexes or al.stopwords or al.commits) and any(p.search(path) for p in al.paths)
            for al in self.global_allow
        )


AllowFn = Callable[[str, str, bytes, bytes, bytes, "str | None"], "str | None"]


def _strs(value: object, where: str, source: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SecretsConfigError(f"{where}: expected a list of strings", source=source)
    return list(value)


def _allowlist(raw: object, where: str, source: str, skipped: list[str]) -> Allowlist | None:
    if not isinstance(raw, dict):
        raise SecretsConfigError(f"{where}: expected a table", source=source)
    target = str(raw.get("regexTarget", "secret"))
    if target not in ("secret", "match", "line"):
        skipped.append(f"{where}: regexTarget {target!r} is not one of secret, match, line (allowlist not used)")
        return None
    condition = str(raw.get("condition", "OR")).upper()
    regexes: list[re.Pattern[bytes]] = []
    for rx in _strs(raw.get("regexes"), f"{where}.regexes", source):
        try:
            regexes.append(re.compile(translate_go_regex(rx).encode()))
        except (Untranslatable, re.error) as exc:
            skipped.append(f"{where}: regex {rx!r} not used: {exc}")
    paths: list[re.Pattern[str]] = []
    for rx in _strs(raw.get("paths"), f"{where}.paths", source):
        try:
            paths.append(re.compile(translate_go_regex(rx)))
        except (Untranslatable, re.error) as exc:
            skipped.append(f"{where}: path {rx!r} not used: {exc}")
    return Allowlist(
        description=str(raw.get("description", "")),
        condition="AND" if condition == "AND" else "OR",
        target=target,
        paths=tuple(paths),
        regexes=tuple(regexes),
        stopwords=tuple(w.lower().encode() for w in _strs(raw.get("stopwords"), f"{where}.stopwords", source)),
        commits=frozenset(_strs(raw.get("commits"), f"{where}.commits", source)),
    )


def _allowlists(table: dict[str, object], where: str, source: str, skipped: list[str]) -> list[Allowlist]:
    raws: list[object] = []
    if "allowlist" in table:
        raws.append(table["allowlist"])
    extra = table.get("allowlists")
    if extra is not None:
        if not isinstance(extra, list):
            raise SecretsConfigError(f"{where}allowlists: expected an array of tables", source=source)
        raws.extend(extra)
    out = []
    for k, raw in enumerate(raws):
        al = _allowlist(raw, f"{where}allowlists[{k}]", source, skipped)
        if al is not None:
            out.append(al)
    return out


def _read_doc(text: str, source: str) -> dict[str, object]:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SecretsConfigError(f"invalid TOML: {exc}", source=source) from None


def _merge_base(doc: dict[str, object], source: str, base_dir: Path | None, depth: int, skipped: list[str]) -> None:
    """``[extend] path``: the base file's rules, overridden field by field by this file's (as gitleaks does)."""
    extend = doc.get("extend")
    if not isinstance(extend, dict):
        return
    if "url" in extend:
        skipped.append("[extend] url: fetching a config over the network is not supported")
    target = extend.get("path")
    if not isinstance(target, str):
        return
    if base_dir is None or depth >= 3:
        skipped.append(f"[extend] path {target!r}: not followed (nested too deep)")
        return
    # gitleaks resolves it from the working directory; a path next to the config file works too
    path = Path(target) if Path(target).is_file() else (base_dir / target)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SecretsConfigError(f"larger than {MAX_BYTES >> 20} MiB", source=str(path))
        base = _read_doc(path.read_text(encoding="utf-8"), str(path))
    except OSError as exc:
        raise SecretsConfigError(f"[extend] path {target!r}: cannot read: {exc.strerror}", source=source) from None
    _merge_base(base, str(path), path.parent, depth + 1, skipped)
    base_rules = base.get("rules", [])
    own_rules = doc.get("rules", [])
    if not isinstance(base_rules, list) or not isinstance(own_rules, list):
        raise SecretsConfigError("rules must be an array of tables ([[rules]])", source=source)
    merged: dict[str, dict[str, object]] = {}
    for rule in [*base_rules, *own_rules]:
        if not isinstance(rule, dict) or not isinstance(rule.get("id"), str):
            raise SecretsConfigError("rules: every rule needs an id", source=source)
        rid = str(rule["id"])
        if rid in merged:
            old = merged[rid]
            allow = [*_as_list(old.pop("allowlists", None)), *_as_list(old.pop("allowlist", None))]
            allow += [*_as_list(rule.get("allowlists")), *_as_list(rule.get("allowlist"))]
            old.update({k: v for k, v in rule.items() if k not in ("allowlist", "allowlists")})
            if allow:
                old["allowlists"] = allow
        else:
            merged[rid] = dict(rule)
    doc["rules"] = list(merged.values())
    base_ext = base.get("extend") if isinstance(base.get("extend"), dict) else {}
    assert isinstance(base_ext, dict)
    extend["useDefault"] = bool(extend.get("useDefault")) or bool(base_ext.get("useDefault"))
    extend["disabledRules"] = [*_as_list(base_ext.get("disabledRules")), *_as_list(extend.get("disabledRules"))]
    gl_allow = [*_as_list(base.get("allowlist")), *_as_list(base.get("allowlists"))]
    if gl_allow:
        doc["allowlists"] = [*gl_allow, *_as_list(doc.get("allowlists"))]


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def parse(
    text: str, source: str, builtin_ids: Iterable[str], aliases: dict[str, str], base_dir: Path | None = None
) -> GitleaksConfig:
    """Read a gitleaks TOML document; bad TOML or wrong types are `SecretsConfigError` naming ``source``."""
    doc = _read_doc(text, source)
    skipped: list[str] = []
    builtin = set(builtin_ids)
    extend = doc.get("extend", {})
    if not isinstance(extend, dict):
        raise SecretsConfigError("[extend] must be a table", source=source)
    _merge_base(doc, source, base_dir, 0, skipped)
    disabled = [aliases.get(r, r) for r in _strs(extend.get("disabledRules"), "extend.disabledRules", source)]
    rules = [r for r in _as_list(doc.get("rules", [])) if not (isinstance(r, dict) and r.get("id") in disabled)] if "path" in extend else doc.get("rules", [])
    if not isinstance(rules, list):
        raise SecretsConfigError("rules must be an array of tables ([[rules]])", source=source)
    use_default = bool(extend.get("useDefault", False)) or not rules
    detectors: list[Detector] = []
    rule_allow: dict[str, tuple[Allowlist, ...]] = {}
    seen: set[str] = set()
    for k, rule in enumerate(rules):
        if not isinstance(rule, dict):
            raise SecretsConfigError(f"rules[{k}]: expected a table", source=source)
        rid = rule.get("id")
        if not isinstance(rid, str) or not rid:
            raise SecretsConfigError(f"rules[{k}]: id is required", source=source)
        where = f"rules[{k}] ({rid}) "
        allow = _allowlists(rule, where, source, skipped)
        regex = rule.get("regex")
        path_rx = rule.get("path")
        target = aliases.get(rid, rid)
        if regex is None and path_rx is None:
            if target in builtin:
                rule_allow[target] = (*rule_allow.get(target, ()), *allow)
            else:
                skipped.append(f"rule {rid}: no regex or path, and no built-in detector of that name")
            continue
        if rid in seen:
            skipped.append(f"rule {rid}: defined twice; the first definition is used")
            continue
        det = _detector(rule, rid, where, source, skipped)
        if det is None:
            continue
        seen.add(rid)
        detectors.append(det)
        if allow:
            rule_allow[rid] = tuple(allow)
    return GitleaksConfig(
        source=source,
        detectors=tuple(detectors),
        use_default=use_default,
        disabled=tuple(disabled),
        global_allow=tuple(_allowlists(doc, "", source, skipped)),
        rule_allow=rule_allow,
        skipped=tuple(skipped),
    )


def _detector(rule: dict[str, object], rid: str, where: str, source: str, skipped: list[str]) -> Detector | None:
    regex, path_rx = rule.get("regex"), rule.get("path")
    if regex is not None and not isinstance(regex, str):
        raise SecretsConfigError(f"{where}regex: expected a string", source=source)
    if path_rx is not None and not isinstance(path_rx, str):
        raise SecretsConfigError(f"{where}path: expected a string", source=source)
    try:
        compiled_path = re.compile(translate_go_regex(path_rx)) if path_rx else None
    except (Untranslatable, re.error) as exc:
        skipped.append(f"rule {rid}: path {path_rx!r} cannot be used: {exc}")
        return None
    compiled: re.Pattern[bytes] | None = None
    if regex:
        try:
            compiled = re.compile(translate_go_regex(regex).encode())
        except (Untranslatable, re.error) as exc:
            skipped.append(f"rule {rid}: regex cannot be used: {exc}")
            return None
    group = rule.get("secretGroup", 0)
    if not isinstance(group, int) or group < 0:
        raise SecretsConfigError(f"{where}secretGroup: expected a non-negative integer", source=source)
    if compiled is not None and group > compiled.groups:
        skipped.append(f"rule {rid}: secretGroup {group} but the regex has {compiled.groups} group(s)")
        return None
    entropy = rule.get("entropy")
    if entropy is not None and not isinstance(entropy, (int, float)):
        raise SecretsConfigError(f"{where}entropy: expected a number", source=source)
    keywords = tuple(k.lower().encode() for k in _strs(rule.get("keywords"), f"{where}keywords", source) if k)
    return Detector(
        id=DetectorId(rid),
        title=str(rule.get("description") or rid),
        severity=Severity.HIGH,
        category=Category.CUSTOM,
        regex=compiled if compiled is not None else re.compile(b"(?!)"),
        keywords=keywords if compiled is not None else (b"\x00",),
        min_entropy=float(entropy) if entropy is not None else None,
        path=compiled_path,
        by_path=compiled is None,
        secret_group=group if group else -1,
        source=source,
    )


def load(path: Path, builtin_ids: Iterable[str], aliases: dict[str, str]) -> GitleaksConfig:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SecretsConfigError(f"larger than {MAX_BYTES >> 20} MiB", source=str(path))
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SecretsConfigError(f"cannot read: {exc.strerror}", source=str(path)) from None
    except UnicodeDecodeError:
        raise SecretsConfigError("not UTF-8 text", source=str(path)) from None
    return parse(text, str(path), builtin_ids, aliases, path.parent)
