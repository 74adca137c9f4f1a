"""The schema of ``.mamori-secrets.yaml``, imported only when such a file exists.

Validates the YAML and names the file and the line of any error, e.g.
``.mamori-secrets.yaml:7: detectors[0].regex: ...``; the result is the plain
`mamori.gate.secrets.config.SecretsConfig`, so a scan without a config file (a pre-commit hook
in most repositories) never imports PyYAML.

A config is checked with plain code first (`_plain`): exact types, the same rules as the schema.
Whatever that does not accept outright — an error, or a value pydantic would coerce (``"3"`` for
a number) — goes through the pydantic schema in `config_models`, which gives the result or the
error message. So the messages are pydantic's, and pydantic (~0.15 s to import) is loaded only
for a config that needs it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from mamori.gate.secrets import config as plain
from mamori.gate.secrets.detectors import REGISTRY
from mamori.gate.secrets.errors import SecretsConfigError
from mamori.model.finding import Severity

if TYPE_CHECKING:
    import yaml

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TOP = frozenset(
    {"version", "exclude", "disable", "baseline", "engine", "max_line_length", "detectors", "allowlist"}
)
_DETECTOR = frozenset({"id", "title", "regex", "keywords", "severity", "min_entropy"})
_ALLOW = frozenset({"fingerprint", "path", "detector", "reason", "expires", "approver"})


class _NotPlain(Exception):
    """The plain checks do not accept this outright: the pydantic schema decides."""


def _str_list(v: object) -> tuple[str, ...]:
    if type(v) is not list or any(type(x) is not str for x in v):
        raise _NotPlain
    return tuple(v)


def _opt_str(d: dict[str, Any], key: str) -> str | None:
    v = d.get(key)
    if v is not None and type(v) is not str:
        raise _NotPlain
    return v


def _detector(d: object) -> plain.CustomDetector:
    if type(d) is not dict or not d.keys() <= _DETECTOR:
        raise _NotPlain
    det_id, regex, title = d.get("id"), d.get("regex"), d.get("title", "")
    if type(det_id) is not str or not _ID.match(det_id) or det_id in REGISTRY:
        raise _NotPlain
    if type(regex) is not str or type(title) is not str:
        raise _NotPlain
    try:
        if re.compile(regex.encode()).match(b""):
            raise _NotPlain
    except re.error:
        raise _NotPlain from None
    keywords = _str_list(d.get("keywords", []))
    if any(not k.strip() for k in keywords):
        raise _NotPlain
    severity = Severity.HIGH
    if "severity" in d:
        if type(d["severity"]) is not str:
            raise _NotPlain
        try:
            severity = Severity.parse(d["severity"])
        except ValueError:
            raise _NotPlain from None
    entropy = d.get("min_entropy")
    if entropy is not None:
        if type(entropy) not in (int, float) or not 0 <= entropy <= 8:
            raise _NotPlain
        entropy = float(entropy)
    return plain.CustomDetector(
        id=det_id, title=title, regex=regex, keywords=keywords, severity=severity, min_entropy=entropy
    )


def _allow(a: object) -> plain.AllowEntry:
    if type(a) is not dict or not a.keys() <= _ALLOW:
        raise _NotPlain
    reason, expires = a.get("reason"), a.get("expires")
    if type(reason) is not str or len(reason) < 3:
        raise _NotPlain
    if type(expires) is str and _DATE.match(expires):
        try:
            expires = date.fromisoformat(expires)
        except ValueError:
            raise _NotPlain from None
    if type(expires) is not date:
        raise _NotPlain
    fingerprint, path = _opt_str(a, "fingerprint"), _opt_str(a, "path")
    if not fingerprint and not path:
        raise _NotPlain
    return plain.AllowEntry(
        reason=reason,
        expires=expires,
        fingerprint=fingerprint,
        path=path,
        detector=_opt_str(a, "detector"),
        approver=_opt_str(a, "approver"),
    )


def _plain(data: dict[Any, Any]) -> plain.SecretsConfig:
    """The config, when every value has exactly the schema's type and passes its rules; else `_NotPlain`."""
    if not data.keys() <= _TOP:
        raise _NotPlain
    version = data.get("version", 1)
    max_line = data.get("max_line_length", plain.DEFAULT_MAX_LINE)
    if type(version) is not int or type(max_line) is not int or not 256 <= max_line <= 1 << 20:
        raise _NotPlain
    disable = _str_list(data.get("disable", []))
    if any(d not in REGISTRY for d in disable):
        raise _NotPlain
    dets = data.get("detectors", [])
    allow = data.get("allowlist", [])
    if type(dets) is not list or type(allow) is not list:
        raise _NotPlain
    detectors = tuple(_detector(d) for d in dets)
    if len({d.id for d in detectors}) != len(detectors):
        raise _NotPlain
    return plain.SecretsConfig(
        version=version,
        exclude=_str_list(data.get("exclude", [])),
        disable=disable,
        baseline=_opt_str(data, "baseline"),
        engine=_opt_str(data, "engine"),
        max_line_length=max_line,
        detectors=detectors,
        allowlist=tuple(_allow(a) for a in allow),
    )


def _loc_text(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _node_line(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    import yaml

    if node is None:
        return None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if getattr(k, "value", None) == key:
                    node = v
                    break
            else:
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
    return node.start_mark.line + 1


def validate(data: dict[Any, Any], node: yaml.Node | None, source: str) -> plain.SecretsConfig:
    """The plain checks, else the pydantic schema (its result, or its first error with the line)."""
    try:
        return _plain(data)
    except _NotPlain:
        pass
    from pydantic import ValidationError

    from mamori.gate.secrets.config_models import SecretsConfigSchema

    try:
        return SecretsConfigSchema.model_validate(data).plain()
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        line = _node_line(node, loc)
        msg = str(err["msg"]).removeprefix("Value error, ")
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise SecretsConfigError(
            f"{_loc_text(loc)}: {msg}{more}", source=source, where=str(line) if line else None
        ) from None


def parse(text: str, source: str) -> plain.SecretsConfig:
    """Validate YAML text; errors name ``source`` and the line."""
    from mamori.safeload import compose_yaml  # bounded: aliases, depth, dates, NUL, duplicate keys

    node, construct = compose_yaml(text, source=source, error=SecretsConfigError)
    data: Any = construct(node) if node is not None else None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SecretsConfigError("the top level must be a mapping", source=source, where="1")
    return validate(data, node, source)
