"""Online advisories through the OSV API (``POST /v1/querybatch``, then ``GET /v1/vulns/{id}``).

``querybatch`` answers, per (ecosystem, name, version), the ids of the vulnerabilities
affecting it (paged with ``next_page_token``); each id's full record is then fetched once.
The HTTP client is injected (``httpx.Client(transport=httpx.MockTransport(...))`` in
tests); no client is built at import time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from mamori.gate.deps.errors import OsvServiceError
from mamori.gate.deps.model import Package
from mamori.gate.deps.osv.interface import PackageKey, key_of
from mamori.gate.deps.osv.record import Advisory, parse_advisory

OSV_API = "https://api.osv.dev"
BATCH = 1000  # the API's limit of queries per batch
MAX_PAGES = 50


def _json(resp: httpx.Response, what: str) -> Any:
    if resp.status_code != 200:
        raise OsvServiceError(f"{what}: HTTP {resp.status_code} {resp.text[:200]}")
    try:
        return resp.json()
    except ValueError as exc:
        raise OsvServiceError(f"{what}: the answer is not JSON ({exc})") from None


class OnlineOsvSource:
    """Advisories from the OSV API. The caller owns (and closes) the client."""

    authoritative = True

    def __init__(self, client: httpx.Client, *, base_url: str = OSV_API, batch_size: int = BATCH) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.batch_size = batch_size
        self.description = f"OSV API at {self.base_url}"
        self._records: dict[str, Advisory] = {}

    def advisories_for(self, packages: Sequence[Package]) -> dict[PackageKey, list[Advisory]]:
        keys = list(dict.fromkeys(key_of(p) for p in packages if p.version is not None))
        names = {key_of(p): p.name for p in packages if p.version is not None}
        ids: dict[PackageKey, list[str]] = {k: [] for k in keys}
        for start in range(0, len(keys), self.batch_size):
            chunk = keys[start : start + self.batch_size]
            queries = [self._query(k, names[k]) for k in chunk]
            results = self._batch(queries)
            for k, q, result in zip(chunk, queries, results, strict=True):
                ids[k].extend(self._ids(result))
                token, pages = result.get("next_page_token"), 0
                while token and pages < MAX_PAGES:
                    (page,) = self._batch([{**q, "page_token": token}])
                    ids[k].extend(self._ids(page))
                    token, pages = page.get("next_page_token"), pages + 1
        return {k: [self._record(i) for i in dict.fromkeys(v)] for k, v in ids.items()}

    @staticmethod
    def _query(key: PackageKey, name: str) -> dict[str, Any]:
        eco, _, version = key
        return {"package": {"ecosystem": eco.value, "name": name}, "version": version}

    @staticmethod
    def _ids(result: Any) -> list[str]:
        vulns = result.get("vulns") if isinstance(result, dict) else None
        return [str(v["id"]) for v in vulns or () if isinstance(v, dict) and v.get("id")]

    def _batch(self, queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        try:
            resp = self.client.post(f"{self.base_url}/v1/querybatch", json={"queries": queries})
        except httpx.HTTPError as exc:
            raise OsvServiceError(f"OSV querybatch failed: {exc}") from exc
        body = _json(resp, "OSV querybatch")
        results = body.get("results") if isinstance(body, dict) else None
        if not isinstance(results, list) or len(results) != len(queries):
            raise OsvServiceError("OSV querybatch: the answer does not have one result per query")
        return [r if isinstance(r, dict) else {} for r in results]

    def _record(self, vuln_id: str) -> Advisory:
        if vuln_id not in self._records:
            try:
                resp = self.client.get(f"{self.base_url}/v1/vulns/{vuln_id}")
            except httpx.HTTPError as exc:
                raise OsvServiceError(f"OSV vulns/{vuln_id} failed: {exc}") from exc
            self._records[vuln_id] = parse_advisory(_json(resp, f"OSV vulns/{vuln_id}"), source="api.osv.dev")
        return self._records[vuln_id]
