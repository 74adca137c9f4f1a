"""The findings hub: suppressions with expiry, owners and SLAs, imports, exports, digests, routing.

Modules (each small, each importable on its own):

    suppfile         the suppressions file kept in git (mamori-suppressions.yaml), validated
    owners           owners from account/tag mappings, SLA deadlines per severity (pure)
    tables           its table: the notification delivery log (hub_deliveries)
    view             findings joined with their metadata, owner and due date
    importers/       one module per foreign format, a registry and format detection
    export/          ASFF and OCSF converters
    securityhub      BatchImportFindings in batches of 100 with retries
    digest           root-cause grouping of findings into digest notifications
    routing          which channel gets which finding
    dispatch         the notify run: queue, deliver with backoff and rate limits, log

Elsewhere: the suppression model (selectors, Suppression, SuppressionIndex) is
:mod:`mamori.model.suppression`; stored suppressions and their effect on findings are
part of the lifecycle in :mod:`mamori.findings`; the hub's config sections (owners, sla,
notifications) are :mod:`mamori.config.hub`, received as ``Config.hub``.

Errors: bad files raise :class:`mamori.errors.InputError` (file and place); store
failures :class:`mamori.errors.StoreError`; channel failures
:class:`mamori.notify.DeliveryError`; Security Hub failures :class:`HubError`.
"""
