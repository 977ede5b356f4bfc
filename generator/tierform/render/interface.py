"""The module's interface as data: its input variables and its outputs.

One list of variables writes both ``variables.tf`` and the README's inputs table, and
one list of outputs writes ``outputs.tf``, the README's outputs table and the example's
pass-through outputs, so none of them can disagree with another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from tierform.blueprint.checks import S3_RESERVED_PREFIXES
from tierform.blueprint.model import FlowLogsSpec, Ipv6IpamSpec
from tierform.layout import Layout
from tierform.layout.load_balancer import CERTIFICATE_VARIABLE
from tierform.render.filters import hcl_key, hcl_string, hcl_value

__all__ = [
    "NAME_PREFIX_MAX",
    "Entry",
    "OutputPlan",
    "Validation",
    "Value",
    "VariablePlan",
    "outputs_of",
    "variables_of",
]

NAME_PREFIX_MAX = 24
"""Longest ``name_prefix``: IAM role name prefixes allow 38 characters, and the flow-log
role adds ``-flow-logs-``. A blueprint name (the default prefix) has the same bound."""


@dataclass(frozen=True)
class Validation:
    condition: str
    """HCL expression."""
    error_message: str
    comment: str | None = None
    """Why the condition is what it is (a comment above it in variables.tf)."""


@dataclass(frozen=True)
class VariablePlan:
    name: str
    type: str
    """HCL type expression, e.g. ``map(string)``."""
    default: str
    """HCL literal."""
    description: str
    validation: Validation | None = None


def variables_of(layout: Layout) -> tuple[VariablePlan, ...]:
    """The module's input variables, in the order variables.tf declares them."""
    bp = layout.blueprint
    retention = (bp.flow_logs.retention_days if bp.flow_logs is not None
                 else FlowLogsSpec.model_fields["retention_days"].default)
    return (
        _name_prefix(layout),
        VariablePlan(
            "tags", "map(string)", hcl_value({}),
            "Tags added to every resource, merged over the blueprint's tags (these win)."),
        VariablePlan(
            "flow_log_retention_days", "number", hcl_value(retention),
            "Days to keep VPC flow log records (CloudWatch retention or S3 expiration; "
            "0 = never expire)."),
        VariablePlan(
            "kms_key_id", "string", hcl_value(None),
            "ARN of a KMS key to encrypt the flow log group or bucket with; null uses "
            "AWS-managed encryption."),
    ) + ((VariablePlan(
        "transit_gateway_id", "string", hcl_value(None),
        "ID of the existing transit gateway that reaches the named networks "
        f"{', '.join(layout.transit.networks)} (required).",
        Validation("var.transit_gateway_id != null && can(regex(\"^tgw-[0-9a-f]{8,17}$\", "
                   "var.transit_gateway_id))",
                   "Set transit_gateway_id to the transit gateway's ID (tgw-...).")),)
        if layout.transit is not None else ()) + _ipam_pool(layout) + ((VariablePlan(
        "alarm_queries", "bool", hcl_value(True),
        "Save the alarms' Logs Insights queries (aws_cloudwatch_query_definition); false "
        "where that API is missing (a local emulator)."),)
        if bp.monitoring is not None and bp.monitoring.alarms is not None else ()) + ((
        VariablePlan(
            "firewall_delete_protection", "bool", hcl_value(True),
            "Protect the Network Firewall from deletion (set false before a destroy)."),)
        if layout.inspection is not None else ()) + ((
        VariablePlan(
            CERTIFICATE_VARIABLE, "string", hcl_value(None),
            "ARN of the ACM certificate of the load balancers' HTTPS and TLS listeners "
            "(required).",
            Validation(f"var.{CERTIFICATE_VARIABLE} != null && can(regex(\"^arn:aws[a-z-]*:acm:\", "
                       f"var.{CERTIFICATE_VARIABLE}))",
                       "Set certificate_arn to an ACM certificate's ARN (arn:aws:acm:...).")),)
        if any(lb.certificate for lb in layout.load_balancers) else ())


def _ipam_pool(layout: Layout) -> tuple[VariablePlan, ...]:
    """``ipv6_ipam_pool_id`` when the VPC's /56 comes from an IPAM pool: the blueprint's
    pool by default, another account's or region's pool where the module is reused."""
    ipv6 = layout.blueprint.vpc.ipv6
    if not isinstance(ipv6, Ipv6IpamSpec):
        return ()
    return (VariablePlan(
        "ipv6_ipam_pool_id", "string", hcl_string(ipv6.ipam_pool_id),
        "ID of the IPAM pool the VPC's IPv6 /56 is allocated from.",
        Validation("can(regex(\"^ipam-pool-[0-9a-f]{8,17}$\", var.ipv6_ipam_pool_id))",
                   "Set ipv6_ipam_pool_id to an IPAM pool's ID (ipam-pool-...).")),)


def _name_prefix(layout: Layout) -> VariablePlan:
    """``name_prefix``: where it names an S3 bucket (the flow-log bucket), S3's bucket-name
    rules too (lower case, not a reserved prefix), as ``checks`` applies them to the
    blueprint name, its default: a prefix S3 refuses fails at plan, not at apply."""
    bp = layout.blueprint
    logs = bp.flow_logs
    bucket = logs is not None and logs.destination == "s3" and logs.bucket_arn is None
    if not bucket:
        pattern = f"^[A-Za-z0-9-]{{1,{NAME_PREFIX_MAX}}}$"
        return VariablePlan(
            "name_prefix", "string", hcl_string(bp.name),
            "Prefix of every Name tag and generated resource name (letters, digits and hyphens).",
            Validation(
                f"can(regex({hcl_string(pattern)}, var.name_prefix))",
                f"The name_prefix must be 1-{NAME_PREFIX_MAX} letters, digits or hyphens.",
                "IAM role name prefixes are limited to 38 characters, including the "
                '"-flow-logs-" suffix.'))
    pattern = f"^[a-z0-9][a-z0-9-]{{0,{NAME_PREFIX_MAX - 1}}}$"
    reserved = " && ".join(f"!startswith(var.name_prefix, {hcl_string(p)})"
                           for p in S3_RESERVED_PREFIXES)
    return VariablePlan(
        "name_prefix", "string", hcl_string(bp.name),
        "Prefix of every Name tag and generated resource name (lower-case letters, digits and "
        "hyphens: it starts the flow-log S3 bucket's name).",
        Validation(
            f"can(regex({hcl_string(pattern)}, var.name_prefix)) && {reserved}",
            f"The name_prefix must be 1-{NAME_PREFIX_MAX} lower-case letters, digits or "
            "hyphens, starting with a letter or digit and not with "
            f"{', '.join(S3_RESERVED_PREFIXES)}: it starts the flow-log S3 bucket's name.",
            "S3 bucket names are lower case and may not start with a reserved prefix; the "
            "bucket prefix adds \"-flow-logs-\" (37 characters at most)."))


@dataclass(frozen=True)
class Entry:
    """One ``key = value`` of an HCL object."""

    key: str
    """As written: a bare identifier (``web``) or a quoted string (``"us-east-1a"``, and
    names HCL reads as keywords, ``"for"``)."""
    value: Value


Value: TypeAlias = "str | tuple[Entry, ...]"
"""An HCL expression, or an object of entries (written one entry a line)."""


@dataclass(frozen=True)
class OutputPlan:
    name: str
    description: str
    value: Value


def outputs_of(layout: Layout) -> tuple[OutputPlan, ...]:
    """The module's outputs, shared by outputs.tf, README.md and example/main.tf."""
    tiers = layout.tiers

    def per_az(kind: str, attribute: str) -> Value:
        return tuple(
            Entry(hcl_key(t), tuple(Entry(hcl_string(s.az), f"{kind}.{s.name}.{attribute}")
                                    for s in layout.subnets_of(t)))
            for t in tiers)

    def per_tier(kind: str) -> Value:
        return tuple(Entry(hcl_key(t), f"{kind}.{t}.id") for t in tiers)

    def per_nat(kind: str, attribute: str) -> Value:
        return tuple(Entry(hcl_string(n.az), f"{kind}.{n.name}.{attribute}")
                     for n in layout.nats)

    outs = [
        OutputPlan("vpc_id", "ID of the VPC.", "aws_vpc.this.id"),
        OutputPlan("vpc_cidr_block", "IPv4 CIDR block of the VPC.", "aws_vpc.this.cidr_block"),
        OutputPlan("subnet_ids", "Subnet IDs by tier and availability zone.",
                   per_az("aws_subnet", "id")),
        OutputPlan("subnet_cidr_blocks", "Subnet CIDR blocks by tier and availability zone.",
                   per_az("aws_subnet", "cidr_block")),
        OutputPlan("route_table_ids", "Route table IDs by tier and availability zone.",
                   per_az("aws_route_table", "id")),
        OutputPlan("network_acl_ids", "Network ACL IDs by tier.", per_tier("aws_network_acl")),
        OutputPlan("security_group_ids", "Security group IDs by tier.",
                   per_tier("aws_security_group")),
    ]
    if layout.ipv6:
        outs.append(OutputPlan("vpc_ipv6_cidr_block",
                               "The VPC's Amazon-provided IPv6 block (/56)."
                               if layout.blueprint.vpc.ipv6 == "amazon" else
                               "The VPC's IPv6 block (/56), from the IPAM pool.",
                               "aws_vpc.this.ipv6_cidr_block"))
        outs.append(OutputPlan(
            "subnet_ipv6_cidr_blocks",
            "Subnet IPv6 blocks (/64) by tier and availability zone (dual-stack tiers).",
            tuple(Entry(hcl_key(t), tuple(Entry(hcl_string(s.az),
                                                f"aws_subnet.{s.name}.ipv6_cidr_block")
                                          for s in layout.subnets_of(t)))
                  for t in tiers if any(s.ipv6_index is not None for s in layout.subnets_of(t)))))
    if layout.has_igw:
        outs.append(OutputPlan("internet_gateway_id", "ID of the internet gateway.",
                               "aws_internet_gateway.this.id"))
    if layout.nats:
        outs += [
            OutputPlan("nat_gateway_ids", "NAT gateway IDs by availability zone.",
                       per_nat("aws_nat_gateway", "id")),
            OutputPlan("nat_eip_ids", "Elastic IP allocation IDs of the NAT gateways, by AZ.",
                       per_nat("aws_eip", "id")),
            OutputPlan("nat_public_ips", "Public IPv4 addresses of the NAT gateways, by AZ.",
                       per_nat("aws_eip", "public_ip")),
        ]
    if layout.has_eigw:
        outs.append(OutputPlan("egress_only_internet_gateway_id",
                               "ID of the egress-only internet gateway (private tiers' IPv6).",
                               "aws_egress_only_internet_gateway.this.id"))
    if layout.has_vgw:
        outs.append(OutputPlan(
            "vpn_gateway_id",
            "ID of the virtual private gateway for the named networks: attach your VPN or "
            "Direct Connect to it.", "aws_vpn_gateway.this.id"))
    if layout.vpns:
        outs.append(OutputPlan(
            "vpn_connection_ids", "Site-to-site VPN connection IDs, by named network.",
            tuple(Entry(hcl_key(v.network), f"aws_vpn_connection.{v.network}.id")
                  for v in layout.vpns)))
        outs.append(OutputPlan(
            "vpn_tunnel_addresses",
            "AWS's outside addresses of each VPN connection's two tunnels, by named network: "
            "configure them on the customer gateway (the pre-shared keys are in the state).",
            tuple(Entry(hcl_key(v.network),
                        f"[aws_vpn_connection.{v.network}.tunnel1_address, "
                        f"aws_vpn_connection.{v.network}.tunnel2_address]")
                  for v in layout.vpns)))
    if layout.endpoints:
        outs.append(OutputPlan(
            "vpc_endpoint_ids", "Gateway VPC endpoint IDs by service.",
            tuple(Entry(hcl_key(e.service), f"aws_vpc_endpoint.{e.service}.id")
                  for e in layout.endpoints)))
    if layout.transit is not None:
        outs.append(OutputPlan(
            "transit_gateway_attachment_id", "ID of the VPC's transit gateway attachment.",
            "aws_ec2_transit_gateway_vpc_attachment.this.id"))
        outs.append(OutputPlan(
            "transit_subnet_ids", "IDs of the transit attachment's subnets, by AZ.",
            tuple(Entry(hcl_string(az), f"aws_subnet.{name}.id")
                  for name, az, _ in layout.transit.subnets)))
    if layout.inspection is not None:
        outs.append(OutputPlan("firewall_arn", "ARN of the Network Firewall.",
                               "aws_networkfirewall_firewall.this.arn"))
        outs.append(OutputPlan(
            "firewall_endpoint_ids", "The Network Firewall's endpoint IDs, by AZ.",
            "{ for s in aws_networkfirewall_firewall.this.firewall_status[0].sync_states : "
            "s.availability_zone => s.attachment[0].endpoint_id }"))
        outs.append(OutputPlan(
            "firewall_subnet_ids", "IDs of the firewall endpoints' subnets, by AZ.",
            tuple(Entry(hcl_string(f.az), f"aws_subnet.{f.name}.id")
                  for f in layout.inspection.subnets)))
    if layout.interface_endpoints:
        outs.append(OutputPlan(
            "interface_endpoint_ids", "Interface VPC endpoint IDs by service.",
            tuple(Entry(hcl_string(e.service), f"aws_vpc_endpoint.{e.name}.id")
                  for e in layout.interface_endpoints)))
        outs.append(OutputPlan(
            "interface_endpoint_security_group_ids",
            "Security group IDs of the interface endpoints, by service.",
            tuple(Entry(hcl_string(e.service), f"aws_security_group.{e.group}.id")
                  for e in layout.interface_endpoints)))
    if layout.load_balancers:
        lbs = layout.load_balancers
        outs.append(OutputPlan(
            "load_balancer_dns_names", "DNS names of the load balancers, by tier.",
            tuple(Entry(hcl_key(lb.tier), f"aws_lb.{lb.name}.dns_name") for lb in lbs)))
        outs.append(OutputPlan(
            "load_balancer_target_group_arns",
            "ARNs of the load balancers' target groups, by tier: register the target "
            "tier's hosts by IP address.",
            tuple(Entry(hcl_key(lb.tier), f"aws_lb_target_group.{lb.name}.arn")
                  for lb in lbs)))
        outs.append(OutputPlan(
            "load_balancer_security_group_ids",
            "Security group IDs of the load balancers, by tier.",
            tuple(Entry(hcl_key(lb.tier), f"aws_security_group.{lb.group}.id")
                  for lb in lbs)))
    if layout.blueprint.flow_logs is not None:
        outs.append(OutputPlan("flow_log_id", "ID of the VPC flow log.", "aws_flow_log.this.id"))
        outs.append(OutputPlan("flow_log_destination_arn",
                               "ARN of the flow log destination (log group or bucket).",
                               "aws_flow_log.this.log_destination"))
    return tuple(outs)
