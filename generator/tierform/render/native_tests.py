"""The module's own ``terraform test`` file: the blueprint's intent as plan-time assertions.

A team without Python runs ``terraform test`` in a rendered module and learns whether
its rules, routes and defaults are still exactly what the blueprint asks for. Every
assertion reads values Terraform knows at plan time (literals of the module); ids of
other resources are unknown then, so a security group rule's peer group and a route's
target are checked only for what they are not (no CIDR, no other kind of gateway).
``terraform test`` cannot list a module's resources, so a rule ADDED by hand is not
caught here: that is ``tierform verify``'s and the pytest plugin's job (README).
"""

from __future__ import annotations

from dataclasses import dataclass

from tierform.layout import Layout
from tierform.layout.model import NaclRulePlan, SgRulePlan, SubnetPlan
from tierform.render.filters import hcl_string, hcl_value
from tierform.render.rules import port_fields

__all__ = ["TEST_FILE", "TEST_REQUIRED_VERSION", "NativeAssert", "native_asserts",
           "offline_provider_lines"]

TEST_FILE = "tests/layering.tftest.hcl"
TEST_REQUIRED_VERSION = (1, 6)
"""``terraform test`` (and ``.tftest.hcl`` files) arrived in Terraform 1.6."""

# Fake access and secret key: with the skip_* flags the provider never calls AWS during
# a plan, so any non-empty value does.
_OFFLINE_CREDENTIAL = "tierform-offline"


def offline_provider_lines(region: str) -> list[str]:
    """The ``provider "aws"`` block that plans with no network and no AWS account.

    The skip_* flags stop the provider from validating credentials, asking STS for the
    account ID, probing the EC2 metadata service and checking the region name. One
    definition for the runner's offline plans and the module's native tests.
    """
    return [
        'provider "aws" {',
        f"  region                      = {hcl_string(region)}",
        f"  access_key                  = {hcl_string(_OFFLINE_CREDENTIAL)}",
        f"  secret_key                  = {hcl_string(_OFFLINE_CREDENTIAL)}",
        "  skip_credentials_validation = true",
        "  skip_requesting_account_id  = true",
        "  skip_metadata_api_check     = true",
        "  skip_region_validation      = true",
        "}",
    ]


@dataclass(frozen=True)
class NativeAssert:
    """One ``assert`` block: why (a comment), the conditions (all must hold), the message."""

    comment: str
    conditions: tuple[str, ...]
    message: str


def _equal(address: str, attribute: str, value: object) -> str:
    return f"{address}.{attribute} == {hcl_value(value)}"


def _nacl_assert(rule: NaclRulePlan) -> NativeAssert:
    address = f"aws_network_acl_rule.{rule.name}"
    fields = dict(port_fields(rule))
    expected: dict[str, object] = {
        "rule_number": rule.rule_number,
        "egress": rule.egress,
        "protocol": rule.protocol,
        "rule_action": rule.action,
        "cidr_block": None if rule.ipv6 else rule.cidr,
        "ipv6_cidr_block": rule.cidr if rule.ipv6 else None,
    }
    if rule.ipv6 and ":" not in rule.cidr:
        # A block of the VPC's /56 is unknown until apply: `tierform verify` reads it
        # from the configuration; here only that the rule names no IPv4 block.
        del expected["ipv6_cidr_block"]
    # Every port attribute is pinned, the unused ones to null: no rule wider than its flow.
    for key in ("from_port", "to_port", "icmp_type", "icmp_code"):
        expected[key] = fields.get(key)
    direction = "egress" if rule.egress else "ingress"
    ports = (f" {rule.from_port}-{rule.to_port}" if fields else "")
    return NativeAssert(
        rule.description,
        tuple(_equal(address, key, value) for key, value in expected.items()),
        f"{address} must be exactly rule {rule.rule_number}: {direction} {rule.action} "
        f"{rule.protocol}{ports} {'to' if rule.egress else 'from'} {rule.cidr} "
        f"({rule.description})")


def _sg_assert(rule: SgRulePlan) -> NativeAssert:
    kind = "egress" if rule.egress else "ingress"
    address = f"aws_vpc_security_group_{kind}_rule.{rule.name}"
    fields = dict(port_fields(rule))
    expected: dict[str, object] = {"ip_protocol": rule.protocol,
                                   "from_port": fields.get("from_port"),
                                   "to_port": fields.get("to_port"),
                                   "cidr_ipv6": None, "prefix_list_id": None}
    if rule.peer_tier is None:
        ipv6 = rule.cidr is not None and ":" in rule.cidr
        expected["cidr_ipv4"] = None if ipv6 else rule.cidr
        expected["cidr_ipv6"] = rule.cidr if ipv6 else None
        expected["referenced_security_group_id"] = None
        peer = str(rule.cidr)
    else:
        # The peer group's id is known only after apply: the rule names no CIDR instead.
        expected["cidr_ipv4"] = None
        peer = f"the {rule.peer_tier} tier's group"
    ports = f" {rule.from_port}-{rule.to_port}" if fields else ""
    return NativeAssert(
        rule.description,
        tuple(_equal(address, key, value) for key, value in expected.items()),
        f"{address} must be exactly: {kind} {rule.protocol}{ports} "
        f"{'to' if rule.egress else 'from'} {peer} ({rule.description})")


def _route_asserts(layout: Layout) -> list[NativeAssert]:
    out: list[NativeAssert] = []
    for s in layout.subnets:
        table = f"aws_route_table.{s.name}"
        networks = layout.network_routes_of(s.name)
        if s.default_route is None and not networks:
            out.append(NativeAssert(
                f"tier {s.tier} ({s.exposure}), {s.az}: local routes only",
                (f"length({table}.route) == 0",),
                f"{table} (tier {s.tier}, {s.exposure}) must have no route besides the "
                "local one"))
        retargeted = (layout.inspection.retargeted(s.name)
                      if layout.inspection is not None else None)
        if s.default_route is not None and retargeted is not None:
            route = f"aws_route.{s.name}_default"
            out.append(NativeAssert(
                f"tier {s.tier} ({s.exposure}), {s.az}: default route to the firewall "
                f"endpoint of {retargeted.az}",
                (_equal(route, "destination_cidr_block", "0.0.0.0/0"),
                 _equal(route, "gateway_id", None), _equal(route, "nat_gateway_id", None)),
                f"{route} must send 0.0.0.0/0 to the firewall endpoint of {retargeted.az} only"))
        elif s.default_route is not None:
            route = f"aws_route.{s.name}_default"
            other = "nat_gateway_id" if s.default_route == "igw" else "gateway_id"
            target = "the internet gateway" if s.default_route == "igw" else \
                f"NAT gateway {s.nat}"
            out.append(NativeAssert(
                f"tier {s.tier} ({s.exposure}), {s.az}: default route to {target}",
                (_equal(route, "destination_cidr_block", "0.0.0.0/0"),
                 _equal(route, other, None)),
                f"{route} must send 0.0.0.0/0 to {target} only"))
        if s.ipv6_route is not None:
            route = f"aws_route.{s.name}_default_ipv6"
            target = ("the internet gateway" if s.ipv6_route == "igw"
                      else "the egress-only internet gateway")
            unused = ("egress_only_gateway_id", "nat_gateway_id") if s.ipv6_route == "igw" \
                else ("gateway_id", "nat_gateway_id")
            out.append(NativeAssert(
                f"tier {s.tier} ({s.exposure}), {s.az}: IPv6 default route to {target}",
                (_equal(route, "destination_ipv6_cidr_block", "::/0"),
                 _equal(route, "destination_cidr_block", None),
                 *(_equal(route, key, None) for key in unused)),
                f"{route} must send ::/0 to {target} only"))
        for r in networks:
            route = f"aws_route.{r.name}"
            if r.cidr is None:  # the prefix list's id is known after apply only
                out.append(NativeAssert(
                    f"tier {s.tier}, {s.az}: {r.network} (prefix list) through its gateway",
                    (_equal(route, "destination_cidr_block", None),
                     _equal(route, "nat_gateway_id", None)),
                    f"{route} must send the prefix list of {r.network} only to its gateway"))
                continue
            key = "destination_ipv6_cidr_block" if r.cidr.version == 6 \
                else "destination_cidr_block"
            out.append(NativeAssert(
                f"tier {s.tier}, {s.az}: {r.network} through the VPN gateway",
                (_equal(route, key, str(r.cidr)),
                 _equal(route, "nat_gateway_id", None)),
                f"{route} must send {r.cidr} ({r.network}) to the VPN gateway only"))
    return out


def _transit_asserts(layout: Layout) -> list[NativeAssert]:
    """The attachment's subnets: local-only tables, and exactly its ACL's rules."""
    if layout.transit is None:
        return []
    out = [NativeAssert(
        f"transit attachment, {az}: {cidr}",
        (_equal(f"aws_subnet.{name}", "cidr_block", str(cidr)),
         _equal(f"aws_subnet.{name}", "availability_zone", az),
         _equal(f"aws_subnet.{name}", "map_public_ip_on_launch", False)),
        f"aws_subnet.{name} must be {cidr} in {az} with no public IPs on launch")
        for name, az, cidr in layout.transit.subnets]
    out += [NativeAssert(
        f"transit attachment, {az}: local routes only",
        (f"length(aws_route_table.{name}.route) == 0",),
        f"aws_route_table.{name} (transit attachment) must have no route besides the local one")
        for name, az, _ in layout.transit.subnets]
    return out + [_nacl_assert(r) for r in layout.transit.acl_rules]


_UNUSED_TARGETS = {"firewall": ("gateway_id", "nat_gateway_id"),
                   "igw": ("nat_gateway_id", "vpc_endpoint_id"),
                   "nat": ("gateway_id", "vpc_endpoint_id")}
"""An inspection route's target keys that must stay null (its own is an expression)."""


def _inspection_asserts(layout: Layout) -> list[NativeAssert]:
    """The firewall subnets, the routes the inspection adds (the retargeted defaults are
    the tiers' own, above) and the firewall subnets' ACL."""
    if layout.inspection is None:
        return []
    out = [NativeAssert(
        f"firewall endpoint subnet, {f.az}: {f.cidr}",
        (_equal(f"aws_subnet.{f.name}", "cidr_block", str(f.cidr)),
         _equal(f"aws_subnet.{f.name}", "availability_zone", f.az),
         _equal(f"aws_subnet.{f.name}", "map_public_ip_on_launch", False)),
        f"aws_subnet.{f.name} must be {f.cidr} in {f.az} with no public IPs on launch")
        for f in layout.inspection.subnets]
    for r in layout.inspection.routes:
        if r.retargets:
            continue
        route = f"aws_route.{r.name}"
        target = {"firewall": f"the firewall endpoint of {r.az}",
                  "igw": "the internet gateway", "nat": f"NAT gateway {r.nat}"}[r.target]
        out.append(NativeAssert(
            f"{r.table}: {r.destination} to {target}",
            (_equal(route, "destination_cidr_block", r.destination),
             *(_equal(route, key, None) for key in _UNUSED_TARGETS[r.target])),
            f"{route} must send {r.destination} to {target} only"))
    return out + [_nacl_assert(r) for r in layout.inspection.acl_rules]


def _subnet_asserts(layout: Layout) -> list[NativeAssert]:
    return [_ipv6_only_assert(s) if s.ipv6_only else NativeAssert(
        f"tier {s.tier} ({s.exposure}), {s.az}: {s.cidr}",
        (_equal(f"aws_subnet.{s.name}", "cidr_block", str(s.cidr)),
         _equal(f"aws_subnet.{s.name}", "availability_zone", s.az),
         _equal(f"aws_subnet.{s.name}", "map_public_ip_on_launch", s.map_public_ip),
         # Dual-stack: its /64 is unknown until apply; that hosts get IPv6 addresses is not.
         *((_equal(f"aws_subnet.{s.name}", "assign_ipv6_address_on_creation", True),)
           if s.ipv6_index is not None else ())),
        f"aws_subnet.{s.name} must be {s.cidr} in {s.az}"
        f"{' (public IPs on launch)' if s.map_public_ip else ' with no public IPs on launch'}")
        for s in layout.subnets]


def _ipv6_only_assert(s: SubnetPlan) -> NativeAssert:
    """An IPv6-only subnet: native, no IPv4 block, DNS64 exactly where NAT64 is routed."""
    return NativeAssert(
        f"tier {s.tier} ({s.exposure}), {s.az}: IPv6 only",
        (_equal(f"aws_subnet.{s.name}", "ipv6_native", True),
         _equal(f"aws_subnet.{s.name}", "availability_zone", s.az),
         _equal(f"aws_subnet.{s.name}", "assign_ipv6_address_on_creation", True),
         _equal(f"aws_subnet.{s.name}", "enable_dns64", s.nat64 is not None)),
        f"aws_subnet.{s.name} must be IPv6-only in {s.az}"
        f"{' with DNS64' if s.nat64 is not None else ' without DNS64'}")


def _default_asserts() -> list[NativeAssert]:
    return [
        NativeAssert("the default security group has no rules",
                     ("length(aws_default_security_group.this.ingress) == 0",
                      "length(aws_default_security_group.this.egress) == 0"),
                     "aws_default_security_group.this must have no rules"),
        NativeAssert("the default network ACL has no rules",
                     ("length(aws_default_network_acl.this.ingress) == 0",
                      "length(aws_default_network_acl.this.egress) == 0"),
                     "aws_default_network_acl.this must have no rules"),
        NativeAssert("the main route table has no routes",
                     ("length(aws_default_route_table.this.route) == 0",),
                     "aws_default_route_table.this must have no routes"),
    ]


def native_asserts(layout: Layout) -> dict[str, list[NativeAssert]]:
    """Section title -> its assertions, in render order (same layout, same file)."""
    return {
        "Defaults: nothing passes through what AWS creates with the VPC": _default_asserts(),
        "Subnets: each tier's allocated CIDRs": _subnet_asserts(layout),
        "Routes: isolated tiers have no route out; the others only the routes their "
        "exposure needs": _route_asserts(layout),
        "Network ACL rules: each flow's legs, exactly its ports, protocol and peers":
            [_nacl_assert(r) for r in layout.nacl_rules],
        "Transit attachment: local-only tables, and its ACL admits the VPC and the networks "
        "behind the gateway only": _transit_asserts(layout),
        "Inspection: the firewall endpoints' subnets, each route through an endpoint of its "
        "own AZ, and the firewall subnets' ACL": _inspection_asserts(layout),
        "Security group rules: each flow's rules, exactly its ports, protocol and peers":
            [_sg_assert(r) for r in layout.sg_rules],
    }
