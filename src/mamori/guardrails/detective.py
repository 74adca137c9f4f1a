"""Detective guardrails as CloudFormation: the EventBridge rules mamori's detections need.

The rules are derived from the detections themselves (:mod:`mamori.events.detections`), so
they forward exactly the CloudTrail events some detection reads: one rule per event source
naming its events, and one rule per wildcard detection narrowed by its ``prefilter``
(root activity: ``userIdentity.type = Root``; bursts of AccessDenied: those ``errorCode``s).

Two templates:

``member``   deployed by a service-managed StackSet to every account and Region under the
             target: the rules, a role that lets them put events on the central bus, and
             optionally an AWS Config recorder and delivery channel.
``central``  a stack in the management account's central Region: the event bus the members
             forward to (open to the organization only), the SQS queue `mamori events watch
             --sqs` reads, and the same rules for the management account itself.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mamori.events.loader import Detection, load_detections

API_CALL = "AWS API Call via CloudTrail"
CONSOLE_SIGN_IN = "AWS Console Sign In via CloudTrail"
BUS_NAME = "mamori-guardrails"
QUEUE_NAME = "mamori-guardrails-events"
STACKSET_NAME = "mamori-detective-guardrails"
CENTRAL_STACK = "mamori-guardrails-central"
RULE_PREFIX = "mamori-"


@dataclass(frozen=True)
class EventRule:
    name: str
    description: str
    pattern: dict[str, Any]


def _nest(path: str, values: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    cur = out
    parts = path.split(".")
    for p in parts[:-1]:
        cur = cur.setdefault(p, {})
    cur[parts[-1]] = [str(v) for v in values]
    return out


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


_WORDS = re.compile(r"\(?([A-Za-z0-9 _-]+(?:\|[A-Za-z0-9 _-]+)*)\)?")


def _literal_words(regex: str) -> list[str] | None:
    """``(TruffleHog|S3 Browser)`` -> the words in the case forms EventBridge can match: its ``wildcard`` is
    case-sensitive, so each word as written and in lower, Title and UPPER case; None for any other
    regular expression (the rule is then not narrowed by it)."""
    m = _WORDS.fullmatch(regex.strip())
    if m is None:
        return None
    forms: list[str] = []
    for w in m.group(1).split("|"):
        for form in (w, w.lower(), w.title(), w.upper()):
            if form not in forms:
                forms.append(form)
    return forms


def _nest_patterns(path: str, patterns: list[dict[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    cur = out
    parts = path.split(".")
    for p in parts[:-1]:
        cur = cur.setdefault(p, {})
    cur[parts[-1]] = patterns
    return out


def rules_for(detections: Iterable[Detection]) -> list[EventRule]:
    """The EventBridge rules that forward what ``detections`` read (stable names and order)."""
    by_source: dict[str, set[str]] = {}
    wild: list[EventRule] = []
    for d in detections:
        for ev in d.spec.events:
            if ev.source == "*":
                detail: dict[str, Any] = {}
                for path, values in sorted(d.spec.prefilter.items()):
                    detail = _merge(detail, _nest(path, values))
                for path, regex in sorted(d.spec.prefilter_match.items()):
                    if (words := _literal_words(regex)) is not None:
                        detail = _merge(detail, _nest_patterns(path, [{"wildcard": f"*{w}*"} for w in words]))
                if "*" not in ev.names:
                    detail = _merge(detail, {"eventName": sorted(ev.names)})
                pattern: dict[str, Any] = {"detail-type": [API_CALL, CONSOLE_SIGN_IN]}
                if detail:
                    pattern["detail"] = detail
                wild.append(EventRule(RULE_PREFIX + d.id.replace("_", "-"), f"mamori detection {d.id}", pattern))
            else:
                by_source.setdefault(ev.source, set()).update(ev.names)
    out: list[EventRule] = []
    for source in sorted(by_source):
        names = sorted(by_source[source])
        service = source.split(".")[0]
        dtype = CONSOLE_SIGN_IN if service == "signin" else API_CALL
        detail = {"eventSource": [source]} | ({} if "*" in names else {"eventName": names})
        out.append(EventRule(f"{RULE_PREFIX}{re.sub(r'[^a-z0-9-]', '-', service)}", f"mamori detections on {source}",
                             {"detail-type": [dtype], "detail": detail}))  # fmt: skip
    return out + sorted(wild, key=lambda r: r.name)


@functools.lru_cache(maxsize=1)
def _builtin_rules() -> tuple[EventRule, ...]:
    return tuple(rules_for(load_detections()))


def default_rules() -> list[EventRule]:
    """The rules for mamori's built-in detections (loaded once per process)."""
    return list(_builtin_rules())


def _rule_resource(rule: EventRule, target: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "AWS::Events::Rule",
        "Properties": {
            "Name": rule.name,
            "Description": rule.description,
            "EventPattern": rule.pattern,
            "State": "ENABLED",
            "Targets": [target],
        },
    }


def _logical(rule: EventRule) -> str:
    return "Rule" + "".join(p.capitalize() for p in re.split(r"[^A-Za-z0-9]", rule.name) if p)


def member_template(rules: list[EventRule]) -> dict[str, Any]:
    target = {"Id": "central-bus", "Arn": {"Ref": "CentralBusArn"}, "RoleArn": {"Fn::GetAtt": ["ForwardRole", "Arn"]}}
    resources: dict[str, Any] = {
        "ForwardRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "RoleName": {"Fn::Sub": "mamori-forward-${AWS::Region}"},
                "Description": "Lets mamori's EventBridge rules put events on the central bus",
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                "Policies": [{"PolicyName": "put-events-on-central-bus", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "events:PutEvents", "Resource": {"Ref": "CentralBusArn"}}]}}],
            },
        },
        "ConfigRecorder": {
            "Type": "AWS::Config::ConfigurationRecorder",
            "Condition": "RecordConfig",
            "Properties": {
                "Name": "mamori-recorder",
                "RoleARN": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/"
                                       "config.amazonaws.com/AWSServiceRoleForConfig"},
                "RecordingGroup": {"AllSupported": True, "IncludeGlobalResourceTypes": True},
            },
        },
        "ConfigDeliveryChannel": {
            "Type": "AWS::Config::DeliveryChannel",
            "Condition": "RecordConfig",
            "Properties": {"Name": "mamori-delivery", "S3BucketName": {"Ref": "ConfigBucket"}},
        },
    }  # fmt: skip
    for r in rules:
        resources[_logical(r)] = _rule_resource(r, target)
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "mamori detective guardrails: forward the CloudTrail events mamori's detections read to the central bus",
        "Parameters": {
            "CentralBusArn": {"Type": "String", "Description": "ARN of the central event bus (mamori-guardrails-central)"},
            "EnableConfigRecorder": {"Type": "String", "AllowedValues": ["true", "false"], "Default": "false"},
            "ConfigBucket": {"Type": "String", "Default": "", "Description": "S3 bucket for AWS Config (recorder on)"},
        },
        "Conditions": {"RecordConfig": {"Fn::Equals": [{"Ref": "EnableConfigRecorder"}, "true"]}},
        "Resources": resources,
    }


def central_template(rules: list[EventRule]) -> dict[str, Any]:
    resources: dict[str, Any] = {
        "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": BUS_NAME}},
        "BusPolicy": {
            "Type": "AWS::Events::EventBusPolicy",
            "Properties": {
                "EventBusName": BUS_NAME,
                "StatementId": "organization-may-put-events",
                "Statement": {
                    "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents",
                    "Resource": {"Fn::GetAtt": ["Bus", "Arn"]},
                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": {"Ref": "OrganizationId"}}},
                },
            },
        },
        "Queue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {"QueueName": QUEUE_NAME, "SqsManagedSseEnabled": True, "MessageRetentionPeriod": 1209600},
        },
        "QueuePolicy": {
            "Type": "AWS::SQS::QueuePolicy",
            "Properties": {
                "Queues": [{"Ref": "Queue"}],
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
                    "Resource": {"Fn::GetAtt": ["Queue", "Arn"]},
                    "Condition": {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": ["ToQueue", "Arn"]}}}}]},
            },
        },
        "ToQueue": {
            "Type": "AWS::Events::Rule",
            "DependsOn": "Bus",
            "Properties": {
                "Name": f"{RULE_PREFIX}guardrails-to-queue",
                "EventBusName": BUS_NAME,
                "EventPattern": {"detail-type": [API_CALL, CONSOLE_SIGN_IN]},
                "State": "ENABLED",
                "Targets": [{"Id": "queue", "Arn": {"Fn::GetAtt": ["Queue", "Arn"]}}],
            },
        },
    }  # fmt: skip
    for r in rules:  # the management account's own events, in the central Region
        resources[_logical(r)] = _rule_resource(r, {"Id": "central-bus", "Arn": {"Fn::GetAtt": ["Bus", "Arn"]}})
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "mamori central event bus and queue for the organization's detective guardrails",
        "Parameters": {"OrganizationId": {"Type": "String", "Description": "o-... (only this organization may put events)"}},
        "Resources": resources,
        "Outputs": {
            "BusArn": {"Value": {"Fn::GetAtt": ["Bus", "Arn"]}},
            "QueueUrl": {"Value": {"Ref": "Queue"}, "Description": "mamori events watch --sqs <this>"},
        },
    }


def dumps(template: dict[str, Any]) -> str:
    """The template body as deployed and compared (stable: sorted keys, indented)."""
    return json.dumps(template, indent=1, sort_keys=True)
