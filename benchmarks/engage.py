"""Security engagements at scale: 1,000 engagements evaluated, recorded and verified.

    python benchmarks/engage.py [--engagements 1000] [--seed 18] [--db URL] [--json] [--evaluate-only]

Generates N different answer sets over the built-in bank (seeded: the same inputs every
run; every question gets a random valid answer, skip logic drops the follow-ups that are
not asked), then times, each phase separately (wall clock and this process's CPU):

1. evaluate  — check every answer set against the bank (types, choices, skip logic) and pick
               the task templates whose JMESPath conditions hold: the pure step
               (target, issue 18: 1,000 engagements in < 2 s)
2. record    — `engage.service.answer` for each app into a fresh store (SQLite in a temp
               directory unless --db), one transaction per engagement, with its audit entry
3. re-answer — every app answers again with one answer changed (tasks become
               not_applicable / apply again)
4. verify    — `engage.verify.after_scan` after a scan of 10 tagged resources per app (RDS
               instances and S3 buckets, some failing) with their rules' results
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from mamori.engage.content import Content, QuestionType, builtin_content
from mamori.engage.evaluate import applicable, check_answers
from mamori.engage.service import AnswerRequest, answer
from mamori.engage.verify import after_scan
from mamori.findings import Store
from mamori.model.finding import Result, ResultStatus, Severity
from mamori.model.resource import Inventory, Resource


def random_answers(content: Content, rnd: random.Random) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for q in content.questions:
        if q.type is QuestionType.BOOL:
            out[q.id] = rnd.random() < 0.5
        elif q.type is QuestionType.CHOICE:
            out[q.id] = rnd.choice(q.choices)
        elif q.type is QuestionType.MULTI:
            out[q.id] = [c for c in q.choices if rnd.random() < 0.35]
        else:
            out[q.id] = f"#team-{rnd.randrange(1000)}"
    return out


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    c0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    out = fn()
    t1, c1 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    return out, t1 - t0, (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engagements", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--db", default=None, help="a store URL (default: SQLite in a temporary directory)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--evaluate-only", action="store_true", help="only phase 1 (the target figure), e.g. to repeat it quickly")
    args = ap.parse_args()
    n = args.engagements
    content = builtin_content()
    rnd = random.Random(args.seed)
    sets = [random_answers(content, rnd) for _ in range(n)]
    figures: dict[str, Any] = {"engagements": n, "questions": len(content.questions), "templates": len(content.tasks),
                               "load_1min": os.getloadavg()[0]}  # fmt: skip

    def evaluate() -> int:
        return sum(len(applicable(content, check_answers(content, s).values)) for s in sets)

    tasks, wall, cpu = timed(evaluate)
    figures["evaluate"] = {
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "tasks": tasks,
        "target_s": 2.0,
        "ok": wall < 2.0,
    }

    if args.evaluate_only:
        print(json.dumps(figures, indent=2) if args.json else f"evaluate: {figures['evaluate']} (load {figures['load_1min']:.1f})")
        return
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(args.db or f"sqlite:///{tmp}/engage.db")
        now = datetime.now(UTC)

        def record(sets_: list[dict[str, Any]]) -> int:
            total = 0
            for i, s in enumerate(sets_):
                total += len(
                    answer(
                        store.engine,
                        content,
                        AnswerRequest(f"app-{i:04d}", f"team-{i % 40:02d}", s),
                        actor="bench",
                        now=now,
                    ).tasks
                )
            return total

        stored, wall, cpu = timed(lambda: record(sets))
        figures["record"] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "tasks": stored}
        changed = [
            {**s, "internet_exposure": rnd.choice(content.question("internet_exposure").choices)}
            for s in sets
        ]
        _, wall, cpu = timed(lambda: record(changed))
        figures["re_answer"] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3)}

        acct = "123456789012"
        res: list[Resource] = []
        results: list[Result] = []
        for i in range(n):
            for j in range(5):
                db = Resource(
                    "aws",
                    acct,
                    "eu-west-1",
                    "aws.rds.db_instance",
                    f"db-{i}-{j}",
                    tags={"app": f"app-{i:04d}"},
                )
                b = Resource(
                    "aws", acct, "eu-west-1", "aws.s3.bucket", f"b-{i}-{j}", tags={"app": f"app-{i:04d}"}
                )
                res += [db, b]
                bad = rnd.random() < 0.2
                results += [Result.of("rds_instance_public", Severity.HIGH, db, ResultStatus.FAIL if bad else ResultStatus.PASS),
                            Result.of("rds_instance_storage_unencrypted", Severity.HIGH, db, ResultStatus.PASS),
                            Result.of("s3_bucket_public_access_block_off", Severity.HIGH, b, ResultStatus.PASS)]  # fmt: skip
        inv = Inventory(res, collected_at=now)
        rules = {
            "rds_instance_public",
            "rds_instance_storage_unencrypted",
            "s3_bucket_public_access_block_off",
        }
        rep, wall, cpu = timed(lambda: after_scan(store, None, inv, results, rules, now=now))
        figures["verify"] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "resources": len(res), "results": len(results),
                             "verified": len(rep.verified), "contradiction_findings": rep.contradictions.get("inserted", 0)}  # fmt: skip
        store.close()
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(
        f"{n} engagements, {figures['questions']} questions, {figures['templates']} templates, load {figures['load_1min']:.1f}"
    )
    for k in ("evaluate", "record", "re_answer", "verify"):
        f = figures[k]
        extra = ", ".join(f"{x} {f[x]}" for x in f if x not in ("wall_s", "cpu_s"))
        print(f"  {k:<10} {f['wall_s']:>7.3f} s wall  {f['cpu_s']:>7.3f} s CPU  {extra}")


if __name__ == "__main__":
    main()
