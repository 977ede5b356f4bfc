"""Which subnets route through the Network Firewall, and which flows that makes cross it.

Routing is per subnet, not per flow: a public tier routed for ``ingress`` sends all of its
internet traffic (both ways) through its AZ's firewall endpoint, and a private tier routed
for ``egress`` all of its internet traffic. So the checks (``tierform.blueprint.checks``)
compare what each flow asks (``InspectionSpec.inspects``) with what the routing makes it do
(``crosses``), and the layout (``tierform.layout.inspection``) renders the same routing.

With ``ingress`` and ``egress`` both on, the firewall subnets' default route must be the
internet gateway (ingress), so egress is inspected after the NAT gateway: private tiers keep
their route to NAT, and the NAT's public tier routes through the firewall (AWS's "NAT
gateway and firewall" model; the firewall sees the NAT's private address as the source).
With ``egress`` alone, the private tiers route to the firewall, which routes to NAT (the
firewall sees the tiers' own addresses).

``east-west`` routes a pair of tiers through the firewall (``InspectionRouting.east_west``):
each subnet's table routes every subnet CIDR of the other tier to an endpoint (more specific
than the local route; AWS takes such a route only for a destination that is exactly a
subnet's CIDR), both ways through the same endpoint (``east_west_az``). Routing is per
subnet pair, so every flow between the two tiers crosses it, whichever way it goes.
"""

from __future__ import annotations

from dataclasses import dataclass

from tierform.aws import INTERNET
from tierform.blueprint.model import Blueprint, FlowSpec

__all__ = ["InspectionRouting", "crosses", "east_west_az", "inspection_routing", "nat_tier_of"]


@dataclass(frozen=True)
class InspectionRouting:
    """The tiers whose default routes the firewall takes over, in blueprint order."""

    public: tuple[str, ...]
    """Public tiers: ``0.0.0.0/0`` to the endpoint, and the edge table routes their subnets
    to it (ingress)."""
    private: tuple[str, ...]
    """Private tiers: ``0.0.0.0/0`` to the endpoint, which routes to NAT (egress alone)."""
    egress_after_nat: bool
    """Ingress and egress both on: private tiers' egress is inspected after the NAT."""
    east_west: tuple[tuple[str, str], ...] = ()
    """Tier pairs routed through the firewall between them (east-west), each pair in
    blueprint order (the earlier tier first), the pairs in the order of their first flow."""

    def pair(self, a: str, b: str) -> tuple[str, str] | None:
        """The routed pair joining tiers ``a`` and ``b`` (either way round), if any."""
        return next((p for p in self.east_west if {a, b} == set(p)), None)


def east_west_az(first_az: str, second_az: str) -> str:
    """The AZ of the endpoint a subnet pair's east-west traffic crosses, both ways: one
    function of the pair, so both tables name the same endpoint (Network Firewall keeps no
    state across endpoints). ``first_az`` is the AZ of the subnet of the tier earlier in the
    blueprint: in one AZ that AZ's endpoint (no AZ crossed); across two, the earlier tier's
    subnet's AZ (the traffic crosses AZs once, as it would without the firewall)."""
    del second_az  # same AZ: the same answer; different AZs: the earlier tier's, by design
    return first_az


def nat_tier_of(bp: Blueprint) -> str | None:
    """The tier the NAT gateways sit in: the first public tier (``tierform.layout.plan``)."""
    if bp.nat == "none":
        return None
    return next((t for t, spec in bp.tiers.items() if spec.exposure == "public"), None)


def inspection_routing(bp: Blueprint) -> InspectionRouting | None:
    """The routing ``inspection`` derives (module docstring); None without the block."""
    spec = bp.inspection
    if spec is None:
        return None
    wanted = [f for f in bp.flows if spec.inspects(f, bp.tiers)]
    nat_tier = nat_tier_of(bp)
    public: list[str] = []
    private: list[str] = []
    after_nat = "ingress" in spec.modes and "egress" in spec.modes
    for tier, tier_spec in bp.tiers.items():
        ends = [f for f in wanted if tier in (f.src, f.dst)
                and spec.mode_of(f, bp.tiers) in ("ingress", "egress")]
        if tier_spec.exposure == "public" and "ingress" in spec.modes:
            egress_here = after_nat and tier == nat_tier and any(
                spec.mode_of(f, bp.tiers) == "egress" for f in wanted)
            if egress_here or any(spec.mode_of(f, bp.tiers) == "ingress" for f in ends):
                public.append(tier)
        elif (tier_spec.exposure == "private" and "egress" in spec.modes and not after_nat
              and nat_tier is not None and ends):
            private.append(tier)
    order = list(bp.tiers)
    pairs: dict[tuple[str, str], None] = {}
    for f in wanted:
        if spec.mode_of(f, bp.tiers) == "east-west":
            a, b = sorted((f.src, f.dst), key=order.index)
            pairs.setdefault((a, b))
    return InspectionRouting(tuple(public), tuple(private), after_nat, tuple(pairs))


def crosses(bp: Blueprint, routing: InspectionRouting, flow: FlowSpec) -> bool:
    """The flow's path crosses the firewall under ``routing``."""
    spec = bp.inspection
    if spec is None:
        return False
    mode = spec.mode_of(flow, bp.tiers)
    if mode == "ingress":
        tier = flow.dst if flow.src == INTERNET else flow.src
        return tier in routing.public
    if mode == "egress":
        if routing.egress_after_nat:
            return nat_tier_of(bp) in routing.public
        return flow.src in routing.private
    if mode == "east-west":
        return routing.pair(flow.src, flow.dst) is not None
    return False
