"""Sessions, clients and the target of a scan: profile, role, endpoint, regions.

No client is built at import time; everything goes through a session factory that
tests (and other callers) may replace.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
import botocore.client
import botocore.hooks
import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound

from mamori.errors import CollectionError, ScopeError

SessionFactory = Callable[[], boto3.Session]
DEFAULT_HOME_REGION = "us-east-1"


@dataclass(frozen=True)
class AwsTarget:
    """Where to collect from. Everything optional: the default credential chain, all enabled regions."""

    profile: str | None = None
    role_arn: str | None = None
    external_id: str | None = None
    endpoint_url: str | None = None
    regions: tuple[str, ...] = ()
    home_region: str = DEFAULT_HOME_REGION
    max_attempts: int = 8
    workers: int = 16


_loader_lock = threading.Lock()
_loader: Any = None


def shared_loader() -> Any:
    """One botocore data loader per process: every session then parses each service model
    (EC2's alone is megabytes of JSON) once, not once per account (``--org``: hundreds)."""
    global _loader
    with _loader_lock:
        if _loader is None:
            _loader = botocore.session.get_session().get_component("data_loader")
        return _loader


def new_session(**kwargs: Any) -> boto3.Session:
    """A boto3 session sharing the process's data loader (credentials and config stay its own)
    and, with every other such session, its clients' classes, service models and aliased event
    names (:func:`_install_sharing`)."""
    core = botocore.session.get_session()
    core.register_component("data_loader", shared_loader())
    session = boto3.Session(botocore_session=core, **kwargs)
    if kwargs.get("profile_name"):
        core.get_scoped_config()  # raises ProfileNotFound now, as boto3.Session(profile_name=...) does
    emitter = core.get_component("event_emitter")
    classes, aliases = _install_sharing()
    if classes:
        _standard_emitters.add(emitter)
    if aliases:
        _mark_aliaser(emitter)
    return session


_standard_emitters: weakref.WeakSet[Any] = weakref.WeakSet()
"""The event emitters of the sessions :func:`new_session` made: the same handlers (botocore's and
boto3's built-in ones, registered by then; mamori registers its own on clients, never on a
session), so the same client class for a service."""
_client_classes: dict[tuple[int, str, str], type] = {}
_service_models: dict[tuple[int, str, str | None], Any] = {}
_alias_names: dict[str, str] = {}
"""Event name -> its aliased name under botocore's default aliases, for every emitter of a
:func:`new_session` session and of its clients."""
_installed: tuple[bool, bool] | None = None


def _install_sharing() -> tuple[bool, bool]:
    """Wrap botocore once per process, whichever thread comes first: (client classes and service
    models shared, aliased event names shared). Each part is False (nothing shared) when botocore
    no longer has what it wraps; sessions made elsewhere are always left to botocore."""
    global _installed
    if _installed is None:
        with _loader_lock:
            if _installed is None:
                _installed = (_wrap_client_creation(), _wrap_aliaser_copy())
    return _installed


def _per_process(original: Callable[..., Any], cache: dict[Any, Any], key: Callable[..., Any]) -> Callable[..., Any]:
    """``original`` (a ``ClientCreator`` method) made once per ``key`` for :func:`new_session`'s
    sessions, as botocore makes it for the others."""

    def shared(self: Any, *args: Any) -> Any:
        if self._event_emitter not in _standard_emitters:
            return original(self, *args)
        k = key(self, *args)
        made = cache.get(k)
        if made is None:
            made = cache[k] = original(self, *args)
        return made

    return shared


def _wrap_client_creation() -> bool:
    """Build each service's client class and model once per process for :func:`new_session`'s
    sessions.

    botocore builds a new class for every client: a method per operation of the service (EC2
    has ~600), then the ``creating-client-class`` handlers. That class depends only on the
    service model and those handlers, the same for all these sessions; building it was ~40 %
    of a client's creation, and a distributed scan's worker creates ~17 clients per shard, each
    for a new (account, Region). The same for the service model: botocore made one per client,
    and with it every operation model and shape the client touched (resolved anew for each
    client's first call of each operation, then for parsing each response); shared, they are
    resolved once per process. A model is read-only once made; the lazily filled caches inside
    it are idempotent, so threads may share it."""
    creator = botocore.client.ClientCreator
    make_class = getattr(creator, "_create_client_class", None)
    if make_class is None:
        return False
    creator._create_client_class = _per_process(
        make_class, _client_classes, lambda self, name, model: (id(self._loader), name, model.api_version)
    )
    load_model = getattr(creator, "_load_service_model", None)
    if load_model is not None:
        creator._load_service_model = _per_process(
            load_model, _service_models, lambda self, name, api_version=None: (id(self._loader), name, api_version)
        )
    return True


def _wrap_aliaser_copy() -> bool:
    """One cache of aliased event names per process for :func:`new_session`'s emitters.

    botocore's ``EventAliaser`` rewrites every event name it registers or emits (e.g.
    ``before-call.ec2.DescribeVolumes``) against ~40 aliases, and caches the result per emitter;
    but each client gets a copy of its session's emitter with an empty cache, so every client
    aliased every name again (~14 % of a shard's time under cProfile). The result depends only
    on the aliases, botocore's defaults for all these emitters, so one cache serves them all."""
    aliaser = getattr(botocore.hooks, "EventAliaser", None)
    original = getattr(aliaser, "__copy__", None)
    if aliaser is None or original is None or not isinstance(getattr(botocore.hooks, "EVENT_ALIASES", None), dict):
        return False

    def copy_keeping_shared_names(self: Any) -> Any:
        new = original(self)
        if getattr(self, "_alias_name_cache", None) is _alias_names:
            new._alias_name_cache = _alias_names  # a client's copy, same aliases (copied from its session's)
        return new

    aliaser.__copy__ = copy_keeping_shared_names
    return True


def _mark_aliaser(emitter: Any) -> None:
    """Give a session's emitter the shared cache, if it aliases with botocore's defaults."""
    if (isinstance(emitter, botocore.hooks.EventAliaser) and isinstance(getattr(emitter, "_alias_name_cache", None), dict)
            and getattr(emitter, "_event_aliases", None) == botocore.hooks.EVENT_ALIASES):  # fmt: skip
        emitter._alias_name_cache = _alias_names


def default_session_factory(target: AwsTarget) -> SessionFactory:
    """The session factory for a target: profile first, then an assumed role if asked."""

    def make() -> boto3.Session:
        return open_session(target)[0]

    return make


def open_session(target: AwsTarget, base: boto3.Session | None = None) -> tuple[boto3.Session, float | None]:
    """A session for ``target`` and when its credentials expire (epoch seconds; None: the
    credential chain refreshes them itself). ``base``: the profile's session, when already open."""
    if base is None:
        try:
            base = new_session(profile_name=target.profile, region_name=target.home_region)
        except ProfileNotFound as exc:
            raise ScopeError(f"unknown AWS profile {target.profile!r}: {exc}") from exc
    if not target.role_arn:
        return base, None
    sts = base.client("sts", endpoint_url=target.endpoint_url, region_name=target.home_region)
    kwargs: dict[str, Any] = {"RoleArn": target.role_arn, "RoleSessionName": "mamori-scan"}
    if target.external_id:
        kwargs["ExternalId"] = target.external_id
    try:
        creds = sts.assume_role(**kwargs)["Credentials"]
    except (ClientError, BotoCoreError) as exc:
        raise CollectionError(f"cannot assume role {target.role_arn}: {exc}") from exc
    session = new_session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=target.home_region,
    )
    expiry = creds.get("Expiration")
    return session, expiry.timestamp() if isinstance(expiry, datetime) else None


class SessionCache:
    """Sessions kept across collections in one process: a fleet worker runs shard after shard of
    the same accounts, and each new session cost ~11 ms of CPU, an STS client and an sts:AssumeRole.

    One session per (profile, role, external id, endpoint, home region); an assumed role's session
    is replaced once its credentials have less than ``fresh_for`` seconds left (longer than a shard
    may run, so credentials never expire mid-shard). At most ``size`` sessions (least recently
    used dropped first). Thread-safe; the handlers a collection needs go on its clients
    (:meth:`ClientFactory.on`), never on the shared session.
    """

    def __init__(self, *, fresh_for: float = 1800.0, size: int = 512, clock: Callable[[], float] = time.time,
                 opener: Callable[[AwsTarget, boto3.Session | None], tuple[boto3.Session, float | None]] = open_session) -> None:  # fmt: skip
        self.fresh_for, self.size, self._clock, self._open = fresh_for, size, clock, opener
        self._lock = threading.Lock()
        self._sessions: OrderedDict[tuple[Any, ...], tuple[boto3.Session, float | None]] = OrderedDict()
        self._bases: dict[tuple[str | None, str], boto3.Session] = {}
        self.opened = 0

    def factory(self, target: AwsTarget) -> SessionFactory:
        return lambda: self.get(target)

    def get(self, target: AwsTarget) -> boto3.Session:
        key = (target.profile, target.role_arn, target.external_id, target.endpoint_url, target.home_region)
        with self._lock:
            hit = self._sessions.get(key)
            if hit is not None and (hit[1] is None or hit[1] - self._clock() > self.fresh_for):
                self._sessions.move_to_end(key)
                return hit[0]
            base = self._bases.get((target.profile, target.home_region)) if target.role_arn else None
        if target.role_arn and base is None:  # every role is assumed from one base session of the profile
            base = self.get(AwsTarget(profile=target.profile, endpoint_url=target.endpoint_url, home_region=target.home_region))
        session, expiry = self._open(target, base)
        with self._lock:
            if not target.role_arn:
                self._bases[(target.profile, target.home_region)] = session
            self._sessions[key] = (session, expiry)
            self._sessions.move_to_end(key)
            while len(self._sessions) > self.size:
                self._sessions.popitem(last=False)
            self.opened += 1
        return session


_session_locks: weakref.WeakKeyDictionary[Any, threading.Lock] = weakref.WeakKeyDictionary()
_session_locks_lock = threading.Lock()


def session_lock(session: boto3.Session) -> threading.Lock:
    """One lock per session: clients of a session shared by several collections are created one at a time."""
    with _session_locks_lock:
        lock = _session_locks.get(session)
        if lock is None:
            lock = _session_locks[session] = threading.Lock()
        return lock


class ApiCounter:
    """Counts every API call made through a session (a botocore ``before-call`` hook)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()

    def __call__(self, model: Any = None, **_: Any) -> None:
        name = f"{model.service_model.service_name}.{model.name}" if model is not None else "?"
        with self._lock:
            self.calls[name] += 1

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    def mutating(self) -> list[str]:
        """Calls whose operation name does not read (for safety assertions)."""
        reads = ("Describe", "Get", "List", "Generate", "Lookup", "Head", "Select", "Search", "BatchGet")
        return [c for c in self.calls if not c.split(".", 1)[1].startswith(reads)]


@dataclass
class ClientFactory:
    """Thread-safe, cached clients for one session, with adaptive retries and the endpoint.

    Its handlers (the API counter, :meth:`on`) go on the clients it creates, not on the
    session: a session may outlive the factory (:class:`SessionCache`) and serve the next one.
    """

    session: boto3.Session
    target: AwsTarget
    counter: ApiCounter = field(default_factory=ApiCounter)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)
    _handlers: list[tuple[str, Callable[..., Any]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._handlers.append(("before-call", self.counter))

    def on(self, event: str, handler: Callable[..., Any]) -> None:
        """Register a botocore handler on every client of this factory (those made and to come)."""
        with self._lock:
            self._handlers.append((event, handler))
            for c in self._clients.values():
                c.meta.events.register(event, handler)

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:
            c = self._clients.get(key)
            if c is None:
                cfg = Config(
                    retries={"mode": "adaptive", "max_attempts": self.target.max_attempts},
                    max_pool_connections=max(10, self.target.workers),
                    connect_timeout=10,
                    read_timeout=60,
                    # S3 Control puts the account id into the host name; against an
                    # emulator endpoint that host does not exist, so keep the host as given.
                    inject_host_prefix=self.target.endpoint_url is None,
                )
                with session_lock(self.session):
                    c = self.session.client(service, region_name=region, endpoint_url=self.target.endpoint_url, config=cfg)
                for event, handler in self._handlers:
                    c.meta.events.register(event, handler)
                if service == "s3control" and self.target.endpoint_url:
                    keep_endpoint_host(c, self.target.endpoint_url)
                self._clients[key] = c
            return c


def keep_endpoint_host(client: Any, endpoint: str) -> Any:
    """Make an S3 Control client send to ``endpoint`` itself, not ``<account-id>.<endpoint host>``.

    botocore's endpoint rules prefix the account id for every S3 Control operation that
    takes one (``inject_host_prefix=False`` does not stop them); real AWS resolves that
    name, an emulator on 127.0.0.1 does not. Prowler and Cloud Custodian fail here.
    Returns the client (idempotent: the hook is registered once per client).
    """
    host = urlsplit(endpoint).netloc

    def handler(params: dict[str, Any], **_: Any) -> None:
        url = urlsplit(str(params.get("url", "")))
        if url.netloc != host and url.netloc.endswith("." + host):
            params["url"] = urlunsplit(url._replace(netloc=host))

    client.meta.events.register("before-call.s3-control.*", handler, unique_id="mamori-s3control-endpoint-host")
    return client


def caller_account(factory: ClientFactory) -> str:
    try:
        ident = factory.client("sts", factory.target.home_region).get_caller_identity()
    except NoCredentialsError as exc:
        raise CollectionError(
            "no AWS credentials found: pass --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID, "
            "or try `mamori demo` for an emulated estate"
        ) from exc
    except (ClientError, BotoCoreError) as exc:
        raise CollectionError(f"cannot identify the AWS account (sts:GetCallerIdentity): {exc}") from exc
    return str(ident["Account"])


def enabled_regions(factory: ClientFactory) -> list[str]:
    """The regions enabled for the account (opted-in or not requiring opt-in)."""
    try:
        resp = factory.client("ec2", factory.target.home_region).describe_regions(AllRegions=False)
    except (ClientError, BotoCoreError) as exc:
        raise CollectionError(f"cannot list the account's regions (ec2:DescribeRegions): {exc}") from exc
    return sorted(
        r["RegionName"] for r in resp.get("Regions", []) if r.get("OptInStatus", "opt-in-not-required") != "not-opted-in"
    )


_known_regions: frozenset[str] | None = None


def validate_regions(session: boto3.Session, regions: tuple[str, ...], endpoint_url: str | None) -> None:
    """Refuse a region name AWS does not know, with an emulator endpoint too (moto and LocalStack
    know AWS's regions only; an unknown one failed deep in botocore with an HTML error page).

    The regions AWS knows come from botocore's endpoint data, the same for every session: read
    once per process (each shard of a distributed scan validates its target's regions)."""
    global _known_regions
    known = _known_regions
    if known is None:
        known = _known_regions = frozenset(session.get_available_regions("ec2")) | frozenset(
            session.get_available_regions("ec2", partition_name="aws-us-gov")
        ) | frozenset(session.get_available_regions("ec2", partition_name="aws-cn"))
    unknown = [r for r in regions if r not in known]
    if unknown:
        raise ScopeError(f"unknown region(s): {', '.join(unknown)} (e.g. us-east-1, eu-west-1, ap-northeast-1)")
