"""Load-balancer tiers: an internet-facing ALB or NLB in a public tier's subnets, a proxy.

The LB has its own security group: ingress from the internet (0.0.0.0/0, and ``::/0`` when
the tier is dual-stack) on the listener ports, egress only to the target tier's group on
the target port and health-check port. The target tier's group admits the LB's group on
those ports, not the public tier's whole group. The ACL legs between the LB tier's
subnets and the target tier's subnets are the legs of a flow of their own, whose identity
is ``load_balancer_id`` (``lb_<tier>``): numbered by its slot like any flow
(``tierform.layout.numbering``), so adding or editing an LB renumbers nothing else. The
internet legs of the LB tier's ACL are the blueprint flow from the internet that the
checks require on every listener port.

Targets are registered by IP (``target_type = "ip"``): the target group names no host, so
the module does not depend on how the tier's workloads run (instances, containers); the
caller registers them. ``preserve_client_ip`` is off for the NLB, so targets see the LB's
address and the ACL legs above are the ones its packets cross.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tierform.aws import ANYWHERE, ANYWHERE_V6, DEFAULT_EPHEMERAL, INTERNET
from tierform.blueprint.model import Blueprint, LoadBalancerSpec
from tierform.layout.model import LoadBalancerPlan, SubnetPlan
from tierform.ports import PortRange

__all__ = [
    "CERTIFICATE_VARIABLE",
    "NaclLeg",
    "SgLeg",
    "load_balancer_group",
    "load_balancer_id",
    "load_balancer_legs",
    "load_balancers",
]

CERTIFICATE_VARIABLE = "certificate_arn"
"""The module input an HTTPS or TLS listener takes its certificate from."""


def load_balancer_id(tier: str) -> str:
    """``lb_<tier>``: the identity the LB's rules are numbered and described by."""
    return f"lb_{tier}"


def load_balancer_group(tier: str) -> str:
    """``lb_<tier>``: resource name of the LB, its group, target group (a tier of that name
    is refused as a clash of addresses, ``tierform.layout.names``)."""
    return f"lb_{tier}"


def _target_protocol(spec: LoadBalancerSpec) -> Literal["HTTP", "HTTPS", "TCP", "TLS"]:
    """What the LB speaks to its targets: TLS again behind TLS, HTTPS behind HTTPS (the
    target port is usually the TLS one, 8443), else plain."""
    protocols = {listener.protocol for listener in spec.listeners}
    if spec.type == "application":
        return "HTTPS" if protocols == {"HTTPS"} else "HTTP"
    return "TLS" if protocols == {"TLS"} else "TCP"


def load_balancers(bp: Blueprint, subnets: list[SubnetPlan]) -> tuple[LoadBalancerPlan, ...]:
    """One plan per tier with a ``load_balancer``, in tier order."""
    out = []
    for tier, spec in bp.tiers.items():
        lb = spec.load_balancer
        if lb is None:
            continue
        own = [s for s in subnets if s.tier == tier]
        check = lb.target.health_check
        out.append(LoadBalancerPlan(
            tier=tier, name=load_balancer_group(tier), type=lb.type,
            subnets=tuple(s.name for s in own), group=load_balancer_group(tier),
            listeners=tuple((listener.port, listener.protocol) for listener in lb.listeners),
            target_tier=lb.target.tier, target_port=lb.target.port,
            target_protocol=_target_protocol(lb), health_port=lb.health_port,
            health_path=check.path if check is not None and lb.type == "application" else None,
            dualstack=bool(own) and all(s.ipv6_index is not None for s in own),
            certificate=any(listener.protocol in ("HTTPS", "TLS")
                            for listener in lb.listeners),
            access_logs_bucket=lb.access_logs_bucket))
    return tuple(out)


@dataclass(frozen=True)
class SgLeg:
    """One security-group rule the LB needs: on ``owner``'s group (a tier or the LB's)."""

    owner: str
    egress: bool
    ports: PortRange
    peer: str
    """The peer's name (the internet, a tier, the LB's group) for the rule's name."""
    cidr: str | None
    peer_group: str | None
    description: str


@dataclass(frozen=True)
class NaclLeg:
    """One ACL rule the LB's traffic needs on ``tier``'s ACL."""

    tier: str
    egress: bool
    ports: PortRange
    peer_tier: str
    """The tier whose CIDRs the rule names."""
    description: str
    leg: Literal["forward", "return"]


def _ports(lb: LoadBalancerPlan) -> list[PortRange]:
    """The target port, then the health-check port when it is another."""
    ports = [(lb.target_port, lb.target_port)]
    if lb.health_port != lb.target_port:
        ports.append((lb.health_port, lb.health_port))
    return ports


def load_balancer_legs(lb: LoadBalancerPlan) -> tuple[list[SgLeg], list[NaclLeg]]:
    """The security-group and ACL rules of one LB (the internet's ACL legs excepted: they
    are the flow from the internet's). Stateful groups need the forward rule on each end;
    stateless ACLs need both legs on both tiers' ACLs."""
    fid, tier, target, group = load_balancer_id(lb.tier), lb.tier, lb.target_tier, lb.group
    sg: list[SgLeg] = []
    for port, _ in lb.listeners:
        what = f"{fid}: internet to the {lb.type} load balancer tcp {port}"
        sg.append(SgLeg(group, False, (port, port), INTERNET, ANYWHERE, None, what))
        if lb.dualstack:
            sg.append(SgLeg(group, False, (port, port), INTERNET, ANYWHERE_V6, None,
                            what + " (IPv6)"))
    nacl: list[NaclLeg] = []
    for ports in _ports(lb):
        kind = "target" if ports[0] == lb.target_port else "health check"
        what = f"{fid}: load balancer to {target} {kind} tcp {ports[0]}"
        sg.append(SgLeg(group, True, ports, target, None, target, what))
        sg.append(SgLeg(target, False, ports, group, None, group, what))
        nacl.append(NaclLeg(tier, True, ports, target, what, "forward"))
        nacl.append(NaclLeg(target, False, ports, tier, what, "forward"))
    low, high = DEFAULT_EPHEMERAL
    back = f"{fid} return: {target} to the load balancer tcp {low}-{high}"
    nacl.append(NaclLeg(tier, False, DEFAULT_EPHEMERAL, target, back, "return"))
    nacl.append(NaclLeg(target, True, DEFAULT_EPHEMERAL, tier, back, "return"))
    return sg, nacl
