"""Optional live check of AWS key pairs: STS GetCallerIdentity (needs no permissions).

Off by default: it sends the key to the configured endpoint. The STS client comes from an
injected factory, so tests point it at moto and a real run at ``--endpoint-url``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from mamori.gate.secrets.model import SecretHit, Verification

StsFactory = Callable[[str, str], Any]
"""``factory(access_key_id, secret_access_key) -> boto3 STS client``."""

_REJECTED = {"InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException", "AccessDenied"}
KEY_ID = "aws-access-key-id"
SECRET = "aws-secret-access-key"


def sts_factory(endpoint_url: str | None = None, region: str = "us-east-1") -> StsFactory:
    def make(key_id: str, secret: str) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.session.Session().client(
            "sts",
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            region_name=region,
            endpoint_url=endpoint_url,
            config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=10),
        )

    return make


def check_pair(factory: StsFactory, key_id: str, secret: str) -> Verification:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        factory(key_id, secret).get_caller_identity()
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        return Verification.REJECTED if code in _REJECTED else Verification.UNKNOWN
    except BotoCoreError:
        return Verification.UNKNOWN
    return Verification.LIVE


def verify_aws(findings: Sequence[SecretHit], factory: StsFactory) -> list[SecretHit]:
    """Pair each access key id with the nearest secret key in the same file (and commit), check it."""
    groups: dict[tuple[str, str | None], list[int]] = {}
    for i, f in enumerate(findings):
        if f.detector in (KEY_ID, SECRET):
            groups.setdefault((f.file, f.commit.sha if f.commit else None), []).append(i)
    status: dict[int, Verification] = {}
    for idx in groups.values():
        ids = [i for i in idx if findings[i].detector == KEY_ID]
        secrets = [i for i in idx if findings[i].detector == SECRET]
        for i in ids:
            if not secrets:
                status[i] = Verification.UNKNOWN
                continue
            j = min(secrets, key=lambda j: abs(findings[j].line - findings[i].line))
            key_id = findings[i].secret.reveal().decode("ascii", "replace")
            secret = findings[j].secret.reveal().decode("ascii", "replace")
            result = check_pair(factory, key_id, secret)
            status[i] = result
            if status.get(j) is not Verification.LIVE:
                status[j] = result
    return [dataclasses.replace(f, verified=status[i]) if i in status else f for i, f in enumerate(findings)]
