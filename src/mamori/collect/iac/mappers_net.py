"""Load balancers, CloudFront, network ACLs and IAM users from Terraform and CloudFormation.

Listener facts and ACL entries are built in the API's shape and passed through the
collectors' own functions (``listener_facts``, ``acl_entries``), so a verdict reads the same
fields either way. A TLS listener's protocols come from AWS's predefined security policies
(table below, from the ELB documentation); a policy not in the table, or none given (AWS
then picks its current default), leaves the protocols unknown.
"""

from __future__ import annotations

from typing import Any

from mamori.collect.aws.services.ec2_network import acl_entries
from mamori.collect.aws.services.elbv2 import listener_facts
from mamori.collect.iac.adapt import Index, Props, also, blocks, boolean, derive, first, integer, maps, text
from mamori.collect.iac.values import RawResource, Unknown, unknown_in

TF = "terraform"
CFN = "cloudformation"

_T10, _T11, _T12, _T13 = "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"
ELB_POLICIES: dict[str, list[str]] = {
    "ELBSecurityPolicy-2016-08": [_T10, _T11, _T12], "ELBSecurityPolicy-2015-05": [_T10, _T11, _T12],
    "ELBSecurityPolicy-TLS-1-0-2015-04": [_T10, _T11, _T12], "ELBSecurityPolicy-TLS-1-1-2017-01": [_T11, _T12],
    "ELBSecurityPolicy-TLS-1-2-2017-01": [_T12], "ELBSecurityPolicy-TLS-1-2-Ext-2018-06": [_T12],
    "ELBSecurityPolicy-FS-2018-06": [_T10, _T11, _T12], "ELBSecurityPolicy-FS-1-1-2019-08": [_T11, _T12],
    "ELBSecurityPolicy-FS-1-2-2019-08": [_T12], "ELBSecurityPolicy-FS-1-2-Res-2019-08": [_T12],
    "ELBSecurityPolicy-FS-1-2-Res-2020-10": [_T12],
    "ELBSecurityPolicy-TLS13-1-0-2021-06": [_T10, _T11, _T12, _T13], "ELBSecurityPolicy-TLS13-1-1-2021-06": [_T11, _T12, _T13],
    "ELBSecurityPolicy-TLS13-1-2-2021-06": [_T12, _T13], "ELBSecurityPolicy-TLS13-1-2-Res-2021-06": [_T12, _T13],
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06": [_T12, _T13], "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06": [_T12, _T13],
    "ELBSecurityPolicy-TLS13-1-3-2021-06": [_T13],
}  # fmt: skip


def _listener(port: Any, protocol: Any, policy: Any, actions: list[dict[str, Any]]) -> Any:
    raw = {"Port": port, "Protocol": protocol, "SslPolicy": policy, "DefaultActions": actions}
    u = unknown_in([port, protocol, actions])
    if u is not None:
        return u
    facts = listener_facts(raw, ELB_POLICIES)
    if facts["tls"] and isinstance(policy, Unknown):
        return policy
    if facts["tls"] and not policy:
        facts["ssl_protocols"] = None
    return facts


def _lb_props(lb_type: Any, listeners: list[Any], logs: Any, deletion: Any, drop: Any) -> Props:
    return {"type": lb_type, "listeners": derive(list, listeners), "access_logs_enabled": logs, "deletion_protection": deletion,
            "drop_invalid_header_fields": drop}  # fmt: skip


@maps(TF, "aws_lb", "aws_alb")
def tf_lb(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    lst: list[Any] = []
    for t in ("aws_lb_listener", "aws_alb_listener"):
        hits, doubt = idx.attached(t, "load_balancer_arn", r, [a.get("name")])
        for h in hits:
            acts = [{"Type": text(x.get("type"), ""), "RedirectConfig": {"Protocol": text(first(x.get("redirect")).get("protocol"), "")}
                     if isinstance(first(x.get("redirect")), dict) else {}} for x in blocks(h.attrs.get("default_action")) if isinstance(x, dict)]  # fmt: skip
            lst.append(_listener(integer(h.attrs.get("port")), text(h.attrs.get("protocol"), "HTTP"), h.attrs.get("ssl_policy"), acts))
        if doubt:
            lst.append(doubt)
    logs = first(a.get("access_logs"))
    return "aws.elb.load_balancer", _lb_props(
        text(a.get("load_balancer_type"), "application"), lst,
        boolean(logs.get("enabled"), derive(bool, logs.get("bucket"))) if isinstance(logs, dict) and logs else False,
        boolean(a.get("enable_deletion_protection"), False), boolean(a.get("drop_invalid_header_fields"), False))  # fmt: skip


@maps(CFN, "AWS::ElasticLoadBalancingV2::LoadBalancer")
def cfn_lb(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    attrs = {x.get("Key"): x.get("Value") for x in blocks(a.get("LoadBalancerAttributes")) if isinstance(x, dict)}
    hits, doubt = idx.attached("AWS::ElasticLoadBalancingV2::Listener", "LoadBalancerArn", r, [])
    lst: list[Any] = []
    for h in hits:
        acts = [{"Type": text(x.get("Type"), ""), "RedirectConfig": {"Protocol": text((x.get("RedirectConfig") or {}).get("Protocol"), "")}}
                for x in blocks(h.attrs.get("DefaultActions")) if isinstance(x, dict)]  # fmt: skip
        lst.append(_listener(integer(h.attrs.get("Port")), text(h.attrs.get("Protocol"), "HTTP"), h.attrs.get("SslPolicy"), acts))
    if doubt:
        lst.append(doubt)
    return "aws.elb.load_balancer", _lb_props(
        text(a.get("Type"), "application"), lst, boolean(attrs.get("access_logs.s3.enabled"), False),
        boolean(attrs.get("deletion_protection.enabled"), False), boolean(attrs.get("routing.http.drop_invalid_header_fields.enabled"), False))  # fmt: skip


_ENCRYPTED = {"HTTPS", "SSL"}


def _classic_listener(port: Any, proto: Any, iport: Any, iproto: Any, cert: Any, reference: Any) -> Any:
    u = unknown_in([port, proto])
    if u is not None:
        return u
    p = str(proto).upper()
    enc = p in _ENCRYPTED
    return {"port": port, "protocol": p, "instance_port": iport, "instance_protocol": str(iproto or p).upper(), "encrypted": enc,
            "ssl_certificate_id": cert or "", "policy_names": [], "ssl_policy_reference": (reference if enc else ""),
            "ssl_protocols": ELB_POLICIES.get(str(reference)) if enc else []}  # fmt: skip


@maps(TF, "aws_elb")
def tf_classic(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    names = [a.get("name")]
    lp, _ = idx.attached("aws_load_balancer_listener_policy", "load_balancer_name", r, names)
    pols, _ = idx.attached("aws_load_balancer_policy", "load_balancer_name", r, names)
    refs: dict[str, Any] = {}
    for p in pols:
        for attr in blocks(p.attrs.get("policy_attribute")):
            if isinstance(attr, dict) and attr.get("name") == "Reference-Security-Policy":
                refs[str(p.attrs.get("policy_name"))] = attr.get("value")
    by_port: dict[Any, Any] = {}
    for x in lp:
        for name in blocks(x.attrs.get("policy_names")):
            if str(name) in refs:
                by_port[x.attrs.get("load_balancer_port")] = refs[str(name)]
    lst = [_classic_listener(integer(x.get("lb_port")), x.get("lb_protocol"), integer(x.get("instance_port")), x.get("instance_protocol"),
                             x.get("ssl_certificate_id"), by_port.get(integer(x.get("lb_port"))))
           for x in blocks(a.get("listener")) if isinstance(x, dict)]  # fmt: skip
    logs = first(a.get("access_logs"))
    return "aws.elb.classic_load_balancer", {
        "listeners": derive(list, lst),
        "access_logs_enabled": boolean(logs.get("enabled"), True) if isinstance(logs, dict) and logs else False,
    }


@maps(CFN, "AWS::ElasticLoadBalancing::LoadBalancer")
def cfn_classic(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    refs: dict[str, Any] = {}
    for p in blocks(a.get("Policies")):
        if isinstance(p, dict):
            for attr in blocks(p.get("Attributes")):
                if isinstance(attr, dict) and attr.get("Name") == "Reference-Security-Policy":
                    refs[str(p.get("PolicyName"))] = attr.get("Value")
    lst = []
    for x in blocks(a.get("Listeners")):
        if not isinstance(x, dict):
            continue
        ref = next((refs[str(n)] for n in blocks(x.get("PolicyNames")) if str(n) in refs), None)
        lst.append(_classic_listener(integer(x.get("LoadBalancerPort")), x.get("Protocol"), integer(x.get("InstancePort")),
                                     x.get("InstanceProtocol"), x.get("SSLCertificateId"), ref))  # fmt: skip
    logs = a.get("AccessLoggingPolicy")
    return "aws.elb.classic_load_balancer", {
        "listeners": derive(list, lst),
        "access_logs_enabled": boolean(logs.get("Enabled"), False) if isinstance(logs, dict) else False,
    }


def _cf_props(origins: list[Any], behaviours: list[Any], cert: Any, waf: Any, logging: Any, root: Any) -> Props:
    custom = isinstance(cert, dict) and bool(cert.get("acm") or cert.get("iam"))
    return {
        "origins": derive(list, origins), "cache_behaviors": derive(list, behaviours),
        "viewer_protocol_policies": derive(lambda bs: sorted({b["viewer_protocol_policy"] for b in bs}), behaviours),
        "viewer_certificate_custom": custom,
        "viewer_minimum_protocol_version": text(cert.get("min"), "TLSv1") if isinstance(cert, dict) else cert,
        "web_acl_id": text(waf, ""), "logging_enabled": logging, "default_root_object": text(root, ""),
    }  # fmt: skip


@maps(TF, "aws_cloudfront_distribution")
def tf_cloudfront(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    origins = []
    for o in blocks(a.get("origin")):
        if not isinstance(o, dict):
            continue
        c = first(o.get("custom_origin_config"))
        origins.append({"id": text(o.get("origin_id"), ""), "domain_name": text(o.get("domain_name"), ""),
                        "kind": "custom" if c else "s3", "origin_protocol_policy": text(c.get("origin_protocol_policy"), "") if c else "",
                        "origin_ssl_protocols": c.get("origin_ssl_protocols", []) if c else []})  # fmt: skip
    behaviours = [{"path_pattern": text(b.get("path_pattern"), "*"), "target_origin_id": text(b.get("target_origin_id"), ""),
                   "viewer_protocol_policy": text(b.get("viewer_protocol_policy"), "")}
                  for b in blocks(a.get("default_cache_behavior")) + blocks(a.get("ordered_cache_behavior")) if isinstance(b, dict)]  # fmt: skip
    vc = first(a.get("viewer_certificate"))
    cert = {"acm": vc.get("acm_certificate_arn"), "iam": vc.get("iam_certificate_id"), "min": vc.get("minimum_protocol_version")} if isinstance(vc, dict) else vc
    logging = first(a.get("logging_config"))
    return "aws.cloudfront.distribution", _cf_props(origins, behaviours, cert, a.get("web_acl_id"),
                                                    derive(bool, logging.get("bucket")) if isinstance(logging, dict) and logging else False,
                                                    a.get("default_root_object"))  # fmt: skip


@maps(CFN, "AWS::CloudFront::Distribution")
def cfn_cloudfront(r: RawResource, idx: Index) -> tuple[str, Props]:
    d = r.attrs.get("DistributionConfig") or {}
    if isinstance(d, Unknown):
        d = {}
    origins = []
    for o in blocks(d.get("Origins")):
        if not isinstance(o, dict):
            continue
        c = o.get("CustomOriginConfig")
        origins.append({"id": text(o.get("Id"), ""), "domain_name": text(o.get("DomainName"), ""), "kind": "custom" if c else "s3",
                        "origin_protocol_policy": text(c.get("OriginProtocolPolicy"), "") if isinstance(c, dict) else "",
                        "origin_ssl_protocols": c.get("OriginSSLProtocols", ["TLSv1", "TLSv1.1", "TLSv1.2"]) if isinstance(c, dict) else []})  # fmt: skip
    behaviours = [{"path_pattern": text(b.get("PathPattern"), "*"), "target_origin_id": text(b.get("TargetOriginId"), ""),
                   "viewer_protocol_policy": text(b.get("ViewerProtocolPolicy"), "")}
                  for b in blocks(d.get("DefaultCacheBehavior")) + blocks(d.get("CacheBehaviors")) if isinstance(b, dict)]  # fmt: skip
    vc = d.get("ViewerCertificate") or {}
    cert = {"acm": vc.get("AcmCertificateArn"), "iam": vc.get("IamCertificateId"), "min": vc.get("MinimumProtocolVersion")} if isinstance(vc, dict) else vc
    logging = d.get("Logging")
    return "aws.cloudfront.distribution", _cf_props(origins, behaviours, cert, d.get("WebACLId"),
                                                    derive(bool, logging.get("Bucket")) if isinstance(logging, dict) else False,
                                                    d.get("DefaultRootObject"))  # fmt: skip


def _acl(entries: list[Any]) -> Any:
    u = unknown_in(entries)
    return u if u is not None else acl_entries(entries, egress=False)


@maps(TF, "aws_network_acl")
def tf_nacl(r: RawResource, idx: Index) -> tuple[str, Props]:
    ents: list[Any] = []
    for e in blocks(r.attrs.get("ingress")):
        if isinstance(e, dict):
            ents.append({"RuleNumber": e.get("rule_no"), "Protocol": e.get("protocol"), "RuleAction": e.get("action"), "Egress": False,
                         **({"Ipv6CidrBlock": e["ipv6_cidr_block"]} if e.get("ipv6_cidr_block") else {"CidrBlock": e.get("cidr_block")}),
                         "PortRange": {"From": e.get("from_port"), "To": e.get("to_port")}})  # fmt: skip
    rules, doubt = idx.attached("aws_network_acl_rule", "network_acl_id", r, [])
    for x in rules:
        e = x.attrs
        if boolean(e.get("egress"), False) is True:
            continue
        ents.append({"RuleNumber": e.get("rule_number"), "Protocol": e.get("protocol"), "RuleAction": e.get("rule_action"), "Egress": False,
                     **({"Ipv6CidrBlock": e["ipv6_cidr_block"]} if e.get("ipv6_cidr_block") else {"CidrBlock": e.get("cidr_block")}),
                     "PortRange": {"From": e.get("from_port"), "To": e.get("to_port")}})  # fmt: skip
    if doubt:
        ents.append(doubt)
    return "aws.ec2.network_acl", {"is_default": False, "ingress": _acl(ents)}


@maps(CFN, "AWS::EC2::NetworkAcl")
def cfn_nacl(r: RawResource, idx: Index) -> tuple[str, Props]:
    hits, doubt = idx.attached("AWS::EC2::NetworkAclEntry", "NetworkAclId", r, [])
    ents: list[Any] = []
    for x in hits:
        e = x.attrs
        if boolean(e.get("Egress"), False) is True:
            continue
        rng = e.get("PortRange") or {}
        ents.append({"RuleNumber": e.get("RuleNumber"), "Protocol": str(e.get("Protocol", "-1")), "RuleAction": e.get("RuleAction"), "Egress": False,
                     **({"Ipv6CidrBlock": e["Ipv6CidrBlock"]} if e.get("Ipv6CidrBlock") else {"CidrBlock": e.get("CidrBlock")}),
                     "PortRange": {"From": rng.get("From"), "To": rng.get("To")} if isinstance(rng, dict) else rng})  # fmt: skip
    if doubt:
        ents.append(doubt)
    return "aws.ec2.network_acl", {"is_default": False, "ingress": _acl(ents)}


@maps(TF, "aws_iam_user")
def tf_user(r: RawResource, idx: Index) -> tuple[str, Props]:
    names = [r.attrs.get("name")]
    att, d1 = idx.attached("aws_iam_user_policy_attachment", "user", r, names)
    inl, d2 = idx.attached("aws_iam_user_policy", "user", r, names)
    return "aws.iam.user", {"active_access_keys": _keys_for(idx, r, "aws_iam_access_key", "user", "status"),
                            "attached_policies": d1 if d1 and not att else [{"arn": text(x.attrs.get("policy_arn"), "")} for x in att],
                            "inline_policies": d2 if d2 and not inl else [text(x.attrs.get("name"), x.address) for x in inl]}  # fmt: skip


@maps(CFN, "AWS::IAM::User")
def cfn_user(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    pols, doubt = idx.attached("AWS::IAM::Policy", "Users", r, [a.get("UserName")])
    inline = [text(p.get("PolicyName"), "") for p in blocks(a.get("Policies")) if isinstance(p, dict)] + [text(x.attrs.get("PolicyName"), x.address) for x in pols]
    return "aws.iam.user", {"active_access_keys": _keys_for(idx, r, "AWS::IAM::AccessKey", "UserName", "Status"),
                            "attached_policies": [{"arn": x} for x in blocks(a.get("ManagedPolicyArns"))],
                            "inline_policies": doubt if doubt and not inline else inline}  # fmt: skip


def _keys_for(idx: Index, r: RawResource, ktype: str, user_attr: str, status_attr: str) -> Any:
    keys, doubt = idx.attached(ktype, user_attr, r, [r.attrs.get("UserName" if ktype.startswith("AWS::") else "name")])
    if doubt and not keys:
        return doubt
    return sum(1 for k in keys if text(k.attrs.get(status_attr), "Active") == "Active")


@maps(TF, "aws_config_configuration_recorder")
def tf_config(r: RawResource, idx: Index) -> tuple[str, Props]:
    group = first(r.attrs.get("recording_group"))
    status, doubt = idx.attached("aws_config_configuration_recorder_status", "name", r, [r.attrs.get("name")])
    recording: Any = doubt if doubt and not status else (boolean(status[-1].attrs.get("is_enabled"), False) if status else False)
    return "aws.config.region", {"recorder_exists": True, "recorder_name": text(r.attrs.get("name"), ""), "recording": recording,
                                 "all_supported": boolean(group.get("all_supported"), True) if isinstance(group, dict) else group}  # fmt: skip


@maps(CFN, "AWS::Config::ConfigurationRecorder")
def cfn_config(r: RawResource, idx: Index) -> tuple[str, Props]:
    group = r.attrs.get("RecordingGroup")
    channel = idx.by_type.get("AWS::Config::DeliveryChannel")
    recording: Any = True if channel else Unknown("no AWS::Config::DeliveryChannel in the template (the recorder starts with one)")
    return "aws.config.region", {"recorder_exists": True, "recorder_name": text(r.attrs.get("Name"), r.address), "recording": recording,
                                 "all_supported": boolean(group.get("AllSupported"), True) if isinstance(group, dict) else (group if group is not None else True)}  # fmt: skip


CLOUDSHELL = "AWSCloudShellFullAccess"
_TF_ATTACH = {"aws_iam_role_policy_attachment": ("role", "role"), "aws_iam_user_policy_attachment": ("user", "user"),
              "aws_iam_group_policy_attachment": ("group", "group")}  # fmt: skip


def _cloudshell(kind: str, name: Any, arns: Any) -> Props:
    u = unknown_in(arns)
    if u is not None:
        return {"cloudshell_full_access": u}
    hit = any(str(a).endswith(":policy/" + CLOUDSHELL) for a in blocks(arns))
    return {"cloudshell_full_access": [{"type": kind, "name": text(name, "")}] if hit else []}


@also(TF, "aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment")
def tf_attachment_account(r: RawResource, idx: Index) -> tuple[str, Props]:
    kind, attr = _TF_ATTACH[r.type]
    return "aws.iam.account", _cloudshell(kind, r.attrs.get(attr), r.attrs.get("policy_arn"))


@also(TF, "aws_iam_role")
def tf_role_account(r: RawResource, idx: Index) -> tuple[str, Props]:
    return "aws.iam.account", _cloudshell("role", r.attrs.get("name"), r.attrs.get("managed_policy_arns") or [])


@also(CFN, "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")
def cfn_identity_account(r: RawResource, idx: Index) -> tuple[str, Props]:
    kind = r.type.rsplit("::", 1)[-1].lower()
    return "aws.iam.account", _cloudshell(kind, r.attrs.get(f"{kind.title()}Name") or r.address, r.attrs.get("ManagedPolicyArns") or [])
