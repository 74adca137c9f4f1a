"""The findings hub: suppressions with expiry, owners and SLAs, imports, exports, digests, routing.

Modules (each small, each importable on its own):

    suppressions     exact selectors, Suppression, SuppressionIndex (pure)
    suppfile         the suppressions file kept in git (mamori-suppressions.yaml), validated
    owners           owners from account/tag mappings, SLA deadlines per severity (pure)
    config           the hub's config sections (owners, sla, notifications, suppressions_file)
    view             findings joined with their metadata, owner and due date
    importers/       one module per foreign format, a registry and format detection
    export/          ASFF and OCSF converters
    securityhub      BatchImportFindings in batches of 100 with retries
    digest           root-cause grouping of findings into digest notifications
    routing          which channel gets which finding
    dispatch         the notify run: queue, deliver with backoff and rate limits, log

Errors: bad files raise :class:`mamori.errors.InputError` (file and place); store
failures :class:`mamori.errors.StoreError`; channel failures
:class:`mamori.notify.DeliveryError`; Security Hub failures :class:`HubError`.
"""
