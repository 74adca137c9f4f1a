"""Users, roles, account groups and API tokens of ``mamori serve`` (docs/server.md).

    model.py     Role (viewer < analyst < admin), Principal (who is asking, which accounts they see)
    tables.py    users, api_tokens
    service.py   UserStore: add/list/disable users, authenticate, create/list/revoke tokens;
                 every change is written to the audit log with the acting user

A user's ``account_group`` names a group of ``account_groups:`` in mamori.yaml; the user
sees exactly those accounts (a group that is not defined gives none, never all). No group =
every account. Light at import: no argon2, no SQLAlchemy (``service`` imports those).
"""

from mamori.users.model import Principal, Role, resolve_accounts

__all__ = ["Principal", "Role", "resolve_accounts"]
