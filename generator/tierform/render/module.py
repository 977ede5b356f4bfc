"""Render a Layout into a Terraform module: relative path -> file content.

A pure function of the ``Layout`` (which carries its blueprint): same input, same bytes.
Every resource comes from ``tierform.layout.plan_layout``, so the HCL and the derived
``Network`` name the same addresses.
"""

from __future__ import annotations

from dataclasses import dataclass

from tierform.layout import Layout
from tierform.render.environment import environment
from tierform.render.filters import hcl_identifier, hcl_string
from tierform.render.hclfmt import align_equals, tidy

__all__ = ["MODULE_FILES", "OutputPlan", "outputs_of", "render_module"]

MODULE_FILES = (
    "versions.tf",
    "variables.tf",
    "vpc.tf",
    "subnets.tf",
    "routes.tf",
    "nat.tf",
    "nacls.tf",
    "security_groups.tf",
    "endpoints.tf",
    "flow_logs.tf",
    "outputs.tf",
    "README.md",
    "example/main.tf",
)


@dataclass(frozen=True)
class OutputPlan:
    name: str
    description: str
    value: str
    """HCL expression; continuation lines are indented for the ``value =`` line."""


def _map_lines(items: list[tuple[str, str]], indent: int) -> str:
    """A multi-line HCL object ``{ key = expr ... }`` opening on the current line."""
    if not items:
        return "{}"
    pad = " " * (indent + 2)
    body = "\n".join(f"{pad}{key} = {value}" for key, value in items)
    return "{\n" + body + "\n" + " " * indent + "}"


def _nested(groups: list[tuple[str, list[tuple[str, str]]]]) -> str:
    """Map of maps (tier -> AZ -> expr) as HCL inside an output's ``value``."""
    if not groups:
        return "{}"
    parts = [f"    {key} = {_map_lines(items, 4)}" for key, items in groups]
    return "{\n" + "\n".join(parts) + "\n  }"


def outputs_of(layout: Layout) -> list[OutputPlan]:
    """The module's outputs, shared by outputs.tf, README.md and example/main.tf."""
    bp = layout.blueprint
    tiers = list(layout.tiers)

    def per_az(kind: str, attribute: str) -> str:
        return _nested([(t, [(hcl_string(s.az), f"{kind}.{s.name}.{attribute}")
                             for s in layout.subnets_of(t)]) for t in tiers])

    def per_tier(kind: str) -> str:
        return _map_lines([(t, f"{kind}.{t}.id") for t in tiers], 2)

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
    if layout.has_igw:
        outs.append(OutputPlan("internet_gateway_id", "ID of the internet gateway.",
                               "aws_internet_gateway.this.id"))
    if layout.nats:
        by_az = {s.name: s.az for s in layout.subnets}
        outs += [
            OutputPlan("nat_gateway_ids", "NAT gateway IDs by availability zone.",
                       _map_lines([(hcl_string(by_az[n.subnet]), f"aws_nat_gateway.{n.name}.id")
                                   for n in layout.nats], 2)),
            OutputPlan("nat_eip_ids", "Elastic IP allocation IDs of the NAT gateways, by AZ.",
                       _map_lines([(hcl_string(by_az[n.subnet]), f"aws_eip.{n.name}.id")
                                   for n in layout.nats], 2)),
            OutputPlan("nat_public_ips", "Public IPv4 addresses of the NAT gateways, by AZ.",
                       _map_lines([(hcl_string(by_az[n.subnet]), f"aws_eip.{n.name}.public_ip")
                                   for n in layout.nats], 2)),
        ]
    if layout.has_vgw:
        outs.append(OutputPlan(
            "vpn_gateway_id",
            "ID of the virtual private gateway for the named networks: attach your VPN or "
            "Direct Connect to it.", "aws_vpn_gateway.this.id"))
    if layout.endpoints:
        outs.append(OutputPlan(
            "vpc_endpoint_ids", "Gateway VPC endpoint IDs by service.",
            _map_lines([(e.service, f"aws_vpc_endpoint.{e.service}.id")
                        for e in layout.endpoints], 2)))
    if bp.flow_logs is not None:
        outs.append(OutputPlan("flow_log_id", "ID of the VPC flow log.", "aws_flow_log.this.id"))
        outs.append(OutputPlan("flow_log_destination_arn",
                               "ARN of the flow log destination (log group or bucket).",
                               "aws_flow_log.this.log_destination"))
    return outs


def render_module(layout: Layout) -> dict[str, str]:
    """Relative path -> content (UTF-8 text, LF endings, ``terraform fmt`` clean)."""
    bp = layout.blueprint
    env = environment()
    context = {
        "bp": bp,
        "layout": layout,
        "module_name": hcl_identifier(bp.name),
        "blueprint_tags": sorted(bp.tags.items()),
        "outputs": outputs_of(layout),
        "nat_tier": layout.nats[0].tier if layout.nats else None,
        "flow_log_format": (" ".join("${" + f + "}" for f in bp.flow_logs.fields)
                            if bp.flow_logs is not None and bp.flow_logs.fields else None),
    }
    files: dict[str, str] = {}
    for path in MODULE_FILES:
        text = env.get_template(path + ".j2").render(context)
        if path.endswith(".tf"):
            text = align_equals(text)
        text = tidy(text)
        if path.endswith(".tf") and not text.strip():
            continue
        files[path] = text
    return dict(sorted(files.items()))
