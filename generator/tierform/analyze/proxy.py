"""Load balancers as proxies: ``src -> LB`` and ``LB -> target`` are two connections.

An ALB or NLB (``Network.load_balancers``) terminates the client's connection on a
listener port and opens its own to a target group's port. Neither is a path from the
client to the target: the matrix keeps answering ``internet -> app`` by the direct path
(blocked when the target tier admits only the LB), and this module adds, beside it, what
reaches a tier *through* an LB (``Reachability.proxied``), with a detail saying so.

Method: the LB is an endpoint of its own, ``lb:<name>``, whose hosts sit in the LB's
subnets and carry the LB's security groups. The network is analyzed once more with the
LB's subnets holding that endpoint instead of their tier (``lb_view``), by the very legs
the matrix uses (routes, ACLs both ways, groups, replies). Then

    src reaches T through the LB   iff   src -> lb:<name> on some listener port   and
                                         lb:<name> -> T on some target-group port.

A leg that is unknown (something on it not read) makes the proxied answer unknown with its
reasons; an LB whose groups, listeners or target-group ports were not read is unknown,
never blocked. The targets registered in a target group are not part of a plan: every
tier the LB can reach on a target port is a tier the LB may forward to (an over-
approximation on purpose: "reachable through the LB" means *can* be).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from tierform.analyze.results import Flow, ProxiedFlow, Reachability, UnknownFlow
from tierform.aws import AddressFamily
from tierform.network.model import LoadBalancer, Network
from tierform.ports import PortSet

__all__ = ["ProxiedFlow", "lb_endpoint", "lb_view", "proxied_flows"]


def lb_endpoint(lb: LoadBalancer) -> str:
    """The endpoint name of an LB in ``lb_view``'s network and in reports."""
    return lb.endpoint


def lb_view(network: Network, lb: LoadBalancer) -> Network:
    """The network with ``lb``'s subnets holding the LB's hosts (endpoint ``lb:<name>``,
    carrying the LB's groups) in place of their tier; no load balancers (no recursion)."""
    name = lb_endpoint(lb)
    subnets = {key: replace(subnet, tier=name) if key in lb.subnet_ids else subnet
               for key, subnet in network.subnets.items()}
    groups = dict(network.tier_groups)
    groups[name] = tuple(lb.security_group_ids or ())
    return replace(network, subnets=subnets, tier_groups=groups, load_balancers={})


def _ports(lb: LoadBalancer) -> tuple[PortSet, PortSet, list[str]]:
    """(listener ports, target-group ports, why either is not fully read)."""
    why: list[str] = []
    listened = PortSet.empty()
    for listener in lb.listeners:
        listened = listened | PortSet.range(listener.port, listener.port)
    targets = PortSet.empty()
    for group in lb.target_groups:
        if group.port is None:
            why.append(f"load balancer {lb.source or lb.id}: the port of target group "
                       f"{group.source or group.id} is not in the input")
            continue
        targets = targets | PortSet.range(group.port, group.port)
    if not lb.listeners:
        why.append(f"load balancer {lb.source or lb.id}: no listener in the input")
    if lb.listeners and not lb.target_groups:
        why.append(f"load balancer {lb.source or lb.id}: where its listeners forward "
                   "(target groups) is not in the input")
    if lb.security_group_ids is None:
        why.append(f"load balancer {lb.source or lb.id}: its security groups are not in the "
                   "input")
    return listened, targets, why


def _health(lb: LoadBalancer) -> PortSet:
    """The ports the health checks use: each target group's own, else its traffic port."""
    found = PortSet.empty()
    for group in lb.target_groups:
        port = group.health_port if group.health_port is not None else group.port
        if port is not None:
            found = found | PortSet.range(port, port)
    return found


def _known(flows: list[Flow], src: str, dst: str, family: AddressFamily) -> PortSet:
    """Known-reachable tcp ports from ``src`` to ``dst`` in one family."""
    got = PortSet.empty()
    for f in flows:
        if (f.src, f.dst, f.protocol, f.family) == (src, dst, "tcp", family) \
                and f.ports is not None:
            got = got | f.ports
    return got


def _maybe(unknown: list[UnknownFlow], src: str, dst: str, family: AddressFamily
           ) -> tuple[PortSet, tuple[str, ...]]:
    """Unknown tcp ports from ``src`` to ``dst`` in one family, and why."""
    got, reasons = PortSet.empty(), []
    for f in unknown:
        if (f.src, f.dst, f.protocol, f.family) == (src, dst, "tcp", family):
            got = got | f.ports
            reasons += list(f.reasons)
    return got, tuple(dict.fromkeys(reasons))


def proxied_flows(network: Network, run: Callable[[Network], Reachability]
                  ) -> list[ProxiedFlow]:
    """What reaches each tier through each LB of ``network``; ``run`` is the matrix
    (``analyze``), given so that this module does not import it (matrix imports this)."""
    out: list[ProxiedFlow] = []
    tiers = set(network.tiers)
    for lb in sorted(network.load_balancers.values(), key=lambda b: b.id):
        name = lb_endpoint(lb)
        listened, targets, why = _ports(lb)
        outside = [s for s in lb.subnet_ids if s not in network.subnets]
        if outside:
            why.append(f"load balancer {lb.source or lb.id}: subnet {', '.join(sorted(outside))} "
                       "is not in the input")
        result = run(lb_view(network, lb))
        flows, unknown = result.flows, result.unknown
        if why:
            # Not read is never blocked: whatever reaches the LB reaches, unknown, every
            # tier behind it.
            sources = {f.src for f in flows if f.dst == name} | {
                f.src for f in unknown if f.dst == name}
            for src in sorted(sources):
                for dst in sorted(tiers - {src}):
                    if lb.subnet_ids and all(network.subnets.get(s) is not None and
                                             network.subnets[s].tier == dst
                                             for s in lb.subnet_ids):
                        continue  # the LB's own tier
                    out.append(ProxiedFlow(
                        src, dst, name, listened, targets, "unknown",
                        f"{src} -> {dst} through load balancer {lb.source or lb.id} (a proxy: "
                        "two connections) cannot be decided", tuple(why)))
            continue
        families: set[AddressFamily] = {f.family for f in flows} | {f.family for f in unknown}
        for family in sorted(families):
            def known(src: str, dst: str, fam: AddressFamily = family,
                      found: list[Flow] = flows) -> PortSet:
                return _known(found, src, dst, fam)

            def maybe(src: str, dst: str, fam: AddressFamily = family,
                      found: list[UnknownFlow] = unknown) -> tuple[PortSet, tuple[str, ...]]:
                return _maybe(found, src, dst, fam)

            # The LB opens its connections over IPv4 to targets registered by address in
            # the target group's family; the client's family is the LB's listener side.
            senders = sorted({f.src for f in flows if f.dst == name and f.family == family}
                             | {f.src for f in unknown if f.dst == name and f.family == family})
            receivers = sorted({f.dst for f in flows if f.src == name}
                               | {f.dst for f in unknown if f.src == name})
            for src in senders:
                front = known(src, name) & listened
                front_maybe, front_why = maybe(src, name)
                front_maybe = front_maybe & listened
                if not front and not front_maybe:
                    continue
                for dst in receivers:
                    if dst == src or dst not in tiers:
                        continue
                    back = known(name, dst, "ipv4") & targets
                    back_maybe, back_why = maybe(name, dst, "ipv4")
                    back_maybe = back_maybe & targets
                    if not back and not back_maybe:
                        continue
                    lb_text = lb.source or lb.id
                    checked = known(name, dst, "ipv4") & _health(lb)
                    if front and back:
                        out.append(ProxiedFlow(
                            src, dst, name, front, back, "reachable",
                            f"{src} reaches {dst} through load balancer {lb_text}: "
                            f"{src} connects to the load balancer on tcp {front}, the load "
                            f"balancer opens its own connection to {dst} on tcp {back} (a "
                            "proxy, not a direct path)", family=family,
                            health_ports=checked))
                    else:
                        out.append(ProxiedFlow(
                            src, dst, name, front | front_maybe, back | back_maybe, "unknown",
                            f"{src} -> {dst} through load balancer {lb_text} cannot be decided",
                            tuple(dict.fromkeys((*front_why, *back_why))), family=family))
    return out
