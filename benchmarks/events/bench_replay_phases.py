"""Where `mamori events replay`'s CPU goes, phase by phase, over the 200,000-event archive of 48 files.

    python benchmarks/events/bench_replay_phases.py [--repeat 3]

Runs the replay's steps one after the other in this one process (no readers forked), each
timed in CPU seconds (user + sys, ``time.process_time``), the best of ``--repeat``:

* ``imports``: the modules ``events replay`` imports (measured in a fresh interpreter);
* ``load_detections``: reading and compiling the 84 built-in detections (fresh interpreter);
* ``read_gunzip``: reading and decompressing the files (ISA-L when installed);
* ``split_parse``: msgspec splitting each file into records and orjson checking that each
  parses (each record dropped at once);
* ``records``: the reader's pass over the records: orjson parsing each again as it comes, the
  record checks and generators (``read_file_raw`` minus the two above);
* ``triage``: the readers' routing of every record (what a reader process does per record);
* ``parent``: the parent's matching of what the readers kept (whole records, threshold counts).

The archive is the one `bench_replay_cli.py` builds (generated here when absent). The
readers' share of a parallel run is ``read_gunzip + split_parse + records + triage`` plus
sending the kept records; the parent's is ``imports + load_detections + parent``.
Writes benchmarks/out/events/replay_phases.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import make_cloudtrail


def _fresh(code: str) -> float:
    """CPU seconds of ``code`` run in a fresh interpreter (after its own start)."""
    prog = f"import time\nc = time.process_time()\n{code}\nprint(time.process_time() - c)"
    out = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def _best(fn: Any, repeat: int) -> tuple[float, Any]:
    best, res = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        c = time.process_time()
        res = fn()
        best = min(best, time.process_time() - c)
    return best, res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/events"))
    args = ap.parse_args()
    arch = args.out / f"archive-{args.events // 1000}k-48"
    if not arch.exists():
        c = make_cloudtrail.generate(args.events, 7, hours=12)
        make_cloudtrail.write_archive(c.records, arch, minutes=60)
    files = sorted(arch.rglob("*.json.gz"))

    imports = "import mamori.cli.main, mamori.cli.events, mamori.events.run, mamori.events.parallel, mamori.events.processor"
    phases: dict[str, float] = {"imports": min(_fresh(imports) for _ in range(args.repeat))}
    phases["load_detections"] = min(
        _fresh(
            f"{imports}\nfrom mamori.events import load_detections\nc = time.process_time()\nload_detections()"
        )
        for _ in range(args.repeat)
    )  # timed after its imports

    from mamori.events import load_detections
    from mamori.events.matcher import Matcher
    from mamori.events.parallel import scan
    from mamori.events.processor import Processor
    from mamori.events.reader import ReadStats, decompress, read_file_raw, split_records
    from mamori.events.run import replay

    ds = load_detections()
    gc.freeze()
    gc.disable()  # as the replay runs
    phases["read_gunzip"], texts = _best(lambda: [decompress(f.read_bytes()) for f in files], args.repeat)
    phases["split_parse"], _ = _best(lambda: [split_records(t) for t in texts], args.repeat)
    whole, recs = _best(lambda: [r for f in files for _, r, _ in read_file_raw(f, ReadStats())], args.repeat)
    phases["records"] = whole - phases["read_gunzip"] - phases["split_parse"]
    m = Matcher(ds)
    phases["triage"], _ = _best(lambda: [m.triage(r) for r in recs], args.repeat)

    import shutil
    import tempfile

    import orjson

    import mamori.events.parallel as par

    spool = tempfile.mkdtemp(prefix="mamori-bench-")
    par._JOB = (Matcher(ds), 256 * 1024 * 1024, spool)
    scanned, results = _best(lambda: [scan(str(f)) for f in files], 1)
    bodies = [Path(n).read_bytes() if n else b"" for _, n in results]  # the parent unlinks each spool file: kept for repeats
    phases["send_kept"] = max(
        0.0, scanned - (whole + phases["triage"])
    )  # the kept records' text and the head, per file

    def parent() -> float:
        proc = Processor(Matcher(ds), allow_act=False)
        for (_, n), body in zip(results, bodies, strict=True):
            if n:
                Path(n).write_bytes(body)
        it = iter(zip(files, results, strict=True))
        c = time.process_time()
        par.replay_scanned(it, ReadStats(), par.Counter(lambda: None, proc.flush, proc.skip, 50_000),
                           lambda r, s, w: proc.process(r, s), lambda *a: proc.process_counts(*a[:6]), 256 * 1024 * 1024)  # fmt: skip
        return time.process_time() - c

    phases["parent"] = min(parent() for _ in range(args.repeat))
    shutil.rmtree(spool, ignore_errors=True)
    gc.enable()
    one, _ = _best(lambda: replay([arch], Processor(Matcher(ds), allow_act=False), workers=1), 1)
    kept = sum(len(orjson.loads(h)[2]) for h, _ in results if h)  # ends: one per kept record
    result = {
        "archive": str(arch), "files": len(files), "detections_loaded": len(ds), "cpu_s": {k: round(v, 3) for k, v in phases.items()},
        "readers_total_cpu_s": round(sum(phases[k] for k in ("read_gunzip", "split_parse", "records", "triage", "send_kept")), 3),
        "parent_total_cpu_s": round(sum(phases[k] for k in ("imports", "load_detections", "parent")), 3),
        "records_kept": kept, "one_process_replay_cpu_s": round(one, 3),
        "load_avg": [round(x, 2) for x in os.getloadavg()], "zlib": zlib.ZLIB_VERSION,
    }  # fmt: skip
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "replay_phases.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
