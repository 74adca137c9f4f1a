"""Run every benchmark in turn (`make bench`); each prints its own figures.

Long: the 10M-event log store and the 10,000-commit repository are generated on the
way. Pass names to run only some: `python benchmarks/run_all.py engine scan secrets`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUITES: dict[str, list[list[str]]] = {
    "engine": [["engine_throughput.py"]],
    "scan": [["scan_moto_server.py"]],
    "secrets": [["secrets/run.py"]],
    "deps": [["deps/run.py"]],
    "events": [["events/bench_replay.py"], ["events/bench_logs_query.py"], ["events/bench_watch.py"]],
    "hub": [["hub/ingest.py"], ["hub/digest.py"]],
    "remediate": [["remediate/run.py"]],
    "standards": [["standards/run.py"]],
    "startup": [["startup.py"]],
    "rule_library": [["rule_library/demo_cost.py"]],
}


def main(argv: list[str]) -> int:
    names = argv or list(SUITES)
    unknown = [n for n in names if n not in SUITES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)} (known: {', '.join(SUITES)})", file=sys.stderr)
        return 2
    failed = []
    for name in names:
        for cmd in SUITES[name]:
            t0 = time.perf_counter()
            print(f"== {name}: {' '.join(cmd)}", flush=True)
            rc = subprocess.call([sys.executable, str(HERE / cmd[0]), *cmd[1:]])
            print(f"== {name}: exit {rc} in {time.perf_counter() - t0:.0f}s", flush=True)
            if rc:
                failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
