"""Incident questions over the log store, answered in SQL.

    key_activity    an access key: its principal, every API with successes and failures,
                    first/last seen, source addresses with their country, keys it created
    top_denied      the principals with the most AccessDenied / UnauthorizedOperation
    timeline        everything one principal did, in time order
    root_activity   what the root user did (not AWS services acting as root)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from mamori.logs.geoip import Geo

DENIED = "(error_code LIKE '%AccessDenied%' OR error_code LIKE '%UnauthorizedOperation%' OR error_code = 'UnauthorizedAccess')"


@dataclass(frozen=True)
class Section:
    name: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]


@dataclass(frozen=True)
class QueryResult:
    title: str
    sections: list[Section]

    def to_dict(self) -> dict[str, Any]:
        return {s.name: s.dicts() for s in self.sections}

    def section(self, name: str) -> Section:
        return next(s for s in self.sections if s.name == name)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    cur = con.execute(sql, params or [])
    cols = tuple(d[0] for d in cur.description or ())
    return cols, [tuple(r) for r in cur.fetchall()]


def key_activity(con: duckdb.DuckDBPyConnection, access_key_id: str, geo: Geo) -> QueryResult:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE k AS SELECT event_time, event_source, event_name, error_code, source_ip, "
        "principal_arn, principal_type, user_name, account, event_id, response_elements FROM events WHERE access_key_id = ?",
        [access_key_id],
    )
    try:
        pcols, prow = _rows(con, """
            SELECT principal_arn, principal_type, user_name, account, count(*) AS events,
                   count(*) FILTER (WHERE error_code IS NULL) AS succeeded,
                   count(*) FILTER (WHERE error_code IS NOT NULL) AS failed,
                   min(event_time) AS first_seen, max(event_time) AS last_seen
            FROM k GROUP BY ALL ORDER BY events DESC""")  # fmt: skip
        acols, arows = _rows(con, """
            SELECT event_source, event_name, count(*) FILTER (WHERE error_code IS NULL) AS succeeded,
                   count(*) FILTER (WHERE error_code IS NOT NULL) AS failed,
                   string_agg(DISTINCT error_code, ',') AS errors, min(event_time) AS first_seen, max(event_time) AS last_seen
            FROM k GROUP BY ALL ORDER BY succeeded + failed DESC, event_source, event_name""")  # fmt: skip
        icols, irows = _rows(con, """
            SELECT source_ip, count(*) AS events, min(event_time) AS first_seen, max(event_time) AS last_seen
            FROM k GROUP BY ALL ORDER BY events DESC, source_ip""")  # fmt: skip
        irows = [(ip, geo.country(ip or "") or "-", *rest) for ip, *rest in irows]
        icols = (icols[0], "country", *icols[1:])
        ccols, crows = _rows(con, """
            SELECT json_extract_string(response_elements, '$.accessKey.accessKeyId') AS created_key,
                   json_extract_string(response_elements, '$.accessKey.userName') AS for_user, event_time, event_id
            FROM k WHERE event_name = 'CreateAccessKey' AND error_code IS NULL ORDER BY event_time""")  # fmt: skip
    finally:
        con.execute("DROP TABLE IF EXISTS k")
    return QueryResult(
        f"Access key {access_key_id}",
        [Section("principal", pcols, prow), Section("apis", acols, arows), Section("source_ips", icols, irows),
         Section("created_keys", ccols, crows)],
    )  # fmt: skip


def _window(since: datetime | None, until: datetime | None) -> tuple[str, list[Any]]:
    cond, params = [], []
    if since:
        cond.append("event_time >= ?")
        params.append(since.replace(tzinfo=None))
    if until:
        cond.append("event_time <= ?")
        params.append(until.replace(tzinfo=None))
    return (" AND " + " AND ".join(cond)) if cond else "", params


def top_denied(con: duckdb.DuckDBPyConnection, limit: int = 20, since: datetime | None = None, until: datetime | None = None) -> QueryResult:
    w, params = _window(since, until)
    cols, rows = _rows(con, f"""
        SELECT principal_arn, principal_type, count(*) AS denied,
               count(DISTINCT event_source || ':' || event_name) AS apis,
               count(DISTINCT source_ip) AS source_ips, min(event_time) AS first_seen, max(event_time) AS last_seen
        FROM events WHERE {DENIED}{w}
        GROUP BY ALL ORDER BY denied DESC, principal_arn LIMIT ?""", [*params, limit])  # fmt: skip
    return QueryResult("Top AccessDenied callers", [Section("denied", cols, rows)])


def timeline(
    con: duckdb.DuckDBPyConnection, principal: str, since: datetime | None = None, until: datetime | None = None, limit: int = 1000
) -> QueryResult:
    w, params = _window(since, until)
    cols, rows = _rows(con, f"""
        SELECT event_time, event_source, event_name, aws_region, source_ip, access_key_id, error_code, event_id
        FROM events WHERE (principal_arn = ? OR access_key_id = ?){w}
        ORDER BY event_time, event_id LIMIT ?""", [principal, principal, *params, limit])  # fmt: skip
    return QueryResult(f"Timeline of {principal}", [Section("timeline", cols, rows)])


def root_activity(con: duckdb.DuckDBPyConnection, since: datetime | None = None, until: datetime | None = None, limit: int = 1000) -> QueryResult:
    w, params = _window(since, until)
    cols, rows = _rows(con, f"""
        SELECT event_time, account, event_source, event_name, aws_region, source_ip, user_agent, error_code, event_id
        FROM events WHERE principal_type = 'Root' AND invoked_by IS NULL
          AND coalesce(event_type, '') <> 'AwsServiceEvent'{w}
        ORDER BY event_time, event_id LIMIT ?""", [*params, limit])  # fmt: skip
    return QueryResult("Root activity", [Section("root", cols, rows)])
