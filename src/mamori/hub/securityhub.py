"""Send findings to AWS Security Hub with BatchImportFindings: batches of at most 100, retries, a report.

The client is injected (``ClientFactory.client("securityhub", region)`` in the CLI; moto
in tests). A finding that Security Hub rejects (``FailedFindings``) or a batch whose call
fails with a retryable error is retried up to ``attempts`` times with exponential backoff;
what still fails is reported per finding, never dropped silently.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from mamori.errors import MamoriError

BATCH = 100
RETRYABLE = {"ThrottlingException", "TooManyRequestsException", "InternalException", "ServiceUnavailable", "LimitExceededException"}


class HubError(MamoriError):
    """Security Hub refused the whole request (not enabled, access denied, ...)."""


@dataclass
class SendReport:
    sent: int = 0
    batches: int = 0
    calls: int = 0
    failed: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"sent": self.sent, "batches": self.batches, "calls": self.calls, "failed": self.failed}


def send_findings(
    client: Any,
    docs: Sequence[dict[str, Any]],
    *,
    attempts: int = 3,
    backoff_s: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> SendReport:
    report = SendReport()
    for start in range(0, len(docs), BATCH):
        batch = list(docs[start : start + BATCH])
        report.batches += 1
        errors: dict[str, str] = {}
        for attempt in range(attempts):
            if attempt:
                sleep(backoff_s * 2 ** (attempt - 1))
            report.calls += 1
            try:
                resp = client.batch_import_findings(Findings=batch)
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                msg = f"{code}: {exc.response.get('Error', {}).get('Message', '')}"
                if code not in RETRYABLE:
                    raise HubError(f"Security Hub refused BatchImportFindings: {msg}") from exc
                errors = {d["Id"]: msg for d in batch}
                continue
            except BotoCoreError as exc:
                errors = {d["Id"]: str(exc) for d in batch}
                continue
            failed = {f.get("Id", ""): f"{f.get('ErrorCode', '')}: {f.get('ErrorMessage', '')}" for f in resp.get("FailedFindings") or []}
            report.sent += len(batch) - len(failed)
            errors = failed
            batch = [d for d in batch if d["Id"] in failed]
            if not batch:
                break
        report.failed.update(errors if batch else {})
    return report
