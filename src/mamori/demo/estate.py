"""Start an emulated AWS (moto's server) and seed it with a small company's estate."""

from __future__ import annotations

import importlib
import logging
import os
import pkgutil
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3

from mamori.collect.aws.session import new_session
from mamori.demo import seeds
from mamori.errors import InputError
from mamori.registry import Registry

DEMO_REGIONS = ("ap-northeast-1", "us-east-1")
DEMO_ACCOUNT = "123456789012"  # moto's default account: "prod", where mamori's credentials live
DEV_ACCOUNT = "210987654321"  # a second account, reached by assuming a role (as mamori does)
DEMO_ROLE = "mamori-demo-scanner"
DEMO_ACCOUNTS = {"prod": DEMO_ACCOUNT, "dev": DEV_ACCOUNT}
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


# moto's identifiers (sg-..., key ids, detector ids) come from one random generator; seeded, every
# run of the demo creates the same estate, so a re-run into the same store changes no finding ids.
ESTATE_SEED = 20261201
NEXT_DAY_SEED = 20261202
INSTALL_HINT = "pip install 'mamori[demo]'"


class EmulatorMissing(InputError):
    """moto (the `demo` extra) is not installed."""


def require_emulator() -> None:
    """Raise :class:`EmulatorMissing` unless moto's server can be imported (it is an extra)."""
    try:
        import moto.server  # noqa: F401
    except ImportError as exc:
        raise EmulatorMissing(f"the demo needs AWS emulation (moto), which is not installed: {INSTALL_HINT}") from exc


def seed_ids(seed: int) -> None:
    """Make moto's generated identifiers deterministic from here on (moto runs in this process)."""
    from moto.moto_api._internal import mock_random

    mock_random.seed(seed)


def fresh_emulator(seed: int) -> None:
    """Forget any earlier estate in this process's moto (its state outlives one server) and seed its ids."""
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()
    seed_ids(seed)


def role_arn(account: str) -> str:
    return f"arn:aws:iam::{account}:role/{DEMO_ROLE}"


def role_args() -> str:
    """``--role-arn`` for every demo account: a role ARN replaces the caller's own account, so
    commands that should reach both prod and dev name both (as a real organisation would)."""
    return " ".join(f"--role-arn {role_arn(a)}" for a in DEMO_ACCOUNTS.values())


def assume(session: boto3.Session, account: str, endpoint_url: str | None) -> boto3.Session:
    """A session in another (emulated) account, through sts:AssumeRole like a real org."""
    sts = session.client("sts", region_name="us-east-1", endpoint_url=endpoint_url)
    creds = sts.assume_role(RoleArn=role_arn(account), RoleSessionName="mamori-demo")["Credentials"]
    return new_session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )


@dataclass
class SeedEnv:
    """What a seeder gets: clients against the emulator, the regions, and shared names.

    The estate has two accounts: ``prod`` (the default) and ``dev``; account-wide settings
    (root MFA, password policy, S3 account public access block) are compliant in one and
    not in the other, so every rule has both outcomes somewhere.
    """

    session: boto3.Session
    endpoint_url: str | None
    regions: tuple[str, ...] = DEMO_REGIONS
    account: str = DEMO_ACCOUNT
    shared: dict[str, Any] = field(default_factory=dict)
    _sessions: dict[str, boto3.Session] = field(default_factory=dict)
    _clients: dict[tuple[str, str, str], Any] = field(default_factory=dict)

    def session_for(self, account: str = "prod") -> boto3.Session:
        if account == "prod":
            return self.session
        if account not in self._sessions:
            self._sessions[account] = assume(self.session, DEMO_ACCOUNTS[account], self.endpoint_url)
        return self._sessions[account]

    def client(self, service: str, region: str | None = None, account: str = "prod") -> Any:
        """One client per service, region and account for the whole seeding (a client costs ~0.05 s CPU)."""
        key = (service, region or self.regions[0], account)
        if key not in self._clients:
            sess: Any = self.session_for(account)
            self._clients[key] = sess.client(service, region_name=key[1], endpoint_url=self.endpoint_url)
        return self._clients[key]


Seeder = Callable[[SeedEnv], None]
SEEDERS: Registry[Seeder] = Registry("demo seeder")
ORDER: dict[str, int] = {}


def seeder(name: str, order: int = 50) -> Callable[[Seeder], Seeder]:
    """Register a seeder; lower ``order`` runs first (e.g. buckets before the trails using them)."""

    def deco(fn: Seeder) -> Seeder:
        ORDER[name] = order
        return SEEDERS.add(name, fn)

    return deco


def load_seeders() -> None:
    for mod in pkgutil.iter_modules(seeds.__path__):
        importlib.import_module(f"{seeds.__name__}.{mod.name}")


def seed_estate(env: SeedEnv) -> list[str]:
    load_seeders()
    names = sorted(SEEDERS, key=lambda n: (ORDER.get(n, 50), n))
    for n in names:
        SEEDERS.get(n)(env)
    return names


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def fake_credentials() -> Iterator[None]:
    """Point boto3 at fake credentials for the duration (the emulator accepts anything)."""
    saved = {k: os.environ.get(k) for k in (*FAKE_CREDENTIALS, "AWS_PROFILE", "AWS_DEFAULT_PROFILE")}
    try:
        os.environ.update(FAKE_CREDENTIALS)
        os.environ.pop("AWS_PROFILE", None)
        os.environ.pop("AWS_DEFAULT_PROFILE", None)
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextmanager
def moto_server(port: int | None = None) -> Iterator[str]:
    """Run moto's server in this process (a thread) and yield its endpoint URL."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per API call otherwise
    port = port or free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
