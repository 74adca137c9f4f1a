"""Who owns an IAM user's keys: a tag on the user, else the config mapping, else the default."""

from __future__ import annotations

from mamori.config.keys import KeysConfig
from mamori.keys.inventory import OwnerOf
from mamori.model.resource import Resource


def owner_resolver(cfg: KeysConfig) -> OwnerOf:
    tag_names = [t.lower() for t in cfg.owner_tags]

    def owner_of(account: str, user: str, resource: Resource | None) -> str:
        if resource is not None:
            tags = {k.lower(): v for k, v in resource.tags.items()}
            for t in tag_names:
                if tags.get(t):
                    return tags[t]
        return cfg.owners.get(f"{account}/{user}") or cfg.owners.get(user) or cfg.default_owner or ""

    return owner_of
