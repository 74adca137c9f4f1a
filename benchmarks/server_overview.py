"""The server's Overview under an organisation-sized store: p50 / p95 of the page and its API, SQLite and PostgreSQL.

    python benchmarks/server_overview.py                       # both backends, 200k findings, 1,000 accounts, 90 days
    python benchmarks/server_overview.py --backends sqlite --findings 20000 --accounts 100 --runs 10

Seeds each store with ``benchmarks/server_seed.py`` (the findings helper's seeder: real rules,
one scan a day for 90 days over every account, score rows per account and standard), then
times through FastAPI's TestClient (the whole request: auth by Bearer token, the service's
queries, Jinja rendering, SVG charts):

* ``GET /api/v1/overview`` and ``GET /`` as an unscoped admin
* the same as a viewer scoped to an account group of 100 accounts (scores re-aggregated
  from those accounts' rows, every count ``WHERE account IN (...)``)
* ``GET /api/v1/accounts`` (the first page of 50 with trends) and ``mamori report html``'s
  ``gather`` (the HTML report shares the overview's data model)

Each timing: one warm-up request, then ``--runs`` timed ones; p50 and p95 in milliseconds.
Target (issue 14): overview <= 500 ms. Prints JSON; writes ``benchmarks/out/server_overview.json``.
PostgreSQL: ``$MAMORI_TEST_PG_URL`` (default the local test server), in a fresh schema.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

HERE = Path(__file__).resolve().parent
PG_URL = os.environ.get("MAMORI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _seeder() -> Any:
    spec = importlib.util.spec_from_file_location("mamori_bench_server_seed", HERE / "server_seed.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def percentiles(samples: list[float]) -> dict[str, float]:
    s = sorted(samples)
    p95 = s[min(len(s) - 1, max(0, round(0.95 * len(s)) - 1))]
    return {"p50_ms": round(statistics.median(s) * 1000, 1), "p95_ms": round(p95 * 1000, 1), "runs": len(s)}


def timed(fn: Callable[[], Any], runs: int) -> dict[str, float]:
    fn()  # warm-up: connection pool, template compilation, rule loading
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return percentiles(out)


def bench(
    url: str, *, findings: int, accounts: int, days: int, runs: int, group: int, report: bool = False, seeded: bool = False
) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from mamori.config import Config
    from mamori.findings import Store
    from mamori.report import gather
    from mamori.report.overview import build_overview
    from mamori.rules import load_rules
    from mamori.server.app import create_app
    from mamori.server.settings import ServerSettings
    from mamori.users import Role
    from mamori.users.service import UserStore

    seeder = _seeder()
    t0 = time.perf_counter()
    summary = "reused" if seeded else seeder.seed(url, findings=findings, accounts=accounts, days=days)
    seed_s = time.perf_counter() - t0
    accts = seeder.account_ids(accounts)
    now = seeder.NOW
    config = Config(account_groups={"some": accts[:: max(1, accounts // group)][:group]})
    app = create_app(ServerSettings(db_url=url, config=config, secret_key="bench", schedules=False, clock=lambda: now))
    users = UserStore(Store.open(url).engine)
    clients = {}
    for name, role, grp in (("admin", Role.ADMIN, None), ("scoped", Role.VIEWER, "some")):
        who = f"bench-{name}-{uuid.uuid4().hex[:6]}"
        users.add_user(who, role=role, password=None, account_group=grp, actor="bench")
        _, token = users.create_token(who, actor="bench")
        c = TestClient(app, base_url="http://127.0.0.1")
        c.headers["Authorization"] = f"Bearer {token}"
        clients[name] = c

    def get(who: str, path: str) -> Callable[[], None]:
        def call() -> None:
            r = clients[who].get(path)
            assert r.status_code == 200, (path, r.status_code, r.text[:200])

        return call

    results: dict[str, Any] = {"seed_s": round(seed_s, 1), "seed": summary.__dict__ if hasattr(summary, "__dict__") else str(summary)}
    with clients["admin"]:
        for who in ("admin", "scoped"):
            results[f"{who} GET /api/v1/overview"] = timed(get(who, "/api/v1/overview"), runs)
            results[f"{who} GET /"] = timed(get(who, "/"), runs)
        results["admin GET /api/v1/accounts"] = timed(get("admin", "/api/v1/accounts"), runs)
        results["admin GET /api/v1/scores"] = timed(get("admin", "/api/v1/scores"), runs)
        store = Store.open(url)
        rules = load_rules([])
        results["build_overview (service only)"] = timed(lambda: build_overview(store, sla=Config().sla, rules=rules, now=now), runs)
        if report:  # the report's gather also reads every finding into memory (its embedded table): minutes at 200k
            results["report gather (max 2000 findings)"] = timed(lambda: gather(store, rules, Config(), now=now, max_findings=2000), 3)
        store.close()
    for c in clients.values():
        c.close()
    app.state.store.close()
    return results


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--backends", default="sqlite,postgresql")
    p.add_argument("--findings", type=int, default=200_000)
    p.add_argument("--accounts", type=int, default=1_000)
    p.add_argument("--days", type=int, default=90)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--group", type=int, default=100, help="accounts in the scoped viewer's group")
    p.add_argument("--report", action="store_true", help="also time the HTML report's gather (reads every finding)")
    p.add_argument("--db", default=None, help="an already seeded SQLite URL to reuse (skips seeding; sqlite only)")
    a = p.parse_args(argv)
    out: dict[str, Any] = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"), "load_before": os.getloadavg(),
        "findings": a.findings, "accounts": a.accounts, "days": a.days,
    }  # fmt: skip
    for backend in a.backends.split(","):
        if backend == "sqlite":
            d = tempfile.mkdtemp(prefix="mamori-overview-")
            out["sqlite"] = bench(a.db or f"sqlite:///{d}/seed.db", findings=a.findings, accounts=a.accounts, days=a.days, runs=a.runs,
                                  group=a.group, report=a.report, seeded=a.db is not None)  # fmt: skip
        elif backend == "postgresql":
            schema = f"bench_ov_{uuid.uuid4().hex[:8]}"
            admin = create_engine(PG_URL)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            sep = "&" if "?" in PG_URL else "?"
            try:
                out["postgresql"] = bench(f"{PG_URL}{sep}options=-csearch_path%3D{schema}", findings=a.findings,
                                          accounts=a.accounts, days=a.days, runs=a.runs, group=a.group, report=a.report)  # fmt: skip
            finally:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    out["load_after"] = os.getloadavg()
    text_out = json.dumps(out, indent=2, default=str)
    print(text_out)
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "server_overview.json").write_text(text_out + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
