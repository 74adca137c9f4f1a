"""Sessions kept across collections (a fleet worker's shards): one sts:AssumeRole per role until its
credentials near expiry, and every collection counts and hooks only its own calls."""

from __future__ import annotations

from typing import Any

import boto3

from mamori.collect.aws.runner import collect_aws
from mamori.collect.aws.session import AwsTarget, SessionCache
from mamori.model.resources.s3 import BUCKET

from .isolated import isolated_aws

REGION = "us-east-1"


class _Opener:
    def __init__(self, expiry: float | None) -> None:
        self.expiry = expiry
        self.opened: list[tuple[str | None, Any]] = []

    def __call__(self, target: AwsTarget, base: boto3.Session | None) -> tuple[boto3.Session, float | None]:
        self.opened.append((target.role_arn, base))
        s = boto3.Session(aws_access_key_id="k", aws_secret_access_key="s", region_name=REGION)
        return s, None if target.role_arn is None else self.expiry


def test_a_role_is_assumed_once_until_its_credentials_near_expiry() -> None:
    now = [1000.0]
    opener = _Opener(expiry=1000.0 + 3600)
    cache = SessionCache(fresh_for=1800, clock=lambda: now[0], opener=opener)
    a, b = AwsTarget(role_arn="arn:aws:iam::111111111111:role/r"), AwsTarget(role_arn="arn:aws:iam::222222222222:role/r")
    first = cache.get(a)
    assert cache.get(a) is first and cache.factory(a)() is first
    assert cache.get(b) is not first
    assert [o[0] for o in opener.opened] == [None, a.role_arn, b.role_arn]  # the base session, then each role from it
    assert opener.opened[2][1] is opener.opened[1][1]
    now[0] += 1799  # 1,801 s left: still fresh (a shard runs at most 25 min)
    assert cache.get(a) is first
    now[0] += 2  # 1,799 s left: assumed again
    assert cache.get(a) is not first and len(opener.opened) == 4
    # another external id or endpoint is another session
    assert cache.get(AwsTarget(role_arn=a.role_arn, external_id="x")) is not cache.get(a)


def test_the_profile_session_is_the_base_of_the_roles_and_the_cache_is_bounded() -> None:
    opener = _Opener(expiry=None)
    cache = SessionCache(size=2, opener=opener)
    own = cache.get(AwsTarget())
    cache.get(AwsTarget(role_arn="arn:aws:iam::111111111111:role/r"))
    assert opener.opened[1] == ("arn:aws:iam::111111111111:role/r", own)  # assumed from the cached base
    cache.get(AwsTarget(role_arn="arn:aws:iam::222222222222:role/r"))  # evicts the least recently used
    assert cache.get(AwsTarget(role_arn="arn:aws:iam::222222222222:role/r")) is not None
    assert len(opener.opened) == 3
    cache.get(AwsTarget())  # the base was evicted as a session of its own: opened again
    assert len(opener.opened) == 4


def test_collections_sharing_a_session_count_and_hook_only_their_own_calls() -> None:
    with isolated_aws():
        boto3.client("s3", region_name=REGION).create_bucket(Bucket="one")
        cache = SessionCache()
        target = AwsTarget(regions=(REGION,), workers=2)
        seen: list[list[str]] = [[], []]

        def hook(i: int) -> Any:
            def install(factory: Any) -> None:
                factory.on("before-call", lambda model=None, **_: seen[i].append(model.name))

            return install

        runs = [
            collect_aws(target, session_factory=cache.factory(target), services_=("s3",), hooks=hook(i))
            for i in range(2)
        ]
        assert cache.opened == 1
        first, second = (dict(r.calls.calls) for r in runs)
        assert first == second and sum(first.values()) > 0  # not doubled by the first run's counter
        assert sorted(seen[0]) == sorted(seen[1]) and len(seen[1]) == sum(second.values())
        assert {r.inventory.of_type(BUCKET)[0].id for r in runs} == {"one"}


def test_sessions_share_each_services_client_class_and_each_client_keeps_its_own_credentials() -> None:
    from mamori.collect.aws.session import new_session

    with isolated_aws():
        a = new_session(aws_access_key_id="AKIAAAAAAAAAAAAAAAAA", aws_secret_access_key="a", region_name=REGION)
        b = new_session(aws_access_key_id="AKIABBBBBBBBBBBBBBBB", aws_secret_access_key="b", region_name=REGION)
        ca, cb = a.client("s3", region_name=REGION), b.client("s3", region_name="eu-west-1")
        assert type(ca) is type(cb), "one class per service for new_session's sessions"
        assert type(a.client("sqs", region_name=REGION)) is not type(ca)
        assert ca.meta.region_name == REGION and cb.meta.region_name == "eu-west-1"
        assert ca._request_signer._credentials.access_key == "AKIAAAAAAAAAAAAAAAAA"
        assert cb._request_signer._credentials.access_key == "AKIABBBBBBBBBBBBBBBB"
        assert hasattr(ca, "upload_file"), "boto3's injected S3 methods are on the shared class"
        ca.create_bucket(Bucket="shared-class")
        assert [x["Name"] for x in ca.list_buckets()["Buckets"]] == ["shared-class"]
        other = boto3.Session(aws_access_key_id="k", aws_secret_access_key="s", region_name=REGION).client("s3")
        assert type(other) is not type(ca), "a session made elsewhere builds its own classes"


def test_sessions_share_service_models_and_aliased_event_names_but_not_handlers() -> None:
    from mamori.collect.aws import session as sess

    with isolated_aws():
        a = sess.new_session(aws_access_key_id="AKIAAAAAAAAAAAAAAAAA", aws_secret_access_key="a", region_name=REGION)
        b = sess.new_session(aws_access_key_id="AKIABBBBBBBBBBBBBBBB", aws_secret_access_key="b", region_name=REGION)
        ca, cb = a.client("sqs", region_name=REGION), b.client("sqs", region_name="eu-west-1")
        assert ca.meta.service_model is cb.meta.service_model, "one service model per service for new_session's sessions"
        assert ca.meta.service_model.operation_model("ListQueues") is cb.meta.service_model.operation_model("ListQueues")
        assert ca.meta.events._alias_name_cache is cb.meta.events._alias_name_cache is sess._alias_names
        # botocore's aliases still apply through the shared cache (the alias maps an old
        # service name onto its new one, for every emitter that uses the cache)
        assert ca.meta.events._alias_event_name("before-call.apigateway.GetRestApis") == "before-call.api-gateway.GetRestApis"
        seen: list[str] = []
        ca.meta.events.register("before-call.sqs.ListQueues", lambda **kw: seen.append("a"))
        ca.list_queues()
        cb.list_queues()
        assert seen == ["a"], "a handler registered on one client does not reach another client"
        ca.create_queue(QueueName="shared-model")
        assert [u.rsplit("/", 1)[1] for u in ca.list_queues()["QueueUrls"]] == ["shared-model"]
        assert "QueueUrls" not in cb.list_queues(), "each client keeps its own Region"
        other = boto3.Session(aws_access_key_id="k", aws_secret_access_key="s", region_name=REGION).client("sqs")
        assert other.meta.service_model is not ca.meta.service_model, "a session made elsewhere builds its own model"
        assert other.meta.events._alias_name_cache is not sess._alias_names
