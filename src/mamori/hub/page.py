"""Pages of findings for a filter: every filter in SQL, restricted to the accounts a user sees, keyset cursors.

The server's findings list and API, and the CLI's ``findings list``, read through here:

* :func:`conditions` turns a :class:`~mamori.hub.query.FindingsQuery` (status, severity,
  account, region, rule, type, source, owner, overdue, ``q``) and the visible accounts into
  SQL conditions. Owner and overdue are SQL too: the owner is the assigned one
  (``findings.owner``, set by :func:`mamori.hub.bulk.assign_owner`), else the owners
  mapping of ``mamori.yaml`` (tag rules, then accounts, then the default) as a ``CASE``
  over the finding's tags; overdue is "open and first seen before now - the severity's
  SLA days". Nothing is filtered in Python, so a limit is a SQL limit.
* :func:`page` returns one page in a stable order (worst severity first, then id, both
  descending) and an opaque cursor for the next one. The cursor is the last row's
  ``(severity_rank, id)``; the next page starts with ``(severity_rank, id) < cursor``, which
  the keyset indexes of migration 0009 answer directly: page 1,000 costs what page 1 does
  (no OFFSET).

``accounts`` is ``None`` for a user who sees every account, else exactly the accounts the
user sees (possibly none): it is one ``account IN (...)`` condition, resolved once per
request by the caller, never a query per row.
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Boolean, ColumnElement, and_, case, false, func, literal, or_, select, tuple_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import FromClause, Select

from mamori.config.hub import OwnersConfig, SlaConfig
from mamori.errors import InputError
from mamori.findings import Store
from mamori.findings.rows import row_to_finding
from mamori.findings.store import FindingFilter
from mamori.findings.tables import finding_meta, findings
from mamori.hub.view import HubFinding, enrich
from mamori.model.finding import FindingStatus, Severity

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_Q = 200
SEARCH_WINDOW = 10_000  # findings a search examines per page at most (see page())

Accounts = frozenset[str] | None
"""The accounts a user sees: None = every account; a set = exactly these (possibly none)."""

OPEN: tuple[FindingStatus, ...] = (FindingStatus.NEW, FindingStatus.NOTIFIED)


def statuses_named(name: str) -> tuple[FindingStatus, ...]:
    """``open`` (NEW and NOTIFIED), ``all`` (no filter) or one status by name, any case."""
    if name.lower() == "open":
        return OPEN
    if name.lower() == "all":
        return ()
    try:
        return (FindingStatus(name.upper()),)
    except ValueError:
        known = ", ".join(["open", "all", *(s.value.lower() for s in FindingStatus)])
        raise InputError(f"unknown status {name!r} (one of: {known})", where="status") from None


@dataclass(frozen=True)
class FindingsQuery:
    """A filter of findings: the store's columns (``where``), owner teams, overdue and a search text."""

    where: FindingFilter = field(default_factory=lambda: FindingFilter(statuses=OPEN))
    owners: tuple[str, ...] = ()  # owning teams: assigned, else from the owners mapping
    overdue: bool = False  # only open findings past their SLA due date
    q: str = ""  # in the title, resource id or ARN, or rule id (any case)

    def to_dict(self) -> dict[str, Any]:
        """The filter as plain JSON (audit details, links)."""
        w = self.where
        out: dict[str, Any] = {
            "status": [s.value for s in w.statuses], "severity": [s.value for s in w.severities],
            "min_severity": w.min_severity.value if w.min_severity else None, "account": list(w.accounts),
            "region": list(w.regions), "rule": list(w.rules), "type": list(w.resource_types), "source": list(w.sources),
            "owner": list(self.owners), "overdue": self.overdue, "q": self.q,
        }  # fmt: skip
        return {k: v for k, v in out.items() if v not in ([], None, False, "")}


@dataclass(frozen=True)
class FindingsPage:
    items: list[HubFinding]
    next_cursor: str | None


def joined() -> FromClause:
    """Findings with their metadata (tags, root cause, suppression), one row per finding."""
    return findings.outerjoin(finding_meta, finding_meta.c.finding_id == findings.c.id)


def owner_expr(cfg: OwnersConfig) -> ColumnElement[Any]:
    """The owner of a finding in SQL: the assigned owner, else the owners mapping (as :func:`mamori.hub.owners.owner_of`)."""
    whens: list[tuple[ColumnElement[bool], ColumnElement[Any]]] = []
    for rule in cfg.tags:
        value = finding_meta.c.tags[rule.key].as_string()
        if rule.value is None:
            whens.append((and_(value.is_not(None), value != ""), literal(rule.owner) if rule.owner else value))
        else:
            whens.append((value == rule.value, literal(rule.owner or rule.value)))
    teams: dict[str, list[str]] = defaultdict(list)
    for account, team in cfg.accounts.items():
        teams[team].append(account)
    whens += [(findings.c.account.in_(accts), literal(team)) for team, accts in sorted(teams.items())]
    mapped: ColumnElement[Any] = case(*whens, else_=literal(cfg.default)) if whens else literal(cfg.default)
    return func.coalesce(findings.c.owner, mapped)


def overdue_expr(sla: SlaConfig, now: datetime) -> ColumnElement[bool]:
    """Open and first seen longer ago than the severity's SLA (as :func:`mamori.hub.owners.due_at` and ``HubFinding.overdue``)."""
    parts = [
        and_(findings.c.severity == s.value, findings.c.first_seen < now - timedelta(days=days))
        for s in Severity
        if (days := sla.days(s)) is not None
    ]
    return and_(findings.c.status.in_(OPEN), or_(*parts)) if parts else false()


def search_expr(q: str) -> ColumnElement[bool]:
    """``q`` anywhere in the title, the resource (id or ARN) or the rule id, any case, literally (no wildcards).

    ``ILIKE`` on PostgreSQL; on SQLite ``LIKE``, which ignores the case of ASCII letters by
    itself (no ``lower()`` of four columns per row).
    """
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    cols = (findings.c.title, findings.c.resource_id, findings.c.resource_arn, findings.c.rule_id)
    return or_(*(_Search(c, pattern) for c in cols))


class _Search(ColumnElement[bool]):
    """``col ILIKE pattern`` on PostgreSQL, ``col LIKE pattern`` elsewhere (with ``\\`` as the escape)."""

    inherit_cache = False  # the pattern is bound at compile time: never reuse a compiled statement
    type = Boolean()

    def __init__(self, col: ColumnElement[Any], pattern: str) -> None:
        self.col = col
        self.pattern = pattern


@compiles(_Search)
def _search_default(element: _Search, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.col.like(element.pattern, escape="\\"), **kw)


@compiles(_Search, "postgresql")
def _search_pg(element: _Search, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.col.ilike(element.pattern, escape="\\"), **kw)


def conditions(
    query: FindingsQuery, owners: OwnersConfig, sla: SlaConfig, now: datetime, accounts: Accounts, *, walk: bool = False
) -> list[ColumnElement[bool]]:
    """Every filter of ``query`` and the visibility of ``accounts`` as SQL conditions on :func:`joined`.

    ``walk``: for a page (an ordered walk of the keyset index that stops at the limit) rather
    than a count or a bulk change (which want every index that narrows the rows).
    """
    w = query.where
    out: list[ColumnElement[bool]] = []
    if accounts is not None:
        wanted = set(w.accounts) & accounts if w.accounts else accounts
        out.append(findings.c.account.in_(sorted(wanted)) if wanted else false())
    elif w.accounts:
        out.append(findings.c.account.in_(w.accounts))
    if len(w.statuses) == 1:  # one status: the (status, severity_rank, id) index gives the order
        out.append(findings.c.status == w.statuses[0].value)
    elif w.statuses and not walk:
        out.append(findings.c.status.in_([s.value for s in w.statuses]))
    elif w.statuses:
        # Several ("open" is NEW and NOTIFIED): neither SQLite nor PostgreSQL walks (status, rank, id)
        # in order for status IN (a, b), they would sort every match. Filtering on an expression
        # the status index cannot serve makes them walk (severity_rank, id) in order and stop at the limit.
        out.append(func.coalesce(findings.c.status, "").in_([s.value for s in w.statuses]))
    ranks = sorted({s.rank for s in w.severities})
    if len(ranks) == 1:  # as ranks: the keyset indexes then give the order directly
        out.append(findings.c.severity_rank == ranks[0])
    elif ranks:
        out.append(findings.c.severity_rank.in_(ranks))
    if w.min_severity is not None:
        out.append(findings.c.severity_rank >= w.min_severity.rank)
    for col, values in ((findings.c.rule_id, w.rules), (findings.c.region, w.regions),
                        (findings.c.resource_type, w.resource_types), (findings.c.source, w.sources)):  # fmt: skip
        if values:
            out.append(col.in_(values))
    if query.owners:
        out.append(owner_expr(owners).in_(query.owners))
    if query.overdue:
        out.append(overdue_expr(sla, now))
    q = query.q.strip()
    if q:
        if len(q) > MAX_Q:
            raise InputError(f"the search text is {len(q)} characters long; at most {MAX_Q}", where="q")
        out.append(search_expr(q))
    return out


FILTER_KEYS = ("status", "severity", "min_severity", "account", "region", "rule", "type", "source", "owner", "overdue", "q")
_TRUE = ("1", "true", "yes", "on")


def parse_query(values: Mapping[str, Sequence[str]]) -> FindingsQuery:
    """A :class:`FindingsQuery` from request parameters (each a list of strings; commas split lists too).

    ``status`` (open by default; ``all``, new, notified, resolved, suppressed), ``severity``,
    ``min_severity``, ``account``, ``region``, ``rule``, ``type``, ``source``, ``owner``,
    ``overdue`` (1/true/on) and ``q``. Unknown severities or statuses are :class:`InputError`.
    """

    def many(key: str) -> tuple[str, ...]:
        out: list[str] = []
        for v in values.get(key, ()):
            out += [x.strip() for x in str(v).split(",") if x.strip()]
        if len(out) > 1000:
            raise InputError(f"{key}: at most 1,000 values", where=key)
        return tuple(dict.fromkeys(out))

    def one(key: str) -> str:
        got = [str(v) for v in values.get(key, ()) if str(v).strip()]
        return got[-1].strip() if got else ""

    try:
        severities = tuple(Severity.parse(v) for v in many("severity"))
        least = Severity.parse(one("min_severity")) if one("min_severity") else None
    except ValueError as exc:
        raise InputError(str(exc), where="severity") from None
    statuses: tuple[FindingStatus, ...] = ()
    names = many("status") or ("open",)
    if "all" not in (n.lower() for n in names):
        statuses = tuple(dict.fromkeys(s for n in names for s in statuses_named(n)))
    where = FindingFilter(
        severities=severities, min_severity=least, statuses=statuses, rules=many("rule"), accounts=many("account"),
        regions=many("region"), resource_types=many("type"), sources=many("source"),
    )  # fmt: skip
    return FindingsQuery(where, owners=many("owner"), overdue=one("overdue").lower() in _TRUE, q=one("q"))


def encode_cursor(rank: int, fid: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([rank, fid])).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str]:
    """The ``(severity_rank, id)`` a cursor stands for; :class:`InputError` for anything that is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        rank, fid = orjson.loads(raw)
    except (binascii.Error, ValueError, TypeError, orjson.JSONDecodeError):
        raise InputError("invalid cursor: pass back the next_cursor of the previous page unchanged", where="cursor") from None
    if not isinstance(rank, int) or not isinstance(fid, str) or not 0 <= rank <= 4 or not 0 < len(fid) <= 64:
        raise InputError("invalid cursor: pass back the next_cursor of the previous page unchanged", where="cursor")
    return rank, fid


def check_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}", where="limit")
    return limit


_ORDER = (findings.c.severity_rank.desc(), findings.c.id.desc())


def _select(conds: Sequence[ColumnElement[bool]]) -> Select[Any]:
    cols = (*findings.c, finding_meta.c.tags, finding_meta.c.root_cause, finding_meta.c.suppression_id)
    return select(*cols).select_from(joined()).where(*conds)


def _hub(rows: Iterable[Any], owners: OwnersConfig, sla: SlaConfig, now: datetime) -> list[HubFinding]:
    rows = list(rows)
    meta = {r.id: {"tags": dict(r.tags or {}), "root_cause": r.root_cause, "suppression_id": r.suppression_id,
                   "owner": r.owner} for r in rows}  # fmt: skip
    return enrich((row_to_finding(r) for r in rows), meta, owners, sla, now)


def page(
    store: Store,
    query: FindingsQuery,
    owners: OwnersConfig,
    sla: SlaConfig,
    *,
    accounts: Accounts = None,
    limit: int | None = None,
    cursor: str | None = None,
    now: datetime | None = None,
) -> FindingsPage:
    """One page of the findings matching ``query`` that ``accounts`` may see, worst first; and the cursor of the next."""
    n = check_limit(limit)
    now = now or datetime.now(UTC)
    after: list[ColumnElement[bool]] = []
    if cursor:
        rank, fid = decode_cursor(cursor)
        after.append(tuple_(findings.c.severity_rank, findings.c.id) < tuple_(literal(rank), literal(fid)))
    conds = [*conditions(query, owners, sla, now, accounts, walk=True), *after]
    with store.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # A page is an ordered walk of a keyset index that stops at the limit. PostgreSQL
            # estimates a search or an owner CASE to match almost nothing and would rather scan
            # and sort every row (0.5 s on 200,000 findings): keep it on the walk, as SQLite does.
            conn.exec_driver_sql("SET LOCAL enable_sort = off")
        edge = None
        if query.q.strip() and not query.where.accounts and not query.where.rules:
            # A search walks at most SEARCH_WINDOW findings per page: one that matches little would
            # otherwise read the whole table for one page. The window ends at the key found by an
            # index-only skip; a page can then hold fewer than ``limit`` findings (even none) and
            # still have a next cursor (the window's end): only ``next_cursor: null`` ends the list.
            skip = select(findings.c.severity_rank, findings.c.id).where(*after).order_by(*_ORDER)
            edge = conn.execute(skip.offset(SEARCH_WINDOW - 1).limit(1)).first()
            if edge is not None:
                conds.append(tuple_(findings.c.severity_rank, findings.c.id) >= tuple_(literal(edge.severity_rank), literal(edge.id)))
        rows = list(conn.execute(_select(conds).order_by(*_ORDER).limit(n + 1)))
    more = len(rows) > n
    rows = rows[:n]
    if more and rows:
        nxt: str | None = encode_cursor(int(rows[-1].severity_rank), rows[-1].id)
    elif edge is not None:
        nxt = encode_cursor(int(edge.severity_rank), edge.id)
    else:
        nxt = None
    return FindingsPage(_hub(rows, owners, sla, now), nxt)


def matching(
    store: Store, query: FindingsQuery, owners: OwnersConfig, sla: SlaConfig, *, accounts: Accounts = None, now: datetime | None = None
) -> list[HubFinding]:
    """Every finding matching ``query`` (and ``query.where.limit`` at most), in no particular order."""
    now = now or datetime.now(UTC)
    q = _select(conditions(query, owners, sla, now, accounts))
    if query.where.limit:
        q = q.order_by(findings.c.severity_rank.desc(), findings.c.id.desc()).limit(query.where.limit)
    with store.engine.connect() as conn:
        return _hub(conn.execute(q), owners, sla, now)


def count(
    store: Store, query: FindingsQuery, owners: OwnersConfig, sla: SlaConfig, *, accounts: Accounts = None,
    now: datetime | None = None, cap: int | None = None,
) -> int:
    """How many findings match ``query`` among those ``accounts`` may see; with ``cap``, counting stops
    at ``cap + 1`` (a page that says "10,000+ match" costs an index walk of 10,001 rows, not of every match)."""
    conds = conditions(query, owners, sla, now or datetime.now(UTC), accounts)
    with store.engine.connect() as conn:
        if cap is None:
            return int(conn.scalar(select(func.count()).select_from(joined()).where(*conds)) or 0)
        first = select(findings.c.id).select_from(joined()).where(*conds).limit(cap + 1).subquery()
        return int(conn.scalar(select(func.count()).select_from(first)) or 0)


def get(
    store: Store, fid: str, owners: OwnersConfig, sla: SlaConfig, *, accounts: Accounts = None, now: datetime | None = None
) -> HubFinding | None:
    """The finding with exactly this id, when ``accounts`` may see it (else None, as if it did not exist)."""
    if not fid or len(fid) > 64:
        return None
    conds: list[ColumnElement[bool]] = [findings.c.id == fid]
    if accounts is not None:
        conds.append(findings.c.account.in_(sorted(accounts)) if accounts else false())
    with store.engine.connect() as conn:
        rows = list(conn.execute(_select(conds)))
    return _hub(rows, owners, sla, now or datetime.now(UTC))[0] if rows else None


def visible(accounts: Accounts, account: str | None) -> bool:
    """Whether an account (None: not tied to one) is visible to a user who sees ``accounts``."""
    return accounts is None or (account is not None and account in accounts)


__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "OPEN",
    "Accounts",
    "FindingsPage",
    "FindingsQuery",
    "conditions",
    "count",
    "decode_cursor",
    "encode_cursor",
    "get",
    "matching",
    "owner_expr",
    "page",
    "parse_query",
    "statuses_named",
    "visible",
]
