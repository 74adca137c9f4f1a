"""Distributed scans on Celery (`mamori worker`, `mamori scan --broker`; docs/distributed.md).

A scan is split into shards, (account, region) and (account, global services). A worker
collects one shard, evaluates the rules over it and stores its results (not its inventory)
in the shared store; the finaliser merges them and runs the ordinary findings lifecycle,
so the outcome is the one a single-process scan of the same estate gives.

``plan``      the shards of a scan (account ids and regions resolved up front)
``shard``     run one shard: collect that scope, evaluate, the payload to store
``merge``     the finaliser: merge the payloads, record the scan, the summary
``limits``    the shared Redis token buckets and the per-account shard cap
``app``       the Celery application and its tasks (imported only by the worker and the scan)
"""
