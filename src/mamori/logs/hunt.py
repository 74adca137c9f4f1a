"""Retro-hunt: Sigma rules (the same ones ``events replay --sigma`` runs live) as SQL over the log store.

Each rule's condition tree — parsed by pySigma and loaded by :func:`mamori.events.sigma.load_sigma`
— is compiled to one DuckDB ``WHERE`` clause, its values passed as parameters:

* CloudTrail's top-level fields map to the store's columns (``eventName`` -> ``event_name``,
  ``sourceIPAddress`` -> ``source_ip``, ``recipientAccountId`` -> ``account``...);
* nested fields are read from the JSON columns (``requestParameters.x`` ->
  ``json_extract_string(request_parameters, '$."x"')``; ``userIdentity.*`` and
  ``additionalEventData.*`` likewise);
* strings compare case-insensitively (``ILIKE`` for wildcards), as Sigma and the live matcher do.

What SQL cannot do the same way is reported per rule, never dropped silently: ``cidr``
values, a field the store does not keep (``tlsDetails``, ``resources``...), and the rows
ingested before the store had the ``user_identity`` column (they have no userIdentity to
match). A list in a record (``requestParameters.instanceIds``) is matched as its JSON text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from mamori.events.sigma import SigmaRuleInfo, Skipped, Unsupported, string_regex
from mamori.logs.queries import QueryResult, Section

TOP = {
    "eventID": "event_id", "eventTime": "CAST(event_time AS VARCHAR)", "eventSource": "event_source", "eventName": "event_name",
    "awsRegion": "aws_region", "sourceIPAddress": "source_ip", "userAgent": "user_agent", "errorCode": "error_code",
    "errorMessage": "error_message", "eventType": "event_type", "readOnly": "lower(CAST(read_only AS VARCHAR))",
    "recipientAccountId": "account", "requestParameters": "request_parameters", "responseElements": "response_elements",
    "userIdentity": "user_identity", "additionalEventData": "additional_event_data",
}  # fmt: skip
JSON_COLS = {"requestParameters": "request_parameters", "responseElements": "response_elements",
             "userIdentity": "user_identity", "additionalEventData": "additional_event_data"}  # fmt: skip
SHOWN = ("event_time", "event_source", "event_name", "principal_arn", "source_ip", "error_code", "event_id")
KEYWORD_TEXT = ("concat_ws(' ', event_source, event_name, user_agent, error_code, error_message, principal_arn, source_ip, "
                "request_parameters, response_elements, user_identity, additional_event_data)")  # fmt: skip


NOT_KEPT = {"requestID", "resources", "sharedEventID", "vpcEndpointId", "vpcEndpointAccountId", "tlsDetails", "eventCategory",
            "managementEvent", "eventVersion", "apiVersion", "serviceEventDetails", "insightDetails", "edgeDeviceDetails",
            "sessionCredentialFromConsole", "addendum"}  # fmt: skip
"""CloudTrail's own fields that the store does not keep: a rule reading them is reported."""


def column(field_name: str) -> str:
    """The SQL expression of a CloudTrail field in the log store (Unsupported when it is not kept).

    A name that is not a CloudTrail field at all reads as NULL — missing, as the live matcher sees it.
    """
    if field_name in TOP:
        return TOP[field_name]
    root, _, rest = field_name.partition(".")
    if root in JSON_COLS and rest:
        path = "$." + ".".join('"' + p.replace('"', "").replace("'", "") + '"' for p in rest.split("."))
        return f"json_extract_string({JSON_COLS[root]}, '{path}')"
    if root in NOT_KEPT:
        raise Unsupported(f"field {field_name!r} is not kept in the log store")
    return "CAST(NULL AS VARCHAR)"


def _like(value: Any) -> tuple[str, bool]:
    """An ILIKE pattern of a pySigma string with wildcards, and whether it is case-sensitive."""
    from sigma.types import SpecialChars

    out = []
    for p in value.s:
        if isinstance(p, str):
            out.append(p.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"))
        elif p is SpecialChars.WILDCARD_MULTI:
            out.append("%")
        elif p is SpecialChars.WILDCARD_SINGLE:
            out.append("_")
        else:
            raise Unsupported(f"placeholder {p!r} in a value")
    return "".join(out), type(value).__name__ == "SigmaCasedString"


class _Sql:
    def __init__(self) -> None:
        self.params: list[Any] = []

    def value(self, expr: str, value: Any) -> str:
        from sigma import types as st

        if isinstance(value, st.SigmaString):
            if all(isinstance(p, str) for p in value.s):
                plain = "".join(str(p) for p in value.s)
                self.params.append(plain)
                return f"({expr} = ?)" if type(value).__name__ == "SigmaCasedString" else f"(lower({expr}) = lower(?))"
            pattern, cased = _like(value)
            self.params.append(pattern)
            return f"({expr} {'LIKE' if cased else 'ILIKE'} ? ESCAPE '\\')"
        if isinstance(value, st.SigmaBool):
            return f"(lower(CAST({expr} AS VARCHAR)) = '{'true' if value.boolean else 'false'}')"
        if isinstance(value, st.SigmaNumber):
            self.params.append(float(value.number))
            return f"(TRY_CAST({expr} AS DOUBLE) = ?)"
        if isinstance(value, st.SigmaNull):
            return f"({expr} IS NULL)"
        if isinstance(value, st.SigmaRegularExpression):
            flags = "".join({"IGNORECASE": "i", "MULTILINE": "m", "DOTALL": "s"}.get(getattr(f, "name", ""), "") for f in (value.flags or ()))
            self.params.append((f"(?{flags})" if flags else "") + str(value.regexp))
            return f"regexp_matches({expr}, ?)"
        if isinstance(value, st.SigmaCompareExpression):
            op = {"LT": "<", "LTE": "<=", "GT": ">", "GTE": ">="}[value.op.name]
            self.params.append(float(value.number.number))
            return f"(TRY_CAST({expr} AS DOUBLE) {op} ?)"
        raise Unsupported(f"{type(value).__name__} values are not supported by the retro-hunt (the live matcher supports them)")

    def node(self, node: Any) -> str:
        from sigma import conditions as sc
        from sigma import types as st

        if isinstance(node, sc.ConditionAND | sc.ConditionOR):
            joiner = " AND " if isinstance(node, sc.ConditionAND) else " OR "
            return "(" + joiner.join(self.node(a) for a in node.args) + ")"
        if isinstance(node, sc.ConditionNOT):
            return f"(NOT coalesce({self.node(node.args[0])}, false))"
        if isinstance(node, sc.ConditionFieldEqualsValueExpression):
            expr = column(node.field)
            v = node.value
            if isinstance(v, st.SigmaExists):
                return f"({expr} IS {'NOT ' if v.exists else ''}NULL)"
            if isinstance(v, st.SigmaFieldReference):
                return f"(lower({expr}) = lower({column(v.field)}))"
            if isinstance(v, st.SigmaExpansion):
                return "(" + " OR ".join(self.value(expr, x) for x in v.values) + ")"
            return self.value(expr, v)
        if isinstance(node, sc.ConditionValueExpression):
            if not isinstance(node.value, st.SigmaString):
                raise Unsupported("a keyword that is not a string")
            src, cased = string_regex(node.value)
            self.params.append(src if cased else "(?i)" + src)
            return f"regexp_matches({KEYWORD_TEXT}, ?)"
        raise Unsupported(f"condition element {type(node).__name__}")


def compile_rule(rule: SigmaRuleInfo) -> tuple[str, list[Any]]:
    """(WHERE clause, parameters) of a loaded Sigma rule."""
    sql = _Sql()
    parts = [sql.node(t) for t in rule.trees]
    return ("(" + " OR ".join(parts) + ")" if len(parts) > 1 else parts[0]), sql.params


@dataclass
class HuntReport:
    result: QueryResult
    matches: int = 0
    skipped: list[Skipped] = field(default_factory=list)


def hunt(
    con: duckdb.DuckDBPyConnection, rules: Iterable[SigmaRuleInfo], *, since: datetime | None = None, until: datetime | None = None,
    limit: int = 1000, skipped: Iterable[Skipped] = (), has_identity: bool = True,
) -> HuntReport:  # fmt: skip
    """Run every rule over the store; one section per rule with matches, a summary, and the skipped rules."""
    window, wparams = [], []
    if since:
        window.append("event_time >= ?")
        wparams.append(since.replace(tzinfo=None))
    if until:
        window.append("event_time <= ?")
        wparams.append(until.replace(tzinfo=None))
    summary: list[tuple[Any, ...]] = []
    sections: list[Section] = []
    out_skipped = list(skipped)
    total = 0
    for r in rules:
        try:
            where, params = compile_rule(r)
        except Unsupported as exc:
            out_skipped.append(Skipped(r.path, r.title, f"retro-hunt: {exc}"))
            continue
        if not has_identity and ("user_identity" in where or "additional_event_data" in where):
            out_skipped.append(Skipped(r.path, r.title, "retro-hunt: the log store predates the userIdentity column (re-ingest)"))
            continue
        sql_where = " AND ".join([where, *window])
        try:
            n_row = con.execute(f"SELECT count(*) FROM events WHERE {sql_where}", [*params, *wparams]).fetchone()
            n = int(n_row[0]) if n_row else 0
            rows = con.execute(
                f"SELECT {', '.join(SHOWN)} FROM events WHERE {sql_where} ORDER BY event_time, event_id LIMIT ?", [*params, *wparams, limit]
            ).fetchall()
        except duckdb.Error as exc:
            out_skipped.append(Skipped(r.path, r.title, f"retro-hunt: the query failed: {str(exc).splitlines()[0][:200]}"))
            continue
        summary.append((r.id, r.title, r.level, " ".join(t for t in r.tags if t.startswith("attack.t")), n))
        total += n
        if rows:
            sections.append(Section(f"{r.title} [{r.id}] ({r.level})", SHOWN, [tuple(x) for x in rows]))
    head = Section("rules", ("sigma_id", "title", "level", "attack", "matches"), sorted(summary, key=lambda x: (-x[4], x[1])))
    skip = Section("skipped", ("rule", "path", "reason"), [(s.rule, s.path, s.reason) for s in out_skipped])
    return HuntReport(QueryResult("Sigma retro-hunt", [head, *sections, skip]), total, out_skipped)
