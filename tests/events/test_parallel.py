"""Routing past the prefilters, and parallel replay: the same result as one process, record for record."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from mamori.events.loader import DetectionSet
from mamori.events.matcher import Matcher
from mamori.events.parallel import Counter
from mamori.events.processor import Processor
from mamori.events.route import Route
from mamori.events.run import replay
from mamori.events.store import EventStore
from mamori.events.tables import event_detections, event_responses
from mamori.findings import Store
from mamori.findings.tables import findings

from .conftest import Run
from .helpers import BASE_TIME, generator, record, role_session, user

INSTANCE = "i-0a1b2c3d4e5f60718"


def instance_session(session: str = INSTANCE, key: str = "ASIA-INSTANCE-1") -> dict[str, Any]:
    ident = role_session("app-backend", session)
    return {**ident, "accessKeyId": key}


def _ids(ds: Any) -> list[str]:
    return [d.id for d in ds]


def _pick(m: Matcher, rec: dict[str, Any]) -> Any:
    return m._route(rec).pick(rec)


# -- the route: wildcard detections reached through one lookup per field ------------------


def test_a_wildcard_detection_still_matches_through_the_route_and_a_near_miss_does_not(detections: DetectionSet) -> None:
    m = Matcher(detections)
    tool = record(userAgent="TruffleHog/3.63 (verify)", eventSource="sts.amazonaws.com", eventName="GetCallerIdentity")
    assert "attack_tool_user_agent" in {x.detection.id for x in m.match(tool)}
    near = record(userAgent="Boto3/1.34 md/Botocore#1.34 (Truffle Hog farm)", eventSource="sts.amazonaws.com", eventName="GetCallerIdentity")
    assert "attack_tool_user_agent" not in {x.detection.id for x in m.match(near)}
    assert m.triage(near) is False  # nothing can fire or count: a reader drops it


def test_an_equality_prefilter_routes_by_value(detections: DetectionSet) -> None:
    m = Matcher(detections)
    root = record(userIdentity={"type": "Root", "arn": "arn:aws:iam::123456789012:root", "accountId": "123456789012"},
                  eventSource="ec2.amazonaws.com", eventName="DescribeRegions")  # fmt: skip
    assert _ids(_pick(m, root)) == ["root_activity"] and [x.detection.id for x in m.match(root)] == ["root_activity"]
    assert m.triage(root) is True
    iam_user = record(eventSource="ec2.amazonaws.com", eventName="DescribeRegions")
    assert _pick(m, iam_user) == () and m.match(iam_user) == [] and m.triage(iam_user) is False
    # a value that cannot be looked up (a list) is tested directly, not cached: refused as the full check refuses it
    odd = record(userIdentity={"type": ["Root"]}, eventSource="ec2.amazonaws.com", eventName="DescribeRegions")
    assert "root_activity" not in _ids(_pick(m, odd)) and m.match(odd) == [] and m.triage(odd) is False
    assert _pick(m, root) == (detections.get("root_activity"),)  # the list did not poison the cache


def test_the_route_keeps_the_index_order_among_groups(detections: DetectionSet) -> None:
    cands = detections.candidates("ec2.amazonaws.com", "DescribeInstances")
    rec = record(
        eventSource="ec2.amazonaws.com", eventName="DescribeInstances", errorCode="AccessDenied",
        userAgent="pacu/1.0", userIdentity=instance_session(),
    )  # fmt: skip
    picked = Route(cands).pick(rec)
    assert picked is not None and list(picked) == [d for d in cands if d in picked]  # a sub-sequence of the index's order
    assert {"attack_tool_user_agent", "access_denied_burst", "discovery_burst", "ec2_instance_credentials_used_elsewhere"} <= set(
        _ids(picked)
    )


ODD = st.sampled_from([None, 7, True, 1.0, ["AccessDenied"], {"x": 1}, "", "Root"])
FIELDS = st.fixed_dictionaries({
    "errorCode": st.one_of(st.sampled_from([None, "AccessDenied", "Client.UnauthorizedOperation", "ThrottlingException"]), ODD),
    "userAgent": st.one_of(st.sampled_from(["aws-cli/2", "TruffleHog", "S3 Browser 10.9", "pacu", "kali linux"]), ODD, st.text(max_size=12)),
    "type": st.one_of(st.sampled_from(["IAMUser", "AssumedRole", "Root", "AWSService"]), ODD),
    "arn": st.one_of(st.sampled_from([f"arn:aws:sts::1:assumed-role/r/{INSTANCE}", "arn:aws:iam::1:user/a"]), ODD),
    "ip": st.one_of(st.sampled_from(["10.0.0.1", "203.0.113.9", "2001:db8::1", "AWS Internal", "172.20.1.1"]), ODD),
    "identity": st.sampled_from(["dict", "missing", "text", "list"]),
    "name": st.sampled_from(["ListBuckets", "DescribeInstances", "StopLogging", "ConsoleLogin", "GetSecretValue", "GetParameter",
                             "AuthorizeSecurityGroupIngress", "CreateAccessKey", "PutBucketPolicy", "RunInstances"]),
})  # fmt: skip
SOURCES = {"ListBuckets": "s3", "DescribeInstances": "ec2", "StopLogging": "cloudtrail", "ConsoleLogin": "signin", "GetParameter": "ssm",
           "AuthorizeSecurityGroupIngress": "ec2", "CreateAccessKey": "iam", "PutBucketPolicy": "s3", "RunInstances": "ec2"}  # fmt: skip


def _random_record(f: dict[str, Any]) -> dict[str, Any]:
    src = SOURCES.get(f["name"], "secretsmanager")
    ident: Any = {"dict": {"type": f["type"], "arn": f["arn"], "accountId": "1"}, "text": "x", "list": [f["type"]]}.get(f["identity"])
    rec = record(eventSource=f"{src}.amazonaws.com", eventName=f["name"], userAgent=f["userAgent"], sourceIPAddress=f["ip"],
                 userIdentity=ident)  # fmt: skip
    if f["identity"] == "missing":
        del rec["userIdentity"]
    if f["errorCode"] is not None:
        rec["errorCode"] = f["errorCode"]
    return rec


@settings(max_examples=400, deadline=None)
@given(fs=st.lists(FIELDS, min_size=1, max_size=6))
def test_the_compiled_route_selects_exactly_the_detections_whose_prefilters_all_hold(detections: DetectionSet, fs: list[dict[str, Any]]) -> None:
    m = Matcher(detections)  # one matcher for several records: the routes' value caches are shared between them
    for f in fs:
        rec = _random_record(f)
        cands = detections.candidates(rec["eventSource"], rec["eventName"])
        full = tuple(d for d in cands if m._passes(d, rec))  # the general path: every prefilter of every candidate
        assert _pick(m, rec) == full


# -- the counter of a parallel replay: commits and flushes after the same records ----------


def test_the_counter_ticks_and_flushes_after_the_same_records_as_one_process() -> None:
    seen: list[tuple[str, int]] = []
    c = Counter(lambda: seen.append(("tick", c.n)), lambda: seen.append(("flush", c.n)), lambda k: None, flush_every=2500)
    for k in (1, 999, 1000, 1001):
        c.advance(k - 1)
        c.after(k)
    c.advance(7600)  # skipped 1002..7600
    c.after(7601)
    c.finish()
    ticks = [n for what, n in seen if what == "tick"]
    flushes = [n for what, n in seen if what == "flush"]
    assert ticks == [1000, 2000, 3000, 4000, 5000, 6000, 7000] and flushes == [2500, 5000, 7500]
    assert seen.index(("flush", 5000)) == seen.index(("tick", 5000)) + 1  # tick, then flush, as one process does


# -- parallel replay equals one process ------------------------------------------------------


def _write(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(json.dumps({"Records": records}).encode()))


def _archive(tmp: Path) -> Path:
    """A generated corpus in many files, plus bursts and state that span files."""
    gen = generator()
    corpus = gen.generate(2500, seed=3)
    arch = tmp / "arch"
    gen.write_archive(corpus.records, arch, minutes=20)
    t = BASE_TIME
    inst = instance_session()
    recon = ["GetCallerIdentity", "ListBuckets", "ListRoles", "ListUsers", "DescribeInstances", "DescribeSnapshots", "DescribeTrails",
             "ListSecrets", "ListKeys"]  # fmt: skip
    recs = [record(t + timedelta(seconds=i), eventSource="iam.amazonaws.com", eventName=n, userIdentity=inst, sourceIPAddress="10.1.2.3")
            for i, n in enumerate(recon)]  # fmt: skip
    denied = [record(t + timedelta(seconds=30 + i), eventSource="s3.amazonaws.com", eventName="GetBucketPolicy", errorCode="AccessDenied",
                     userIdentity=user("mallory", key="AKIA-MALLORY")) for i in range(12)]  # fmt: skip
    secrets = [record(t + timedelta(seconds=60 + i), eventSource="secretsmanager.amazonaws.com", eventName="GetSecretValue",
                      requestParameters={"secretId": f"prod/db-{i}"}, userIdentity=user("bob", key="AKIA-BOB")) for i in range(11)]  # fmt: skip
    stolen = [record(t + timedelta(seconds=90 + i), eventSource="ec2.amazonaws.com", eventName="DescribeVolumes", userIdentity=inst,
                     sourceIPAddress=ip) for i, ip in enumerate(["54.12.34.56", "54.12.34.56", "185.220.101.34"])]  # fmt: skip
    # split across three files in three directories, so other files come between them
    _write(arch / "a-first" / "part1.json.gz", recs[:4] + denied[:6] + secrets[:5] + stolen[:1])
    _write(arch / "m-middle" / "part2.json.gz", recs[4:] + denied[6:] + secrets[5:8] + [recs[0]])  # recs[0] again: a duplicate
    _write(arch / "z-last" / "part3.json.gz", secrets[8:] + stolen[1:] + [{"eventID": "no-name"}] + [record(t, eventTime="not a time")])
    (arch / "z-last" / "broken.json.gz").write_bytes(b"\x1f\x8b not gzip")
    (arch / "z-last" / "lines.json").write_text(json.dumps(stolen[0]) + "\n{not json\n" + json.dumps(denied[0]) + "\n")
    return arch


def _run(arch: Path, workers: int, store: Store | None = None, flush_every: int = 50_000) -> dict[str, Any]:
    from mamori.events.loader import load_detections

    ds = load_detections()
    ledger = EventStore(store.engine) if store is not None else None
    proc = Processor(Matcher(ds), store=store, allow_act=False, **({"ledger": ledger} if ledger is not None else {}))
    rep = replay([arch], proc, workers=workers, flush_every=flush_every)
    return {
        "outcomes": [o.to_dict() for o in rep.outcomes],
        "stats": rep.stats.to_dict(),
        "counts": proc.counts.to_dict(),
        "matched": proc.matcher.events,
        "windows": sorted(orjson.dumps(w).decode() for w in proc.matcher.window_state()),
    }


def test_parallel_replay_gives_exactly_what_one_process_gives(tmp_path: Path) -> None:
    arch = _archive(tmp_path)
    one = _run(arch, 1)
    fired = {o["detection"] for o in one["outcomes"]}
    assert {"discovery_burst", "access_denied_burst", "secrets_retrieval_burst", "ec2_instance_credentials_used_elsewhere"} <= fired
    assert one["stats"]["malformed"] >= 3 and one["windows"]  # malformed items, and windows still open at the end
    for workers in (2, 3):
        assert _run(arch, workers) == one


@pytest.mark.parametrize("flush_every", [7, 50_000])
def test_parallel_replay_records_the_same_store_as_one_process(tmp_path: Path, flush_every: int) -> None:
    arch = _archive(tmp_path)
    out = []
    for workers in (1, 2):
        store = Store.open(f"sqlite:///{tmp_path}/w{workers}.db")
        res = _run(arch, workers, store, flush_every)
        with store.engine.connect() as conn:
            dets = [tuple(r) for r in conn.execute(
                select(event_detections.c.event_id, event_detections.c.detection_id, event_detections.c.offence,
                       event_detections.c.principal_arn, event_detections.c.related_events, event_detections.c.evidence)
                .order_by(event_detections.c.id))]  # fmt: skip
            resp = [tuple(r) for r in conn.execute(
                select(event_responses.c.event_id, event_responses.c.responder, event_responses.c.result, event_responses.c.plan)
                .order_by(event_responses.c.id))]  # fmt: skip
            fnd = [tuple(r) for r in conn.execute(
                select(findings.c.id, findings.c.rule_id, findings.c.first_seen, findings.c.last_seen, findings.c.evidence)
                .order_by(findings.c.id))]  # fmt: skip
        store.engine.dispose()
        out.append((res, dets, resp, fnd))
    assert out[0][1] and out[0][3]
    assert out[1] == out[0]


def test_the_cli_prints_the_same_with_two_reader_processes(mamori: Callable[..., Run], tmp_path: Path) -> None:
    arch = _archive(tmp_path)
    outs = []
    for workers in ("1", "2"):
        r = mamori("events", "replay", str(arch), "--no-store", "-o", "json", "--workers", workers)
        assert r.code == 2, r.err  # the archive has malformed items
        data = json.loads(r.out)
        data["summary"].pop("seconds")
        outs.append(data)
    assert outs[0]["detections"] and outs[1] == outs[0]


@settings(max_examples=300, deadline=None)
@given(f=FIELDS, decrypt=st.sampled_from([True, False, None, "yes"]), login=st.sampled_from(["Success", "Failure", None]))
def test_triage_through_the_compiled_route_equals_the_full_check(
    detections: DetectionSet, f: dict[str, Any], decrypt: Any, login: Any
) -> None:  # fmt: skip
    rec = _random_record(f)
    rec["requestParameters"] = {"withDecryption": decrypt, "name": "/p/1", "secretId": "s1", "instanceType": "p4d.24xlarge",
                                "ipPermissions": {"items": [{"ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}  # fmt: skip
    rec["responseElements"] = {"ConsoleLogin": login}
    m = Matcher(detections)
    general = m._triage_checked(rec, detections.candidates(rec["eventSource"], rec["eventName"]))
    assert m.triage(rec) == general


def test_which_paths_read_the_record_only() -> None:
    from mamori.events.loader import condition_paths, record_safe

    assert record_safe("requestParameters.ipPermissions.items[].ipRanges.items[].cidrIp") and record_safe("a.b || c")
    assert record_safe("requestParameters.principal")  # not the view's own top-level principal
    for path in ("principal.arn", '"principal".arn', "@", "*.arn", "$arn", "length(a)", "a[?b == `1`].c", ""):
        assert not record_safe(path), path
    assert sorted(condition_paths({"all": [{"path": "a", "eq": 1}, {"not": {"path": "b.c", "exists": True}}]}) or []) == ["a", "b.c"]
    assert condition_paths({"any": [{"path": "a", "eq": 1}, {"hook": "h"}]}) is None


def test_conditions_on_the_record_alone_are_marked_and_the_others_are_not(detections: DetectionSet) -> None:
    assert detections.get("ssm_parameters_decrypted_burst").when_record_only  # requestParameters.withDecryption
    assert detections.get("ec2_security_group_open_to_world").when_record_only  # JMESPath projections of the record
    assert not detections.get("ec2_unusual_instance_type").when_record_only  # a hook sees the whole view
    assert detections.get("discovery_burst").record_only and not detections.get("secrets_retrieval_burst").record_only  # by principal.arn


# -- spool files: the kept texts travel through private files, removed in every case ---------


def _spool_root(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import tempfile

    root = tmp / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))  # where readers() makes its spool directory
    return root


def test_the_spool_files_are_read_and_removed_after_a_replay_with_malformed_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mamori.events.parallel as par

    arch = _archive(tmp_path)  # with a broken gzip and a file of bad lines among the others
    one = _run(arch, 1)
    root = _spool_root(tmp_path, monkeypatch)
    mapped: list[str] = []
    real = par._mapped

    def spy(name: str) -> Any:
        mapped.append(name)
        assert not name or Path(name).parent.parent == root
        return real(name)

    monkeypatch.setattr(par, "_mapped", spy)
    assert _run(arch, 2) == one
    assert sum(1 for n in mapped if n) >= 3  # the kept records came through spool files
    assert not any(Path(n).exists() for n in mapped if n)
    assert list(root.iterdir()) == []  # the spool directory is gone too


def test_the_spool_directory_is_removed_when_a_reader_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mamori.events.parallel as par

    arch = _archive(tmp_path)
    root = _spool_root(tmp_path, monkeypatch)
    real = par.read_file_raw

    def failing(path: Path, *a: Any, **k: Any) -> Any:
        if path.name == "part3.json.gz":
            raise RuntimeError("reader crashed")
        return real(path, *a, **k)

    monkeypatch.setattr(par, "read_file_raw", failing)  # inherited by the forked readers
    with pytest.raises(RuntimeError, match="reader crashed"):
        _run(arch, 2)
    assert list(root.iterdir()) == []  # files scanned ahead but never consumed are removed with the directory


def test_a_spool_file_is_removed_when_the_parent_fails_on_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mamori.events.parallel as par

    arch = _archive(tmp_path)
    root = _spool_root(tmp_path, monkeypatch)

    def boom(*a: Any, **k: Any) -> None:
        raise KeyboardInterrupt  # as Ctrl-C in the middle of a file

    monkeypatch.setattr(par, "_replay_file", boom)
    with pytest.raises(KeyboardInterrupt):
        _run(arch, 2)
    assert list(root.iterdir()) == []


def test_the_spool_directory_is_removed_on_sigterm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import signal
    import time

    import mamori.events.parallel as par

    arch = _archive(tmp_path)
    root = _spool_root(tmp_path, monkeypatch)
    before = signal.getsignal(signal.SIGTERM)

    def killed(*a: Any, **k: Any) -> None:
        assert len(list(root.iterdir())) == 1  # the spool directory, while the replay runs
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler interrupts this

    monkeypatch.setattr(par, "_replay_file", killed)
    with pytest.raises(KeyboardInterrupt):
        _run(arch, 2)
    assert list(root.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) == before  # restored
