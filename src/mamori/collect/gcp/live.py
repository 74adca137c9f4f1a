"""`mamori collect --gcp-org ORG_ID`: list an organization's assets through the Cloud Asset API and
write the same files `gcloud asset export` would (one NDJSON file per content type).

The client is injected (anything with ``list_assets(request=...)`` returning an iterable of assets:
dicts, or google-cloud-asset's proto-plus messages); by default ``google.cloud.asset_v1``'s
``AssetServiceClient`` with Application Default Credentials, imported only here (the `gcp` extra).
Only the asset types mamori reads are listed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

import orjson

from mamori.collect.gcp.build import READ_TYPES
from mamori.errors import CollectionError, InputError, MamoriError

CONTENT_TYPES = {"RESOURCE": "resource.json", "IAM_POLICY": "iam_policy.json"}
EXTRA_TYPES = frozenset({"cloudresourcemanager.googleapis.com/Folder"})
_ORG = re.compile(r"^\d{1,20}$")


class AssetClient(Protocol):
    def list_assets(self, request: dict[str, Any]) -> Iterable[Any]: ...


def _default_client() -> AssetClient:
    try:
        from google.cloud import asset_v1  # the optional `gcp` extra
    except ImportError as exc:
        raise CollectionError("the Cloud Asset API client is not installed: pip install 'mamori[gcp]'") from exc
    client: AssetClient = asset_v1.AssetServiceClient()
    return client


def _as_dict(asset: Any) -> dict[str, Any]:
    if isinstance(asset, dict):
        return asset
    to_dict = getattr(type(asset), "to_dict", None)  # proto-plus
    if to_dict is None:
        raise CollectionError(f"unexpected asset object from the Cloud Asset API: {type(asset).__name__}")
    out: dict[str, Any] = to_dict(asset, preserving_proto_field_name=True, use_integers_for_enums=False)
    return out


def collect_org(org_id: str, out_dir: Path, client: AssetClient | None = None, page_size: int = 1000) -> list[Path]:
    """Write ``resource.json`` and ``iam_policy.json`` for organization ``org_id`` under ``out_dir``; return their paths."""
    if not _ORG.match(org_id):
        raise InputError(f"not a GCP organization id (digits): {org_id!r}", source="--gcp-org")
    api = client or _default_client()
    out_dir.mkdir(parents=True, exist_ok=True)
    types = sorted(READ_TYPES | EXTRA_TYPES)
    paths = []
    for content, name in CONTENT_TYPES.items():
        path = out_dir / name
        tmp = path.with_name(name + ".tmp")
        request = {"parent": f"organizations/{org_id}", "content_type": content, "asset_types": types, "page_size": page_size}
        try:
            with tmp.open("wb") as fh:
                for asset in api.list_assets(request=request):
                    fh.write(orjson.dumps(_as_dict(asset)) + b"\n")
        except MamoriError:
            raise
        except Exception as exc:  # the API's errors (permission denied, quota): one clear message, no traceback
            tmp.unlink(missing_ok=True)
            raise CollectionError(f"Cloud Asset API list_assets ({content}) failed: {type(exc).__name__}: {exc}") from exc
        tmp.replace(path)
        paths.append(path)
    return paths
