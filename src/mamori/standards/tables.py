"""Tables of the standards: per-scan rule results and coverage, and attestations.

``std_scan_rules``    every rule evaluated in a scan, its severity and its ``controls:``
                      mapping as it was then (so a past scan's control statuses stay exact
                      when rules change later)
``std_rule_counts``   per scan, rule and account: how many results passed, failed, were unknown
``std_coverage``      per scan, standard, account (``*`` = all) and category (``*`` = all):
                      controls covered by machine / attested / not covered, and how many are
                      passing, failing, unknown or have no resources (the score itself is in
                      ``scores``)
``std_attestations``  who vouched for which control, with what evidence, until when; revoked
                      ones keep their row (``revoked_at``, ``revoked_by``, ``revoke_reason``)
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text

from mamori.store.base import JSONType, UTCDateTime, metadata

scan_rules = Table(
    "std_scan_rules",
    metadata,
    Column("scan_id", String(36), ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
    Column("rule_id", String(200), primary_key=True),
    Column("severity", String(16), nullable=False),
    Column("controls", JSONType, nullable=False),
)

rule_counts = Table(
    "std_rule_counts",
    metadata,
    Column("scan_id", String(36), ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
    Column("rule_id", String(200), primary_key=True),
    Column("account", String(40), primary_key=True),
    Column("passed", Integer, nullable=False),
    Column("failed", Integer, nullable=False),
    Column("unknown", Integer, nullable=False),
)

coverage = Table(
    "std_coverage",
    metadata,
    Column("scan_id", String(36), ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
    Column("standard", String(40), primary_key=True),
    Column("account", String(40), primary_key=True),
    Column("category", String(40), primary_key=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("controls", Integer, nullable=False),
    Column("machine", Integer, nullable=False),
    Column("attested", Integer, nullable=False),
    Column("not_covered", Integer, nullable=False),
    Column("passing", Integer, nullable=False),
    Column("failing", Integer, nullable=False),
    Column("unknown", Integer, nullable=False),
    Column("no_resources", Integer, nullable=False),
    Index("ix_std_coverage_standard_account_category_at", "standard", "account", "category", "at"),
)

attestations = Table(
    "std_attestations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("standard", String(40), nullable=False),
    Column("control", String(40), nullable=False),
    Column("account", String(40), nullable=False),
    Column("attested_by", String(200), nullable=False),
    Column("evidence", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
    Column("revoked_by", String(200), nullable=True),
    Column("revoke_reason", Text, nullable=True),
    Index("ix_std_attestations_standard_control", "standard", "control"),
)
