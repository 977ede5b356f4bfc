"""Seeded synthetic networks for benchmarks and property tests: many subnets and rules,
shaped like real layered VPCs (a public tier with NAT, private and isolated tiers)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from ipaddress import IPv4Network

from tierform.network.ipv6 import parse_ipv6
from tierform.network.model import (
    InternetGateway,
    Nacl,
    NaclEntry,
    NatGateway,
    Network,
    Route,
    RouteTable,
    SecurityGroup,
    SgRule,
    Subnet,
    aws_default_nacl,
    named_networks_of,
)

__all__ = ["layered_network", "synthetic_network"]

_PROTOCOLS = ("6", "6", "6", "17", "1", "-1")


def _ports(rng: random.Random, protocol: str) -> tuple[int, int]:
    if protocol not in ("6", "17"):
        return 0, 65535
    if rng.random() < 0.2:
        return 1024, 65535
    low = rng.choice((22, 53, 80, 443, 3306, 5432, 8080, rng.randrange(1, 65000)))
    return low, low + rng.choice((0, 0, 0, 10, 100))


def synthetic_network(subnets: int, rules: int, seed: int = 0, *, tier_size: int = 25,
                      split: float = 0.0) -> Network:
    """``subnets`` /26 subnets in 10.0.0.0/16 (/27 above 1,024 of them, /28 above 2,048),
    grouped in tiers of about ``tier_size``, and ``rules`` NACL entries and security group
    rules (about half each) spread over the tiers. ``split`` is the share of rule peers that
    are one or two prefix lengths inside a subnet, which cuts that subnet into several host
    classes (0 keeps the networks of earlier versions)."""
    if not 1 <= subnets <= 4096:
        raise ValueError("subnets must be within 1-4096 (/26 to /28 subnets of a /16)")
    prefix = 26 if subnets <= 1024 else 27 if subnets <= 2048 else 28
    rng = random.Random(seed)
    vpc = IPv4Network("10.0.0.0/16")
    tier_count = max(3, subnets // tier_size)
    tiers = [f"t{i}" for i in range(tier_count)]
    all_subnets = list(vpc.subnets(new_prefix=prefix))[:subnets]
    net = Network("plan", (vpc,))
    net.internet_gateways["igw"] = InternetGateway("igw", "aws_internet_gateway.this")
    by_tier: dict[str, list[Subnet]] = {t: [] for t in tiers}
    for index, cidr in enumerate(all_subnets):
        tier = tiers[index % tier_count]
        subnet = Subnet(f"subnet-{index}", cidr, f"az{index % 3}", tier)
        net.subnets[subnet.id] = subnet
        by_tier[tier].append(subnet)
    public = tiers[0]
    nat = NatGateway("nat", by_tier[public][0].id, source="aws_nat_gateway.this")
    net.nat_gateways[nat.id] = nat
    for number, tier in enumerate(tiers):
        if number == 0:
            routes: tuple[Route, ...] = (Route("0.0.0.0/0", "igw", "igw"),)
        elif number % 3 == 1:
            routes = (Route("0.0.0.0/0", "nat", "nat"),)
        else:
            routes = ()
        ids = frozenset(s.id for s in by_tier[tier])
        net.route_tables[f"rt-{tier}"] = RouteTable(f"rt-{tier}", routes, ids, tier=tier,
                                                    source=f"aws_route_table.{tier}")
    net.route_tables["main"] = RouteTable("main", (), frozenset(), is_main=True)
    net.nacls["default"] = aws_default_nacl()

    # Outside peers come from a small pool, as in real networks (partners, offices, CDNs).
    outside = [str(IPv4Network((rng.randrange(1 << 24, 223 << 24) & ~0xFF, 24)))
               for _ in range(24)]

    def peer() -> str:
        if split and rng.random() < split:
            inside = list(rng.choice(all_subnets).subnets(
                new_prefix=rng.choice((prefix + 1, prefix + 2))))
            return str(rng.choice(inside))
        pick = rng.random()
        if pick < 0.5:
            return str(rng.choice(all_subnets))
        if pick < 0.65:
            return "0.0.0.0/0"
        if pick < 0.75:
            return str(vpc)
        if pick < 0.9:
            return rng.choice(outside)
        return str(rng.choice(all_subnets).supernet(new_prefix=rng.choice((24, 25))))

    nacl_entries: dict[str, list[NaclEntry]] = {t: [] for t in tiers}
    sg_rules: dict[str, list[SgRule]] = {t: [] for t in tiers}
    numbers: dict[tuple[str, bool], int] = {}
    for _ in range(rules):
        tier = rng.choice(tiers)
        egress = rng.random() < 0.5
        protocol = rng.choice(_PROTOCOLS)
        low, high = _ports(rng, protocol)
        if rng.random() < 0.5:
            number = numbers.get((tier, egress), 90) + 10
            numbers[(tier, egress)] = number
            action = "deny" if rng.random() < 0.15 else "allow"
            nacl_entries[tier].append(NaclEntry(number, egress, protocol, action,  # type: ignore[arg-type]
                                                peer(), low, high))
        elif rng.random() < 0.4:
            sg_rules[tier].append(SgRule(egress, protocol, low, high,
                                         group=f"sg-{rng.choice(tiers)}"))
        else:
            sg_rules[tier].append(SgRule(egress, protocol, low, high, cidr=peer()))
    for tier in tiers:
        ids = frozenset(s.id for s in by_tier[tier])
        net.nacls[f"acl-{tier}"] = Nacl(f"acl-{tier}", tuple(nacl_entries[tier]), ids, tier=tier,
                                        source=f"aws_network_acl.{tier}")
        net.security_groups[f"sg-{tier}"] = SecurityGroup(
            f"sg-{tier}", tuple(sg_rules[tier]), tier=tier,
            source=f"aws_security_group.{tier}")
    return net


def layered_network(
    tiers: Mapping[str, Sequence[str]],
    *,
    routes: Mapping[str, Sequence[Route]] | None = None,
    nacls: Mapping[str, Sequence[NaclEntry]] | None = None,
    groups: Mapping[str, Sequence[SgRule]] | None = None,
    nats: Mapping[str, str] | None = None,
    named: Mapping[str, str] | None = None,
    vpc: str = "10.0.0.0/16",
    ipv6: str | None = None,
) -> Network:
    """A small network by hand: per tier one route table, one NACL (tiers absent from
    ``nacls`` keep AWS's allow-all default NACL) and one security group (tiers absent from
    ``groups`` have none). ``nats`` maps a NAT id to the tier whose first subnet holds it.
    Group references in rules name groups ``sg-<tier>``. ``ipv6``: the VPC's IPv6 block
    (a CIDR or a symbolic prefix); the n-th subnet then gets ``cidrsubnet(ipv6, 8, n)``."""
    block = parse_ipv6(ipv6)
    net = Network("plan", (IPv4Network(vpc),), vpc_ipv6_cidrs=(ipv6,) if ipv6 else ())
    net.named_networks.update(named_networks_of(named))
    net.internet_gateways["igw"] = InternetGateway("igw", "aws_internet_gateway.this")
    net.route_tables["main"] = RouteTable("main", (), frozenset(), is_main=True,
                                          source="main route table")
    net.nacls["default"] = aws_default_nacl(ipv6=block is not None)
    for tier, cidrs in tiers.items():
        ids = []
        for index, cidr in enumerate(cidrs):
            subnet = Subnet(f"{tier}-{index}", IPv4Network(cidr), f"az{index}", tier,
                            ipv6_cidr=block.subnet(8, len(net.subnets)).text if block else None)
            net.subnets[subnet.id] = subnet
            ids.append(subnet.id)
        members = frozenset(ids)
        net.route_tables[f"rt-{tier}"] = RouteTable(
            f"rt-{tier}", tuple((routes or {}).get(tier, ())), members, tier=tier,
            source=f"aws_route_table.{tier}")
        if nacls is not None and tier in nacls:
            net.nacls[f"acl-{tier}"] = Nacl(f"acl-{tier}", tuple(nacls[tier]), members,
                                            tier=tier, source=f"aws_network_acl.{tier}")
        if groups is not None and tier in groups:
            net.security_groups[f"sg-{tier}"] = SecurityGroup(
                f"sg-{tier}", tuple(groups[tier]), tier=tier,
                source=f"aws_security_group.{tier}")
    for nat_id, tier in (nats or {}).items():
        net.nat_gateways[nat_id] = NatGateway(nat_id, f"{tier}-0", source=f"nat {nat_id}")
    return net
