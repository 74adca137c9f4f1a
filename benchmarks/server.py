"""The server's findings on a 200,000-finding store: API and page latency (first and 1,000th page), bulk suppress, memory.

    python benchmarks/server.py --db sqlite:///benchmarks/out/server/seed.db [--runs 40]
    python benchmarks/server.py --db postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dmamori_bench_server

The store must be seeded first (``benchmarks/server_seed.py``: 200,000 findings over 1,000
accounts, 90 days of scores); ``--seed`` seeds it when it is empty. Then, against a real
``mamori serve`` started as a child process (uvicorn, one worker, schedules off), driven
over HTTP with httpx and an API token of an admin:

1. ``GET /api/v1/findings`` (50 a page), first page: no filter; ``severity=high``; one
   account; ``q=bucket``; ``owner=payments`` (a tag-owner, a CASE in SQL); ``overdue``.
2. The 1,000th page: cursors followed from page 1 (every page timed), then the 1,000th
   page's cursor requested ``--runs`` times: unfiltered and ``severity=medium``.
3. ``GET /findings`` (the HTML page) first page (it counts the matches too) and 1,000th page.
4. Bulk suppress of ~10,000 open findings (the accounts with the most, until 10,000) through
   ``POST /api/v1/findings/bulk/suppress``: one request, one audit entry, wall time.
5. Memory: VmHWM (peak RSS) and VmRSS of the server process from /proc after all that,
   and after 4 threads x 100 mixed requests.

Every latency is wall time of one request from this client (p50 / p95 over ``--runs``).
Targets (issue 14): findings API/page p95 <= 300 ms, the 1,000th page as fast as the
first, bulk suppress of 10,000 <= 5 s as one audited action.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from mamori.audit import log as audit
from mamori.findings import Store
from mamori.findings.tables import findings

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out" / "server"
MAMORI = str(Path(sys.executable).with_name("mamori"))
CONFIG = """\
owners:
  default: security
  tags:
    - {key: team}
sla: {critical: 7, high: 30, medium: 90, low: 180}
"""


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs)) - 1))]


def stats(xs: list[float]) -> dict[str, float]:
    ms = [x * 1000 for x in xs]
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 1), "p95_ms": round(pct(ms, 95), 1), "max_ms": round(max(ms), 1)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(url: str, cfg: Path, env: dict[str, str]) -> str:
    """An admin user and its API token in the store (through the CLI, as an operator would)."""
    name = f"bench-{os.getpid()}"
    subprocess.run([MAMORI, "users", "add", name, "--role", "admin", "--password-stdin", "--db", url, "--config", str(cfg)],
                   input="benchmark password 123\n", text=True, check=True, env=env, capture_output=True)  # fmt: skip
    out = subprocess.run([MAMORI, "tokens", "create", "--user", name, "--expires", "1d", "--db", url, "--config", str(cfg)],
                         text=True, check=True, env=env, capture_output=True).stdout  # fmt: skip
    return out.strip().splitlines()[-1]


def timed(client: httpx.Client, path: str, params: dict[str, Any] | None = None) -> tuple[float, httpx.Response]:
    t = time.perf_counter()
    r = client.get(path, params=params)
    dt = time.perf_counter() - t
    r.raise_for_status()
    return dt, r


def repeat(client: httpx.Client, path: str, params: dict[str, Any], runs: int) -> dict[str, float]:
    timed(client, path, params)  # warm
    return stats([timed(client, path, params)[0] for _ in range(runs)])


def follow(client: httpx.Client, params: dict[str, Any], pages: int) -> tuple[str | None, list[float], int]:
    """Follow cursors from page 1 to page ``pages``: the cursor of the last page reached, every page's time, pages reached."""
    cursor, times = None, []
    for i in range(1, pages + 1):
        dt, r = timed(client, "/api/v1/findings", {**params, **({"cursor": cursor} if cursor else {})})
        times.append(dt)
        if i == pages:
            return cursor, times, i
        nxt = r.json()["next_cursor"]
        if nxt is None:
            return cursor, times, i
        cursor = nxt
    return cursor, times, pages


def proc_mem(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmHWM", "VmRSS")):
            k, v = line.split(":", 1)
            out[k + "_MiB"] = round(int(v.strip().split()[0]) / 1024)
    return out


def accounts_for(url: str, want: int) -> tuple[list[str], int]:
    """The accounts with the most open findings, until their open findings reach ``want``."""
    store = Store.open(url)
    q = (select(findings.c.account, func.count()).where(findings.c.status.in_(["NEW", "NOTIFIED"]))
         .group_by(findings.c.account).order_by(func.count().desc()))  # fmt: skip
    picked, total = [], 0
    with store.engine.connect() as conn:
        for account, n in conn.execute(q):
            if total >= want:
                break
            if total + n > want * 1.05 and total:
                continue
            picked.append(account)
            total += n
    store.close()
    return picked, total


def run(url: str, runs: int, pages: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="mamori-bench-server-"))
    cfg = tmp / "mamori.yaml"
    cfg.write_text(CONFIG)
    env = {**os.environ, "MAMORI_SECRET_KEY": "benchmark-secret-key-0123456789", "MAMORI_ACTOR": "bench"}
    token = prepare(url, cfg, env)
    port = free_port()
    server = subprocess.Popen([MAMORI, "serve", "--db", url, "--config", str(cfg), "--port", str(port), "--no-schedules",
                               "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    out: dict[str, Any] = {"store": url.split("?")[0].split("://")[0], "pid": server.pid}
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline or server.poll() is not None:
                raise RuntimeError(f"mamori serve did not start: {server.stderr.read().decode() if server.stderr else ''}")
            time.sleep(0.2)
        out["startup_mem"] = proc_mem(server.pid)
        client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120)
        some_account = client.get("/api/v1/findings", params={"limit": 1}).json()["items"][0]["resource"]["account"]
        api: dict[str, Any] = {}
        for label, params in (
            ("first page, no filter", {}),
            ("first page, severity=high", {"severity": "high"}),
            ("first page, one account", {"account": some_account}),
            ("first page, q=bucket", {"q": "bucket"}),
            ("first page, owner=payments (tag owner)", {"owner": "payments"}),
            ("first page, overdue", {"overdue": "true"}),
            ("first page, status=all, severity=low, q=policy", {"status": "all", "severity": "low", "q": "policy"}),
        ):
            api[label] = repeat(client, "/api/v1/findings", {**params, "limit": 50}, runs)
        deep: dict[str, Any] = {}
        for label, params in (("no filter", {"limit": 50}), ("severity=medium", {"limit": 50, "severity": "medium"})):
            t = time.perf_counter()
            cursor, times, reached = follow(client, params, pages)
            walk_s = time.perf_counter() - t
            deep[label] = {
                "pages_followed": reached,
                "walk_s": round(walk_s, 1),
                "pages_1_10": stats(times[:10]),
                "last_10_pages": stats(times[-10:]),
                "all_pages": stats(times),
                f"page_{reached}_repeated": repeat(client, "/api/v1/findings", {**params, "cursor": cursor}, runs) if cursor else None,
                "page_1_repeated": repeat(client, "/api/v1/findings", params, runs),
            }
        html = {
            "first page (with the count)": repeat(client, "/findings", {}, runs),
            "first page, HTMX partial, severity=high": stats([timed(client, "/findings", {"severity": "high"})[0] for _ in range(runs)]),
        }
        cursor, _, reached = follow(client, {"limit": 50}, pages)
        html[f"page {reached} (cursor)"] = repeat(client, "/findings", {"cursor": cursor}, runs)
        out.update(api=api, deep=deep, html=html, after_reads_mem=proc_mem(server.pid))

        accts, expected = accounts_for(url, 10_000)
        store = Store.open(url)
        before = len(audit.entries(store.engine, action="suppression.bulk_add"))
        t = time.perf_counter()
        r = client.post("/api/v1/findings/bulk/suppress", json={"filter": {"account": accts}, "reason": "benchmark: accepted",
                                                                "approver": "ciso@example.com", "expires": "30d"})  # fmt: skip
        bulk_s = time.perf_counter() - t
        r.raise_for_status()
        entries = len(audit.entries(store.engine, action="suppression.bulk_add")) - before
        store.close()
        out["bulk_suppress"] = {"accounts": len(accts), "expected": expected, **r.json(), "seconds": round(bulk_s, 2),
                                "audit_entries_added": entries}  # fmt: skip
        out["bulk_first_page_after"] = repeat(client, "/api/v1/findings", {"limit": 50}, runs)

        errors: list[str] = []
        lat: list[float] = []
        lock = threading.Lock()

        def worker(k: int) -> None:
            c = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120)
            mix = [("/api/v1/findings", {"limit": 50}), ("/api/v1/findings", {"cursor": cursor}), ("/findings", {"severity": "high"}),
                   ("/api/v1/findings", {"q": "encrypt", "limit": 50})]  # fmt: skip
            for i in range(100):
                path, params = mix[(i + k) % len(mix)]
                try:
                    dt, _ = timed(c, path, params)
                    with lock:
                        lat.append(dt)
                except httpx.HTTPError as exc:
                    errors.append(str(exc))
            c.close()

        t = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        out["concurrent_4x100"] = {**stats(lat), "errors": len(errors), "req_per_s": round(len(lat) / (time.perf_counter() - t), 1)}
        out["final_mem"] = proc_mem(server.pid)
        client.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", required=True, help="a seeded store (benchmarks/server_seed.py)")
    p.add_argument("--seed", action="store_true", help="seed it first (200,000 findings, 1,000 accounts, 90 days)")
    p.add_argument("--runs", type=int, default=40)
    p.add_argument("--pages", type=int, default=1000)
    a = p.parse_args(argv)
    if a.seed:
        sys.path.insert(0, str(Path(__file__).parent))
        from server_seed import seed

        print(json.dumps(seed(a.db).__dict__, default=str), file=sys.stderr)
    res = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load_before": os.getloadavg()}}
    res.update(run(a.db, a.runs, a.pages))
    res["machine"]["load_after"] = os.getloadavg()  # type: ignore[index]
    OUT.mkdir(parents=True, exist_ok=True)
    name = "server-" + res["store"] + ".json"
    (OUT / name).write_text(json.dumps(res, indent=2))
    print(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
