"""``monitoring.metric_filter_not_alarmed``, the hook of the CIS 4.x rules: an alarmed metric filter with the right pattern.

A Region is monitored for a kind of event when one multi-Region trail covering it delivers
to a CloudWatch Logs group holding a metric filter whose pattern contains every
``required`` fragment and at least ``min_event_names`` of the ``event_names`` (each as
``$.eventName = <name>``), and whose metric has an alarm with an action. Patterns are
compared with whitespace and double quotes removed, and a fragment must end at a word
boundary (``CreatePolicy`` does not match inside ``CreatePolicyVersion``).

The filters of a log group come from the ``aws.monitoring.region`` resource of the log
group's own Region: if that Region was not scanned or its filters could not be read, the
verdict is unknown (unless another covering log group already passes).
"""

from __future__ import annotations

import re
from typing import Any

from mamori.model.resource import Resource
from mamori.model.resources.monitoring import REGION
from mamori.rules.conditions import EvalContext
from mamori.rules.hooks.registry import shared_hook


def normalise(text: str) -> str:
    return re.sub(r"\s+", "", text).replace('"', "")


def fragments(params: dict[str, Any]) -> tuple[list[str], list[str], int]:
    """(required fragments, event-name fragments, how many event names must appear)."""
    required = [normalise(str(t)) for t in params.get("required") or []]
    names = [normalise(f"$.eventName={n}") for n in params.get("event_names") or []]
    wanted = params.get("min_event_names")
    return required, names, len(names) if wanted is None else min(int(wanted), len(names))


def _contains(pattern: str, fragment: str) -> bool:
    return re.search(re.escape(fragment) + r"(?![A-Za-z0-9_])", pattern) is not None


def pattern_matches(pattern: str, params: dict[str, Any]) -> bool:
    """Whether a filter pattern contains the control's key terms."""
    required, names, wanted = fragments(params)
    if not required and not names:
        return False
    text = normalise(pattern)
    if not all(_contains(text, f) for f in required):
        return False
    return sum(_contains(text, f) for f in names) >= wanted


@shared_hook("monitoring.metric_filter_not_alarmed", resource_types=(REGION,))
def metric_filter_not_alarmed(
    resource: Resource, ctx: EvalContext
) -> tuple[bool | None, dict[str, Any]] | None:
    """True when no alarmed metric filter with the control's pattern watches a covering trail's log group."""
    covering = resource.properties.get("covering_log_groups")
    if covering is None:
        return None
    if not covering:
        return True, {
            "covering_log_groups": "no multi-Region trail delivering to CloudWatch Logs covers this Region"
        }
    params = dict(ctx.params)
    unknown: dict[str, Any] = {}
    unalarmed: list[str] = []
    for c in covering:
        group, region = str(c.get("log_group", "")), str(c.get("log_group_region", ""))
        account = str(c.get("log_group_account") or resource.account)
        home: Resource | None = resource
        if (account, region) != (resource.account, resource.region):
            home = ctx.inventory.get(REGION, account, region, region) if ctx.inventory is not None else None
        if home is None:
            unknown[f"log group {group} ({account}, {region})"] = "Region not scanned or failed"
            continue
        groups = {g.get("log_group"): g for g in home.properties.get("trail_log_groups") or []}
        patterns = home.properties.get("monitored_patterns")
        if group not in groups or not groups[group].get("filters_read") or patterns is None:
            unknown[f"log group {group} ({account}, {region})"] = "metric filters not read"
            continue
        for p in patterns:
            if p.get("log_group") != group or not pattern_matches(str(p.get("pattern", "")), params):
                continue
            if p.get("alarmed"):
                return False, {
                    "log_group": group,
                    "filter": p.get("filter"),
                    "metric": p.get("metric"),
                    "alarms": p.get("alarms"),
                }
            unalarmed.append(f"{group}: {p.get('filter')} ({p.get('namespace')}/{p.get('metric')})")
    if unknown:
        return None, unknown
    evidence: dict[str, Any] = {"log_groups": [c.get("log_group") for c in covering]}
    if unalarmed:
        evidence["matching_filters_without_alarm_action"] = unalarmed
    return True, evidence
