"""The standards: scores, control statuses, coverage, attestations, drift, and their store.

The catalogues of controls themselves are data in :mod:`mamori.catalog`.
"""
