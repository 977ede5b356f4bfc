"""Every resource name of a rendered module, and the one check that no two are alike.

Two resources of one type with one name are one address: Terraform refuses the module,
or (worse) Tierform's own de-duplication kept one and dropped a flow. So names are made
injective by construction where Tierform chooses the scheme, and the rest is checked
here, once, against everything the module will hold (``addresses``); a clash is a
validate finding (exit 2), never a module.

By construction:

- **NACL rules** ``<tier>_<in|out>_<number>``: read from the right, the number, then the
  direction, then the tier; numbers are unique per ACL direction (or a finding, below).
- **Security-group rules** ``<tier>_<from|to>_<peer>_<ports>`` with every ``_`` inside the
  tier and the peer name written twice (``escape``): read left to right, a single ``_``
  separates, a double one is part of a name. Names start with a letter, so a run of
  underscores splits one way only (an odd run ends with the separator). Tiers and peers
  without ``_`` keep the names Tierform always gave them; ``a`` from ``b_from_c`` is
  ``a_from_b__from__c_tcp_80`` and ``a_from_b`` from ``c`` is ``a__from__b_from_c_tcp_80``.
- **Output keys** are quoted where HCL would read them as keywords (``"for"``:
  ``tierform.render.filters.hcl_key``).

Checked (a clash is refused with a finding that says what to rename):

- **Subnets** and everything named after them (route table, associations, NAT gateway,
  EIP, routes) are ``<tier>_<zone suffix>``, the names applied networks already carry:
  zones whose suffixes read alike (``us-east-1a``, ``us-east-1-a``), or a tier and zone
  that spell another tier's subnet (``web`` in ``us-east-1-a-b``, ``web_a`` in
  ``us-east-1b``), are refused rather than renamed.
- **Routes** ``<subnet>_default`` and ``<subnet>_<network>``: a network named ``default``
  next to a default route, or ``web`` + ``b_corp`` beside ``web_a`` + ``corp``, is refused.
- **Rule numbers**: two flows whose slots (``tierform.layout.numbering``) put rules on
  the same number of one ACL direction are refused, with an id for one of them whose
  numbers are free.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol

from tierform.blueprint.checks import Locator
from tierform.blueprint.model import Blueprint, PortRange
from tierform.errors import Finding
from tierform.layout.model import Layout, NaclRulePlan
from tierform.layout.numbering import MAX_NETWORKS, Band, flow_slot, rule_number
from tierform.layout.quotas import Unlocated

__all__ = [
    "addresses",
    "az_suffix",
    "check_names",
    "default_route_name",
    "endpoint_association_name",
    "escape",
    "legacy_sg_rule_name",
    "nacl_rule_name",
    "network_route_name",
    "ports_key",
    "secondary_block_name",
    "sg_rule_name",
    "subnet_name",
    "vpn_route_name",
]


def az_suffix(region: str, az: str) -> str:
    """``us-east-1a`` -> ``a``: the AZ's part after the region, as an identifier."""
    rest = az[len(region):] if az.startswith(region) else az
    return re.sub(r"[^a-z0-9_]", "_", rest.lower()).strip("_") or "az"


def escape(name: str) -> str:
    """A tier or peer name inside a compound name: each ``_`` doubled (see the module doc)."""
    return name.replace("_", "__")


def ports_key(protocol: str, ports: PortRange) -> str:
    """``tcp_443``, ``tcp_1024_65535``, ``icmp`` or ``all``: the ports part of a rule name."""
    if protocol in ("all", "-1"):
        return "all"
    if protocol == "icmp":
        return "icmp"
    low, high = ports
    return f"{protocol}_{low}" if low == high else f"{protocol}_{low}_{high}"


def subnet_name(tier: str, suffix: str) -> str:
    """Subnet, its route table and associations, NAT gateway and EIP: ``web_a``."""
    return f"{tier}_{suffix}"


def nacl_rule_name(tier: str, egress: bool, number: int) -> str:
    return f"{tier}_{'out' if egress else 'in'}_{number}"


def sg_rule_name(tier: str, egress: bool, peer: str, protocol: str, ports: PortRange, *,
                 ipv6: bool = False) -> str:
    """``ipv6``: the ``::/0`` twin of an internet rule, ``<tier>_from_internet_ipv6_<ports>``
    (unambiguous: a ports key never starts with ``ipv6``, and ``internet`` is reserved)."""
    return (f"{escape(tier)}_{'to' if egress else 'from'}_{escape(peer)}_"
            f"{'ipv6_' if ipv6 else ''}{ports_key(protocol, ports)}")


def legacy_sg_rule_name(tier: str, egress: bool, peer: str, protocol: str,
                        ports: PortRange, *, ipv6: bool = False) -> str:
    """The name Tierform gave the same rule before names were escaped (for ``moved``)."""
    return (f"{tier}_{'to' if egress else 'from'}_{peer}_{'ipv6_' if ipv6 else ''}"
            f"{ports_key(protocol, ports)}")


def default_route_name(subnet: str) -> str:
    return f"{subnet}_default"


def network_route_name(subnet: str, network: str) -> str:
    return f"{subnet}_{network}"


def vpn_route_name(network: str, cidr: object) -> str:
    """``corp`` and ``192.168.0.0/16`` -> ``corp_192_168_0_0_16``: a VPN connection route,
    named by its network and CIDR (adding a CIDR never renames another's route)."""
    return f"{network}_" + str(cidr).replace(".", "_").replace("/", "_")


def endpoint_association_name(service: str, table: str) -> str:
    return f"{service}_{table}"


def secondary_block_name(cidr: object) -> str:
    """``100.64.0.0/16`` -> ``secondary_100_64_0_0_16``: the CIDR association's name (by
    the block itself, never its place in the list)."""
    return "secondary_" + str(cidr).replace(".", "_").replace("/", "_")


def addresses(layout: Layout) -> dict[str, list[str]]:
    """Every resource address the module holds -> what each resource of that address is
    (more than one: a clash). The templates write exactly these (a unit test compares)."""
    bp = layout.blueprint
    found: dict[str, list[str]] = {}

    def add(address: str, what: str) -> None:
        found.setdefault(address, []).append(what)

    for single in ("aws_vpc.this", "aws_default_route_table.this",
                   "aws_default_network_acl.this", "aws_default_security_group.this"):
        add(single, "the module's own")
    for cidr in bp.vpc.secondary_cidrs:
        add(f"aws_vpc_ipv4_cidr_block_association.{secondary_block_name(cidr)}",
            f"the secondary CIDR {cidr}")
    if layout.has_igw:
        add("aws_internet_gateway.this", "the internet gateway")
    if layout.has_vgw:
        add("aws_vpn_gateway.this", "the virtual private gateway")
    for vpn in layout.vpns:
        add(f"aws_customer_gateway.{vpn.network}", f"network {vpn.network}'s customer gateway")
        add(f"aws_vpn_connection.{vpn.network}", f"network {vpn.network}'s VPN connection")
        for name, cidr in vpn.routes:
            add(f"aws_vpn_connection_route.{name}", f"the VPN route to {cidr}")
    if layout.has_eigw:
        add("aws_egress_only_internet_gateway.this", "the egress-only internet gateway")
    for tier in layout.tiers:
        add(f"aws_network_acl.{tier}", f"tier {tier}'s network ACL")
        add(f"aws_security_group.{tier}", f"tier {tier}'s security group")
    for s in layout.subnets:
        what = f"tier {s.tier}'s subnet in {s.az}"
        for kind in ("aws_subnet", "aws_route_table", "aws_route_table_association",
                     "aws_network_acl_association"):
            add(f"{kind}.{s.name}", what)
        if s.default_route is not None:
            add(f"aws_route.{default_route_name(s.name)}", f"the default route of {what}")
        if s.ipv6_route is not None:
            add(f"aws_route.{default_route_name(s.name)}_ipv6",
                f"the IPv6 default route of {what}")
        if s.nat64 is not None:
            add(f"aws_route.{s.name}_nat64", f"the NAT64 route of {what}")
    for n in layout.nats:
        add(f"aws_nat_gateway.{n.name}", f"the NAT gateway in {n.az}")
        add(f"aws_eip.{n.name}", f"the NAT gateway's address in {n.az}")
    for r in layout.network_routes:
        subnet = next(s for s in layout.subnets if s.name == r.subnet)
        add(f"aws_route.{r.name}",
            f"the route of tier {subnet.tier}'s subnet in {subnet.az} to network {r.network}")
    for e in layout.endpoints:
        add(f"aws_vpc_endpoint.{e.service}", f"the {e.service} endpoint")
        for table in e.route_tables:
            add(f"aws_vpc_endpoint_route_table_association."
                f"{endpoint_association_name(e.service, table)}",
                f"the {e.service} endpoint's association with {table}")
    if layout.transit is not None:
        add("aws_ec2_transit_gateway_vpc_attachment.this", "the transit gateway attachment")
        add("aws_network_acl.transit", "the transit attachment subnets' network ACL")
        for name, az, _ in layout.transit.subnets:
            for kind in ("aws_subnet", "aws_route_table", "aws_route_table_association",
                         "aws_network_acl_association"):
                add(f"{kind}.{name}", f"the transit attachment's subnet in {az}")
        for rule in layout.transit.acl_rules:
            add(f"aws_network_acl_rule.{rule.name}",
                f"rule {rule.rule_number} of the transit attachment's ACL")
    if layout.inspection is not None:
        _inspection_addresses(layout, add)
    for i in layout.interface_endpoints:
        add(f"aws_vpc_endpoint.{i.name}", f"the {i.service} interface endpoint")
        add(f"aws_security_group.{i.group}", f"the {i.service} interface endpoint's security "
                                             "group")
    for lb in layout.load_balancers:
        what = f"tier {lb.tier}'s load balancer"
        add(f"aws_lb.{lb.name}", what)
        add(f"aws_security_group.{lb.group}", f"{what}'s security group")
        add(f"aws_lb_target_group.{lb.name}", f"{what}'s target group")
        for port, _ in lb.listeners:
            add(f"aws_lb_listener.{lb.name}_{port}", f"{what}'s listener on {port}")
    for rule in layout.nacl_rules:
        add(f"aws_network_acl_rule.{rule.name}",
            f"rule {rule.rule_number} of tier {rule.tier}'s "
            f"{'outbound' if rule.egress else 'inbound'} ACL"
            + (f" (flow {rule.flow})" if rule.flow is not None else ""))
    for sg in layout.sg_rules:
        kind = "egress" if sg.egress else "ingress"
        add(f"aws_vpc_security_group_{kind}_rule.{sg.name}",
            f"a rule of tier {sg.tier}'s security group (flow {sg.flow})")
    if bp.flow_logs is not None:
        add("aws_flow_log.this", "the flow log")
    return found


def check_names(bp: Blueprint, layout: Layout, source_map: Locator | None = None,
                file: str = "<blueprint>") -> list[Finding]:
    """A finding for every address two resources would share, located at what to rename."""
    locator = source_map or Unlocated()

    def finding(code: str, path: tuple[str | int, ...], message: str, hint: str, *,
                at_key: bool = False) -> Finding:
        line, column = (locator.locate_key if at_key else locator.locate)(path)
        return Finding(path=path, message=message, hint=hint, file=file, line=line,
                       column=column, code=code)

    findings: list[Finding] = []
    if len(bp.networks) > MAX_NETWORKS:
        findings.append(finding(
            "network-count", ("networks",),
            f"{len(bp.networks)} named networks; the ACLs' deny band has room for "
            f"{MAX_NETWORKS}", "merge named networks", at_key=True))
    if layout.transit is not None:
        numbers: dict[tuple[bool, int], str] = {}
        for rule in layout.transit.acl_rules:
            other = numbers.setdefault((rule.egress, rule.rule_number), rule.cidr)
            if other != rule.cidr:
                findings.append(finding(
                    "rule-number-clash", ("networks",),
                    f"the transit attachment's ACL would number {other} and {rule.cidr} "
                    f"both {rule.rule_number} (numbers come from 'transit:<cidr>')",
                    "reach one of these networks through the VPN gateway (via: vgw), or "
                    "report this to Tierform", at_key=True))
                break
    subnet_clash = _subnet_clashes(bp, layout, finding)
    findings += subnet_clash
    findings += _number_clashes(bp, layout, finding)
    clashes = {address: whats for address, whats in addresses(layout).items()
               if len(whats) > 1}
    for address, whats in clashes.items():
        kind, _, name = address.partition(".")
        if subnet_clash and kind != "aws_network_acl_rule" and _subnet_based(layout, name):
            continue  # reported once, at the zones or tiers
        if kind == "aws_network_acl_rule":
            continue  # reported with the flows (_number_clashes)
        findings.append(_route_or_other_clash(bp, layout, address, whats, finding))
    return findings


# --- clashes, each reported at the key to change ---------------------------------------------


class _FindingFactory(Protocol):
    def __call__(self, code: str, path: tuple[str | int, ...], message: str, hint: str, *,
                 at_key: bool = False) -> Finding: ...


def _subnet_based(layout: Layout, name: str) -> bool:
    return any(name == s.name or name.startswith(f"{s.name}_") for s in layout.subnets)


def _subnet_clashes(bp: Blueprint, layout: Layout, finding: _FindingFactory) -> list[Finding]:
    by_name: dict[str, list[tuple[str, str]]] = {}
    for s in layout.subnets:
        by_name.setdefault(s.name, []).append((s.tier, s.az))
    out: list[Finding] = []
    zones = list(bp.availability_zones)
    reported: set[tuple[str, ...]] = set()
    for name, owners in by_name.items():
        if len(owners) < 2:
            continue
        (tier, az), (other_tier, other_az) = owners[0], owners[1]
        if tier == other_tier:
            key = ("zones", az, other_az)
            if key in reported:
                continue
            reported.add(key)
            out.append(finding(
                "zone-name-clash", ("availability_zones", zones.index(other_az)),
                f"availability zones '{az}' and '{other_az}' give their subnets the same "
                f"name (aws_subnet.{name}): a subnet is named <tier>_<zone after the region>, "
                "with '-' read as '_'",
                "list each zone once, by the name AWS gives it (e.g. us-east-1a)"))
        else:
            low, high = sorted((tier, other_tier))
            key = ("tiers", low, high)
            if key in reported:
                continue
            reported.add(key)
            out.append(finding(
                "subnet-name-clash", ("tiers", other_tier),
                f"tier '{tier}' in {az} and tier '{other_tier}' in {other_az} would both name "
                f"their subnet '{name}' (<tier>_<zone after the region>)",
                f"rename tier '{other_tier}' or '{tier}'", at_key=True))
    return out


def _route_or_other_clash(bp: Blueprint, layout: Layout, address: str, whats: list[str],
                          finding: _FindingFactory) -> Finding:
    both = " and ".join(whats)
    kind, _, name = address.partition(".")
    network = next((r.network for r in layout.network_routes if r.name == name), None)
    if kind == "aws_route" and network is not None:
        return finding(
            "route-name-clash", ("networks", network),
            f"two routes would be named {address}: {both}",
            f"rename network '{network}' (a route is named <subnet>_<network>, and "
            "<subnet>_default is the subnet's default route)", at_key=True)
    return finding("name-clash", ("tiers",), f"two resources would be named {address}: {both}",
                   "rename one of the tiers or networks these names come from", at_key=True)


def _number_clashes(bp: Blueprint, layout: Layout, finding: _FindingFactory) -> list[Finding]:
    """Two flows on one number of one ACL direction: reported once per pair of flows, at
    the flow whose id sorts last (not the later one: the report does not depend on order)."""
    owners: dict[tuple[str, bool, int], set[str]] = {}
    for rule in layout.nacl_rules:
        if rule.flow is not None:
            owners.setdefault((rule.tier, rule.egress, rule.rule_number), set()).add(rule.flow)
    pairs: dict[tuple[str, str], list[tuple[str, bool, int]]] = {}
    for where, flows in owners.items():
        ordered = sorted(flows)
        for i, one in enumerate(ordered):
            for other in ordered[i + 1:]:
                pairs.setdefault((one, other), []).append(where)
    index = {flow.flow_id: i for i, flow in enumerate(bp.flows)}
    out: list[Finding] = []
    for (one, other), places in sorted(pairs.items()):
        tier, egress, number = min(places)
        balancer = next((t for t in (one, other) if t not in index), None)
        if balancer is not None:  # a load balancer's legs (tierform.layout.load_balancer)
            flow = other if balancer == one else one
            out.append(finding(
                "rule-number-clash", ("flows", index[flow]) if flow in index else ("tiers",),
                f"flow '{flow}' and the load balancer's legs '{balancer}' would both use "
                f"rule {number} of tier {tier}'s {'outbound' if egress else 'inbound'} ACL: "
                "rule numbers come from the id (tierform.layout.numbering)",
                f"give the flow another id: 'id: {_free_id(flow, layout)}' would be free",
                at_key=flow not in index))
            continue
        spec = bp.flows[index[other]]
        path: tuple[str | int, ...] = ("flows", index[other])
        out.append(finding(
            "rule-number-clash", (*path, "id") if spec.id is not None else path,
            f"flows '{one}' and '{other}' would both use rule {number} of tier {tier}'s "
            f"{'outbound' if egress else 'inbound'} ACL: a flow's rule numbers come from its "
            "id (tierform.layout.numbering)",
            f"give the flow you are adding another id: 'id: {_free_id(one, layout)}' for "
            f"flows[{index[one]}] or 'id: {_free_id(other, layout)}' for flows[{index[other]}] "
            "would be free; renaming an applied flow replaces its ACL rules"))
    return out


def _free_id(flow_id: str, layout: Layout) -> str:
    """``<id>_2``, ``<id>_3``...: the first whose rules would clash with no other flow's."""
    mine = [r for r in layout.nacl_rules if r.flow == flow_id]
    taken = {(r.tier, r.egress, r.rule_number) for r in layout.nacl_rules
             if r.flow != flow_id}
    offsets = _offsets(mine)
    for n in range(2, 10_000):
        candidate = f"{flow_id}_{n}"
        slot = flow_slot(candidate)
        if not any((tier, egress, rule_number(band, slot, k)) in taken
                   for tier, egress, band, k in offsets):
            return candidate
    return f"{flow_id}_2"  # pragma: no cover - 10,000 candidates all clashing


def _offsets(rules: Sequence[NaclRulePlan]) -> list[tuple[str, bool, Band, int]]:
    """(tier, egress, band, k) of a flow's rules: what another slot would renumber."""
    return [(r.tier, r.egress, r.band, r.index) for r in rules if r.band != "deny"]


def _inspection_addresses(layout: Layout, add: Callable[[str, str], None]) -> None:
    """The Network Firewall's resources (``tierform.layout.inspection``): a tier named
    ``firewall`` or ``igw_edge``, or a network named ``via_firewall_<subnet>``, clashes here."""
    plan = layout.inspection
    assert plan is not None
    for single, what in (("aws_network_acl.firewall", "the firewall subnets' network ACL"),
                         ("aws_networkfirewall_firewall.this", "the Network Firewall"),
                         ("aws_networkfirewall_firewall_policy.this", "the firewall policy")):
        add(single, what)
    for f in plan.subnets:
        for kind in ("aws_subnet", "aws_route_table", "aws_route_table_association",
                     "aws_network_acl_association"):
            add(f"{kind}.{f.name}", f"the firewall endpoint's subnet in {f.az}")
    if plan.edge:
        add("aws_route_table.igw_edge", "the internet gateway's edge route table")
        add("aws_route_table_association.igw_edge", "the edge table's gateway association")
    for r in plan.routes:
        if not r.retargets:  # a retargeted default route is the subnet's own, listed above
            add(f"aws_route.{r.name}", f"the inspection route of table {r.table} to "
                                       f"{r.destination}")
    for rule in plan.acl_rules:
        add(f"aws_network_acl_rule.{rule.name}",
            f"rule {rule.rule_number} of the firewall subnets' ACL")
    for group, present in (("egress_domains", plan.domains), ("rules", plan.rules),
                           ("flows", plan.flow_rules)):
        if present:
            add(f"aws_networkfirewall_rule_group.{group}", f"the firewall's {group} rule group")
    spec = layout.blueprint.inspection
    logs = bool(plan.logging) and layout.blueprint.flow_logs is not None
    if logs:
        add("aws_networkfirewall_logging_configuration.this", "the firewall's logging")
    if logs and spec is not None and layout.blueprint.flow_logs is not None and \
            layout.blueprint.flow_logs.destination == "cloudwatch":
        for log_type in plan.logging:
            add(f"aws_cloudwatch_log_group.firewall_{log_type.lower()}",
                f"the firewall's {log_type.lower()} log group")
