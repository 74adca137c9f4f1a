"""mamori's configuration: one loader (:func:`load_config`) producing typed sections.

Each section's model lives here, beside the loader, and depends only on :mod:`mamori.model`;
each subsystem receives its own section only:

    guardrails.py  ``guardrails:``  -> mamori.remediate (and mamori.keys, which disables keys through it)
    keys.py        ``keys:``        -> mamori.keys
    hub.py         ``owners:``, ``sla:``, ``notifications:`` (``Config.hub``) -> mamori.hub
    server.py      ``account_groups:``, ``server:`` (session cookie, login limits, OpenID Connect) -> mamori.server
    schedules.py   ``schedules:`` (jobs inside mamori serve) -> mamori.server.schedules
    loader.py      the file itself: ``db:`` (see :func:`mamori.store.store_url`), rule paths,
                   parameters, disabled rules, ``suppressions_file:``, ``events:``
"""

from mamori.config.loader import Config, load_config

__all__ = ["Config", "load_config"]
