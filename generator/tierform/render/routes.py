"""Route wording, decided once from the Layout: the comment above each route table in
routes.tf, whether a table is local-only (written ``route = []``), and the README's
"Default route" cell of each tier.

Kept beside the renderer rather than on ``SubnetPlan``: a subnet's plan must stay equal
when a later flow adds a named network, while its table's wording does change.
"""

from __future__ import annotations

from dataclasses import dataclass

from tierform.layout import Layout

__all__ = ["RouteTableView", "default_route_text", "route_tables_of"]


@dataclass(frozen=True)
class RouteTableView:
    summary: str
    """``default route to the internet gateway``, ``default route to NAT gateway web_a``
    or ``local routes only``, then ``; corp through the VPN gateway`` per named network."""
    local_only: bool
    """No route besides the implicit local one: no default route, no named network, no
    inspection route (east-west).
    Only such a table is written with ``route = []`` (beside ``aws_route`` resources an
    inline empty list is a perpetual diff)."""


def route_tables_of(layout: Layout) -> dict[str, RouteTableView]:
    """Subnet (and route table) name -> its wording, for every subnet of the layout."""
    out: dict[str, RouteTableView] = {}
    for s in layout.subnets:
        routes = layout.network_routes_of(s.name)
        networks = [r.network for r in routes]
        vgw = [r.network for r in routes if r.via == "vgw"]
        tgw = [r.network for r in routes if r.via == "tgw"]
        inspected = (layout.inspection.retargeted(s.name)
                     if layout.inspection is not None else None)
        if inspected is not None:
            text = f"default route to the firewall endpoint in {inspected.az}"
        elif s.default_route == "igw":
            text = "default route to the internet gateway"
        elif s.default_route == "nat":
            text = f"default route to NAT gateway {s.nat}"
        elif s.ipv6_only:
            text = "IPv6 only (no IPv4 routes)"
        else:
            text = "local routes only"
        if s.ipv6_route == "igw":
            text += "; IPv6 default route to the internet gateway"
        elif s.ipv6_route == "eigw":
            text += "; IPv6 default route to the egress-only internet gateway"
        if s.nat64 is not None:
            text += f"; NAT64 (64:ff9b::/96) to NAT gateway {s.nat64}"
        if vgw:
            text += f"; {', '.join(vgw)} through the VPN gateway"
        if tgw:
            text += f"; {', '.join(tgw)} through the transit gateway"
        returns = [r.destination for r in (layout.inspection.routes_of(s.name)
                                           if layout.inspection is not None else ())
                   if not r.retargets and r.peer is None]
        if returns:
            text += f"; {', '.join(returns)} back through the firewall (egress return)"
        east_west = [r.destination for r in (layout.inspection.routes_of(s.name)
                                             if layout.inspection is not None else ())
                     if r.peer is not None]
        if east_west:
            text += f"; {', '.join(east_west)} through the firewall (east-west)"
        # Inspection routes are aws_route resources too: beside them no inline ``route = []``.
        out[s.name] = RouteTableView(text, s.default_route is None and not networks
                                     and s.ipv6_route is None and s.nat64 is None
                                     and not returns and not east_west)
    return out


def default_route_text(layout: Layout, tier: str) -> str:
    """The README's "Default route" cell of a tier (all its subnets route alike)."""
    first = layout.subnets_of(tier)[0]
    route = first.default_route
    ipv6 = {"igw": "; IPv6: internet gateway",
            "eigw": "; IPv6: egress-only internet gateway"}.get(first.ipv6_route or "", "")
    if layout.inspection is not None and layout.inspection.retargeted(first.name):
        return "firewall endpoint of its AZ, then " + (
            "internet gateway" if route == "igw" else "NAT gateway") + ipv6
    if route == "igw":
        return "internet gateway" + ipv6
    if route == "nat":
        return f"NAT gateway ({layout.blueprint.nat})" + ipv6
    if first.ipv6_only and first.ipv6_route is not None:  # IPv6-only: no IPv4 route
        return (("internet gateway" if first.ipv6_route == "igw"
                 else "egress-only internet gateway") + " (IPv6 only)"
                + ("; NAT64: NAT gateway" if first.nat64 is not None else ""))
    return "none (local only)"
