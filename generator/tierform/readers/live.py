"""Read what exists now: VPCs' layering through boto3 ``describe_*`` calls -> ``Network``.

Ids are AWS ids; ``source`` is "id (Name tag)". Unlike plan/state, the VPC's main route
table and default NACL are always real objects here (AWS reports them), so nothing is
assumed. Works on any account or emulator: only read-only EC2 calls, all paginated.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from ipaddress import IPv4Network, ip_network
from typing import Any

from tierform.aws import NACL_LAST_USER_RULE, normalise_protocol
from tierform.errors import ReadError
from tierform.network.model import (
    Appliance,
    GatewayEndpoint,
    InterfaceEndpoint,
    InternetGateway,
    Listener,
    LoadBalancer,
    Nacl,
    NaclEntry,
    NatGateway,
    Network,
    Peering,
    Route,
    RouteKind,
    RouteTable,
    SecurityGroup,
    SgRule,
    Subnet,
    TargetGroup,
    Unresolved,
    Vpc,
    named_networks_of,
    port_range,
)
from tierform.network.routes import ROUTE_TARGETS, gateway_kind
from tierform.network.tags import TIER_TAG, resource_tags
from tierform.readers.live_firewall import read_firewalls
from tierform.readers.terraform_json import (
    IPV6_NATIVE_STAND_IN,
    qualify_shared_tiers,
    routes_by_prefix_list,
    rules_by_prefix_list,
)

__all__ = ["network_from_live", "rules_from_permissions", "select_vpc", "select_vpcs"]

# NAT gateways in these states carry no traffic (AWS lists deleted ones for about an hour).
_DEAD_NAT_STATES = frozenset({"deleted", "deleting", "failed"})
_DEAD_ENDPOINT_STATES = frozenset({"deleted", "deleting", "failed", "rejected", "expired"})
# Route target field -> kind, in the shared order (network/routes.py: one table for the
# plan, state and live readers); GatewayId is split by what it names.
_TARGET_KINDS: dict[str, RouteKind | None] = {t.field: t.kind for t in ROUTE_TARGETS
                                              if t.field is not None}


def _label(aws_id: str, tags: Mapping[str, str]) -> str:
    name = tags.get("Name")
    return f"{aws_id} ({name})" if name else aws_id


def _paginate(ec2: Any, operation: str, key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every item of a paginated describe call; AWS/connection errors become ReadError."""
    # botocore only when reading live: plan and state readers (and `validate`) start without it.
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        for page in ec2.get_paginator(operation).paginate(**kwargs):
            yield from page.get(key) or []
    except ClientError as error:
        raise ReadError(f"cannot read the live network ({operation}): {error}") from error
    except BotoCoreError as error:
        raise ReadError(f"cannot reach AWS for {operation}: {error}") from error


def _in_vpc(vpc_id: str) -> list[dict[str, Any]]:
    return [{"Name": "vpc-id", "Values": [vpc_id]}]


def select_vpc(ec2: Any, *, vpc_id: str | None = None,
               tag_filters: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The one VPC to read: by id, else by tags (AWS filter wildcards ``*``/``?`` work),
    else the only non-default VPC. Zero or several matches -> ReadError."""
    if vpc_id is not None:
        found = list(_paginate(ec2, "describe_vpcs", "Vpcs",
                               Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]))
        if not found:
            raise ReadError(f"VPC {vpc_id} does not exist in this account and region")
        return found[0]
    filters = [{"Name": f"tag:{key}", "Values": [value]}
               for key, value in sorted((tag_filters or {}).items())]
    found = list(_paginate(ec2, "describe_vpcs", "Vpcs", **({"Filters": filters}
                                                            if filters else {})))
    if not filters:
        # The default VPC is AWS's, not a layered network someone built.
        found = [v for v in found if not v.get("IsDefault")]
    wanted = ", ".join(f"{k}={v}" for k, v in sorted((tag_filters or {}).items()))
    if not found:
        raise ReadError(f"no VPC matches {wanted}" if wanted else "no (non-default) VPC found")
    if len(found) > 1:
        listed = ", ".join(_label(v["VpcId"], resource_tags(v)) for v in found[:10])
        raise ReadError(f"{len(found)} VPCs match{' ' + wanted if wanted else ''}: {listed}; "
                        "choose one with --vpc-id")
    return found[0]


def _vpc_cidrs(vpc: Mapping[str, Any]) -> tuple[IPv4Network, ...]:
    cidrs = [a["CidrBlock"] for a in vpc.get("CidrBlockAssociationSet") or []
             if (a.get("CidrBlockState") or {}).get("State", "associated") == "associated"]
    if not cidrs and vpc.get("CidrBlock"):
        cidrs = [vpc["CidrBlock"]]
    out: list[IPv4Network] = []
    for cidr in cidrs:
        net = ip_network(cidr, strict=False)
        if isinstance(net, IPv4Network) and net not in out:
            out.append(net)
    return tuple(out)


def _ipv6_blocks(raw: Mapping[str, Any]) -> list[str]:
    """A VPC's or subnet's associated IPv6 blocks (AWS lists them as associations)."""
    return [str(a["Ipv6CidrBlock"]) for a in raw.get("Ipv6CidrBlockAssociationSet") or []
            if a.get("Ipv6CidrBlock") and (a.get("Ipv6CidrBlockState") or {}).get(
                "State", "associated") == "associated"]


def _route(raw: Mapping[str, Any], table_id: str,
           endpoint_services: Mapping[str, str]) -> Route | None:
    """One AWS route; ``None`` for the implicit local route (the analyzer adds those)."""
    destination = str(raw.get("DestinationCidrBlock") or raw.get("DestinationIpv6CidrBlock")
                       or raw.get("DestinationPrefixListId") or "")
    gateway = str(raw.get("GatewayId") or "")
    source = f"{table_id} route {destination}"
    if gateway == "local":
        return None
    if raw.get("State") == "blackhole":
        # A route whose target was deleted drops traffic.
        return Route(destination, "blackhole", gateway or raw.get("NatGatewayId"), source)
    found = next((f for f in _TARGET_KINDS if raw.get(f)), None)
    if found is None:
        return Route(destination, "other", None, source)
    target = str(raw[found])
    prefix_list = bool(raw.get("DestinationPrefixListId"))
    kind = _TARGET_KINDS[found] or gateway_kind(target, prefix_list=prefix_list)
    if kind == "endpoint":
        # Gateway endpoints route a service's prefix list (R5); name it by the service.
        destination = endpoint_services.get(target, destination)
    return Route(destination, kind, target, source)


def _route_tables(ec2: Any, vpc_id: str, tier_tag: str,
                  endpoints: Mapping[str, GatewayEndpoint]) -> dict[str, RouteTable]:
    services = {e.id: e.service for e in endpoints.values()}
    tables: dict[str, RouteTable] = {}
    for raw in _paginate(ec2, "describe_route_tables", "RouteTables", Filters=_in_vpc(vpc_id)):
        table_id, tags = str(raw["RouteTableId"]), resource_tags(raw)
        live = [a for a in raw.get("Associations") or []
                if (a.get("AssociationState") or {}).get("State", "associated") == "associated"]
        routes = [r for r in (_route(x, table_id, services) for x in raw.get("Routes") or [])
                  if r is not None]
        # Some APIs (and emulators) list the association on the endpoint only: add its route.
        routed = {r.target for r in routes if r.kind == "endpoint"}
        for endpoint in endpoints.values():
            if table_id in endpoint.route_table_ids and endpoint.id not in routed:
                routes.append(Route(endpoint.service, "endpoint", endpoint.id,
                                    f"{endpoint.id} route table association {table_id}"))
        tables[table_id] = RouteTable(
            id=table_id, routes=tuple(routes),
            subnet_ids=frozenset(str(a["SubnetId"]) for a in live if a.get("SubnetId")),
            gateway_ids=frozenset(str(a["GatewayId"]) for a in live if a.get("GatewayId")),
            is_main=any(a.get("Main") for a in live), tier=tags.get(tier_tag),
            name=tags.get("Name"), source=_label(table_id, tags))
    return tables


def _nacls(ec2: Any, vpc_id: str, tier_tag: str) -> dict[str, Nacl]:
    nacls: dict[str, Nacl] = {}
    for raw in _paginate(ec2, "describe_network_acls", "NetworkAcls", Filters=_in_vpc(vpc_id)):
        nacl_id, tags = str(raw["NetworkAclId"]), resource_tags(raw)
        entries = []
        for e in raw.get("Entries") or []:
            number = int(e["RuleNumber"])
            if number > NACL_LAST_USER_RULE:
                continue  # AWS's catch-all "*" deny: the model's "no rule matches" says it
            protocol = normalise_protocol(e.get("Protocol", "-1"))
            ports = e.get("PortRange") or {}
            low, high = port_range(protocol, ports.get("From"), ports.get("To"))
            icmp = e.get("IcmpTypeCode") or {}
            is_icmp = protocol in ("1", "58")
            direction = "egress" if e.get("Egress") else "ingress"
            entries.append(NaclEntry(
                rule_number=number, egress=bool(e.get("Egress")), protocol=protocol,
                action="deny" if e.get("RuleAction") == "deny" else "allow",
                cidr=str(e.get("CidrBlock") or e.get("Ipv6CidrBlock")),
                from_port=low, to_port=high,
                icmp_type=int(icmp.get("Type", -1)) if is_icmp else None,
                icmp_code=int(icmp.get("Code", -1)) if is_icmp else None,
                source=f"{_label(nacl_id, tags)} {direction} rule {number}"))
        entries.sort(key=lambda x: (x.egress, x.rule_number))
        nacls[nacl_id] = Nacl(
            id=nacl_id, entries=tuple(entries),
            subnet_ids=frozenset(str(a["SubnetId"]) for a in raw.get("Associations") or []
                                 if a.get("SubnetId")),
            is_default=bool(raw.get("IsDefault")), tier=tags.get(tier_tag),
            name=tags.get("Name"), source=_label(nacl_id, tags))
    return nacls


def rules_from_permissions(group: Mapping[str, Any]) -> list[SgRule]:
    """SgRules from a describe_security_groups item (``IpPermissions``): one per peer."""
    rules: list[SgRule] = []
    label = _label(str(group["GroupId"]), resource_tags(group))
    for egress, key in ((False, "IpPermissions"), (True, "IpPermissionsEgress")):
        for index, perm in enumerate(group.get(key) or []):
            protocol = normalise_protocol(perm.get("IpProtocol", "-1"))
            low, high = port_range(protocol, perm.get("FromPort"), perm.get("ToPort"))
            source = f"{label} {'egress' if egress else 'ingress'}[{index}]"
            peers: list[tuple[str, Mapping[str, Any], str]] = [
                *(("cidr", r, r["CidrIp"]) for r in perm.get("IpRanges") or []),
                *(("cidr", r, r["CidrIpv6"]) for r in perm.get("Ipv6Ranges") or []),
                *(("group", r, r["GroupId"]) for r in perm.get("UserIdGroupPairs") or []),
                *(("prefix_list", r, r["PrefixListId"]) for r in perm.get("PrefixListIds") or []),
            ]
            for kind, peer, value in peers:
                rules.append(SgRule(
                    egress, protocol, low, high, description=str(peer.get("Description") or ""),
                    source=source, **{kind: str(value)}))
    return rules


def _rule_from_sgr(raw: Mapping[str, Any], group_label: str) -> SgRule:
    """One describe_security_group_rules item (already one peer per rule)."""
    protocol = normalise_protocol(raw.get("IpProtocol", "-1"))
    low, high = port_range(protocol, raw.get("FromPort"), raw.get("ToPort"))
    referenced = (raw.get("ReferencedGroupInfo") or {}).get("GroupId")
    return SgRule(
        egress=bool(raw.get("IsEgress")), protocol=protocol, from_port=low, to_port=high,
        cidr=raw.get("CidrIpv4") or raw.get("CidrIpv6"), group=referenced,
        prefix_list=raw.get("PrefixListId"), description=str(raw.get("Description") or ""),
        source=f"{raw.get('SecurityGroupRuleId')} on {group_label}")


def _security_groups(ec2: Any, vpc_id: str, tier_tag: str) -> dict[str, SecurityGroup]:
    # botocore only when reading live: plan and state readers (and `validate`) start without it.
    from botocore.exceptions import ClientError

    raw_groups = list(_paginate(ec2, "describe_security_groups", "SecurityGroups",
                                Filters=_in_vpc(vpc_id)))
    by_group: dict[str, list[SgRule]] | None = {str(g["GroupId"]): [] for g in raw_groups}
    labels = {str(g["GroupId"]): _label(str(g["GroupId"]), resource_tags(g)) for g in raw_groups}
    if raw_groups:
        try:
            # Rule ids make better report sources; one call for all the VPC's groups.
            for raw in ec2.get_paginator("describe_security_group_rules").paginate(
                    Filters=[{"Name": "group-id", "Values": sorted(labels)}]):
                for item in raw.get("SecurityGroupRules") or []:
                    gid = str(item["GroupId"])
                    if by_group is not None and gid in by_group:
                        by_group[gid].append(_rule_from_sgr(item, labels[gid]))
        except ClientError:
            by_group = None  # older API or emulator: fall back to IpPermissions
    groups: dict[str, SecurityGroup] = {}
    for raw in raw_groups:
        gid, tags = str(raw["GroupId"]), resource_tags(raw)
        rules = by_group[gid] if by_group is not None else rules_from_permissions(raw)
        rules.sort(key=lambda r: (r.egress, r.source))
        groups[gid] = SecurityGroup(
            id=gid, rules=tuple(rules), tier=tags.get(tier_tag),
            name=str(raw.get("GroupName") or tags.get("Name") or gid),
            is_default=raw.get("GroupName") == "default", source=labels[gid])
    return groups


def _endpoints(ec2: Any, vpc_id: str) -> dict[str, GatewayEndpoint]:
    found: dict[str, GatewayEndpoint] = {}
    for raw in _paginate(ec2, "describe_vpc_endpoints", "VpcEndpoints", Filters=_in_vpc(vpc_id)):
        # Interface endpoints are ENIs in subnets, not routes: they do not change routing.
        if raw.get("VpcEndpointType", "Gateway") != "Gateway":
            continue
        if str(raw.get("State", "available")).lower() in _DEAD_ENDPOINT_STATES:
            continue
        eid = str(raw["VpcEndpointId"])
        found[eid] = GatewayEndpoint(eid, str(raw.get("ServiceName") or ""),
                                     frozenset(str(t) for t in raw.get("RouteTableIds") or []),
                                     _label(eid, resource_tags(raw)))
    lists = _service_prefix_lists(ec2, sorted({e.service for e in found.values()}))
    return {eid: replace(e, prefix_list_id=lists[e.service][0], cidrs=lists[e.service][1])
            if e.service in lists else e for eid, e in found.items()}


def _service_prefix_lists(ec2: Any, services: list[str]
                          ) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Service name -> (prefix list id, its CIDRs) of AWS's prefix lists for the gateway
    endpoints' services (DescribePrefixLists); a refused read leaves them out, so the
    service's answers stay unknown (R5)."""
    if not services:
        return {}
    try:
        raw = _paginate(ec2, "describe_prefix_lists", "PrefixLists",
                        Filters=[{"Name": "prefix-list-name", "Values": services}])
        return {str(p["PrefixListName"]): (str(p["PrefixListId"]),
                                           tuple(str(c) for c in p.get("Cidrs") or []))
                for p in raw if p.get("PrefixListName") in services and p.get("Cidrs")}
    except ReadError:  # e.g. no ec2:DescribePrefixLists: unknown, never blocked
        return {}


def _interface_endpoints(ec2: Any, vpc_id: str) -> dict[str, InterfaceEndpoint]:
    """Interface endpoints: network interfaces in subnets, with security groups."""
    found: dict[str, InterfaceEndpoint] = {}
    for raw in _paginate(ec2, "describe_vpc_endpoints", "VpcEndpoints", Filters=_in_vpc(vpc_id)):
        if raw.get("VpcEndpointType") != "Interface":
            continue
        if str(raw.get("State", "available")).lower() in _DEAD_ENDPOINT_STATES:
            continue
        eid = str(raw["VpcEndpointId"])
        groups = tuple(dict.fromkeys(str(g["GroupId"]) for g in raw.get("Groups") or []
                                     if g.get("GroupId")))
        found[eid] = InterfaceEndpoint(eid, str(raw.get("ServiceName") or ""),
                                       frozenset(str(s) for s in raw.get("SubnetIds") or []),
                                       groups, _label(eid, resource_tags(raw)),
                                       str(raw.get("IpAddressType") or "").lower() or None)
    return found


def load_balancers_live(elbv2: Any, subnets: Collection[str]
                        ) -> tuple[dict[str, LoadBalancer], list[Unresolved]]:
    """ALBs and NLBs with a subnet among ``subnets`` (DescribeLoadBalancers, Listeners,
    TargetGroups); what cannot be read is an Unresolved item (the answer is then
    incomplete), never a missing LB taken as none."""
    from botocore.exceptions import BotoCoreError, ClientError

    found: dict[str, LoadBalancer] = {}
    try:
        raws = [raw for page in elbv2.get_paginator("describe_load_balancers").paginate()
                for raw in page.get("LoadBalancers") or []]
    except (ClientError, BotoCoreError) as error:
        return {}, [Unresolved("elbv2", "DescribeLoadBalancers", str(error))]
    missing: list[Unresolved] = []
    for raw in raws:
        own = {str(z.get("SubnetId")) for z in raw.get("AvailabilityZones") or []
               if z.get("SubnetId")}
        if not own & set(subnets):
            continue
        arn = str(raw["LoadBalancerArn"])
        try:
            listeners = [lst for page in elbv2.get_paginator("describe_listeners").paginate(
                LoadBalancerArn=arn) for lst in page.get("Listeners") or []]
            groups = elbv2.describe_target_groups(LoadBalancerArn=arn).get("TargetGroups") or []
        except (ClientError, BotoCoreError) as error:
            missing.append(Unresolved(arn, "listeners", str(error)))
            listeners, groups = [], []
        targets = {}
        for group in groups:
            port = group.get("Port")
            health = str(group.get("HealthCheckPort") or "")
            health_port = int(health) if health.isdigit() and int(health) != port else None
            gid = str(group["TargetGroupArn"])
            targets[gid] = TargetGroup(gid, int(port) if isinstance(port, int) else None,
                                       str(group.get("Protocol") or ""), health_port,
                                       str(group.get("TargetGroupName") or gid))
        read = []
        for listener in listeners:
            forwards = tuple(str(a["TargetGroupArn"]) for a in listener.get("DefaultActions")
                             or [] if a.get("TargetGroupArn"))
            read.append(Listener(int(listener["Port"]), str(listener.get("Protocol") or ""),
                                 forwards))
        scheme = raw.get("Scheme")
        found[arn] = LoadBalancer(
            arn, str(raw.get("Type") or "") or None,
            None if scheme is None else scheme == "internal", frozenset(own),
            tuple(str(g) for g in raw.get("SecurityGroups") or []),
            tuple(sorted(read, key=lambda lst: lst.port)),
            tuple(targets[t] if t in targets else TargetGroup(t, None)
                  for t in dict.fromkeys(f for lst in read for f in lst.target_groups)),
            str(raw.get("LoadBalancerName") or arn))
    return found, missing


def select_vpcs(ec2: Any, *, vpc_ids: Sequence[str] = (),
                tag_filters: Mapping[str, str] | None = None,
                all_vpcs: bool = False) -> list[dict[str, Any]]:
    """The VPCs to read: those named by id, every non-default VPC of the region
    (``all_vpcs``), else the one :func:`select_vpc` chooses."""
    if vpc_ids:
        return [select_vpc(ec2, vpc_id=v) for v in dict.fromkeys(vpc_ids)]
    if all_vpcs:
        found = [v for v in _paginate(ec2, "describe_vpcs", "Vpcs") if not v.get("IsDefault")]
        if not found:
            raise ReadError("no (non-default) VPC found in this account and region")
        return sorted(found, key=lambda v: str(v["VpcId"]))
    return [select_vpc(ec2, tag_filters=tag_filters)]


def _prefix_lists(ec2: Any, ids: Iterable[str]) -> dict[str, list[str]]:
    """Entries of the managed prefix lists ``ids`` (GetManagedPrefixListEntries); a list
    that cannot be read is left out, so what names it stays unknown (S5, R11)."""
    from botocore.exceptions import BotoCoreError, ClientError

    found: dict[str, list[str]] = {}
    for pl in sorted(set(ids)):
        try:
            entries = [str(e["Cidr"]) for page in ec2.get_paginator(
                "get_managed_prefix_list_entries").paginate(PrefixListId=pl)
                for e in page.get("Entries") or [] if e.get("Cidr")]
        except (ClientError, BotoCoreError):
            continue
        found[pl] = entries
    return found


def _peerings(ec2: Any, vpcs: Collection[str]) -> dict[str, Peering]:
    """Active peering connections whose two VPCs are both read (R13)."""
    found: dict[str, Peering] = {}
    for raw in _paginate(ec2, "describe_vpc_peering_connections", "VpcPeeringConnections",
                         Filters=[{"Name": "status-code", "Values": ["active"]}]):
        ends = frozenset(str((raw.get(side) or {}).get("VpcId") or "")
                         for side in ("RequesterVpcInfo", "AccepterVpcInfo"))
        if len(ends) == 2 and ends <= set(vpcs):
            pcx = str(raw["VpcPeeringConnectionId"])
            found[pcx] = Peering(pcx, ends, _label(pcx, resource_tags(raw)))
    return found


def network_from_live(ec2_client: Any, *, vpc_id: str | None = None,
                      vpc_ids: Sequence[str] = (), all_vpcs: bool = False,
                      tag_filters: Mapping[str, str] | None = None, tier_tag: str = TIER_TAG,
                      named_networks: Mapping[str, Any] | None = None,
                      firewall_client: Any | None = None,
                      elbv2_client: Any | None = None) -> Network:
    """The live network of the VPCs :func:`select_vpcs` chooses (``vpc_id``: one by id).

    Several VPCs are read as the plan and state readers read them (R13): each object
    knows its VPC, an active peering between two of them is a path, and tier names two
    VPCs share are qualified by the VPC's Name tag. Managed prefix lists named by group
    rules and routes are read by their entries (S5, R11). With ``firewall_client`` (boto3
    ``network-firewall``) the VPCs' Network Firewalls too (R15); without it a route to a
    firewall endpoint stays an unknown Gateway Load Balancer endpoint. With
    ``elbv2_client``, the load balancers in the VPCs' subnets (``load_balancers_live``)."""
    chosen = select_vpcs(ec2_client, vpc_ids=[vpc_id] if vpc_id else vpc_ids,
                         tag_filters=tag_filters, all_vpcs=all_vpcs)
    several = len(chosen) > 1
    read = [_read_vpc(ec2_client, vpc, tier_tag, several) for vpc in chosen]
    parts = [r.net for r in read]
    lists = _prefix_lists(ec2_client, [
        *(r.prefix_list for part in parts for g in part.security_groups.values()
          for r in g.rules if r.prefix_list),
        *(r.destination for part in parts for t in part.route_tables.values()
          for r in t.routes if r.kind != "endpoint" and r.destination.startswith("pl-"))])
    main = max(parts, key=lambda part: len(part.subnets))
    net = Network(
        source="live", vpc_cidrs=tuple(dict.fromkeys(c for p in parts for c in p.vpc_cidrs)),
        vpc_id=main.vpc_id,
        named_networks=named_networks_of(named_networks),
        vpc_ipv6_cidrs=tuple(dict.fromkeys(c for p in parts for c in p.vpc_ipv6_cidrs)))
    for part in parts:
        net.subnets.update(part.subnets)
        net.internet_gateways.update(part.internet_gateways)
        net.nat_gateways.update(part.nat_gateways)
        net.endpoints.update(part.endpoints)
        net.interface_endpoints.update(part.interface_endpoints)
        net.route_tables.update({k: replace(t, routes=tuple(
            e for r in t.routes for e in routes_by_prefix_list(r, lists)))
            for k, t in part.route_tables.items()})
        net.nacls.update(part.nacls)
        net.appliances.update(part.appliances)
        net.security_groups.update({k: replace(g, rules=tuple(
            e for r in g.rules for e in rules_by_prefix_list(r, lists)))
            for k, g in part.security_groups.items()})
    if elbv2_client is not None:
        net.load_balancers, missing = load_balancers_live(elbv2_client, net.subnets)
        net.unresolved.extend(missing)
    if several:
        # As the plan and state readers: subnets in address-space order across VPCs.
        net.subnets = dict(sorted(net.subnets.items(), key=lambda item: item[1].cidr))
        net.vpcs = {r.net.vpc_id: Vpc(r.net.vpc_id, r.net.vpc_cidrs, r.name or r.net.vpc_id,
                                      r.label, ipv6_cidrs=r.net.vpc_ipv6_cidrs) for r in read}
        net.peerings = _peerings(ec2_client, net.vpcs)
    if firewall_client is not None:
        net.firewalls, net.firewall_policies, net.firewall_rule_groups = read_firewalls(
            firewall_client, [p.vpc_id for p in parts])
    return qualify_shared_tiers(net)


def _appliance(raw: Mapping[str, Any], ident: str, subnets: Collection[str]
               ) -> Appliance | None:
    """One appliance from a DescribeNetworkInterfaces item (or an instance's primary
    interface): its subnet, groups and source/destination check; None outside ``subnets``."""
    subnet = str(raw.get("SubnetId") or "")
    if subnet not in subnets:
        return None  # in no subnet of this VPC: the route's target stays unknown
    groups = tuple(str(g["GroupId"]) for g in raw.get("Groups") or [] if g.get("GroupId"))
    check = raw.get("SourceDestCheck")
    tags = resource_tags({"Tags": raw.get("TagSet") or raw.get("Tags") or []})
    return Appliance(ident, subnet, groups or None, check if isinstance(check, bool) else None,
                     _label(ident, tags))


def _appliances(ec2: Any, vpc_id: str, tables: Iterable[RouteTable],
                subnets: Collection[str]) -> dict[str, Appliance]:
    """R14, R9: the network interfaces and instances the VPC's routes name, by every id a
    route may name them by (an instance also by its primary interface), read with
    DescribeNetworkInterfaces and DescribeInstances: subnet, groups, SourceDestCheck. Asked
    only when some route names one; a refused read leaves them out (unknown, never
    blocked)."""
    targets = {r.target for t in tables for r in t.routes
               if r.kind in ("eni", "instance") and r.target}
    if not targets:
        return {}
    found: dict[str, Appliance] = {}
    try:
        interfaces = {str(raw["NetworkInterfaceId"]): raw for raw in _paginate(
            ec2, "describe_network_interfaces", "NetworkInterfaces", Filters=_in_vpc(vpc_id))}
    except ReadError:
        interfaces = {}
    for eni, raw in interfaces.items():
        if eni in targets and (appliance := _appliance(raw, eni, subnets)) is not None:
            found[eni] = appliance
    wanted = sorted(t for t in targets if t.startswith("i-"))
    if not wanted:
        return found
    try:
        reservations = list(_paginate(ec2, "describe_instances", "Reservations",
                                      Filters=_in_vpc(vpc_id)))
    except ReadError:
        return found
    for instance in (i for r in reservations for i in r.get("Instances") or []):
        ident = str(instance.get("InstanceId") or "")
        if ident not in targets:
            continue
        primary = next((n for n in instance.get("NetworkInterfaces") or []
                        if (n.get("Attachment") or {}).get("DeviceIndex") == 0), None)
        source = {**(primary or {}), "TagSet": instance.get("Tags") or []}
        if primary is None:  # no interface listed: the instance's own fields
            source.update(SubnetId=instance.get("SubnetId"),
                          Groups=instance.get("SecurityGroups") or [],
                          SourceDestCheck=instance.get("SourceDestCheck"))
        appliance = _appliance(source, ident, subnets)
        if appliance is None:
            continue
        found[ident] = appliance
        if primary is not None and primary.get("NetworkInterfaceId"):
            found[str(primary["NetworkInterfaceId"])] = appliance
    return found


@dataclass(frozen=True)
class _Part:
    """One VPC's objects (a one-VPC Network), its Name tag and label, before merging."""

    net: Network
    name: str | None
    label: str


def _read_vpc(ec2_client: Any, vpc: Mapping[str, Any], tier_tag: str,
              several: bool) -> _Part:
    """Everything of one VPC; with ``several``, each object names its VPC."""
    vid = str(vpc["VpcId"])
    own = vid if several else None
    vpc_tags = resource_tags(vpc)
    net = Network(source="live", vpc_cidrs=_vpc_cidrs(vpc), vpc_id=vid,
                  vpc_ipv6_cidrs=tuple(_ipv6_blocks(vpc)))
    # AWS lists subnets in no particular order: sort by address so that tiers (first-seen
    # order) and reports come out the same on every read.
    subnets = sorted(_paginate(ec2_client, "describe_subnets", "Subnets", Filters=_in_vpc(vid)),
                     key=lambda s: IPv4Network(s.get("CidrBlock") or IPV6_NATIVE_STAND_IN))
    for raw in subnets:
        sid, tags = str(raw["SubnetId"]), resource_tags(raw)
        native = bool(raw.get("Ipv6Native"))
        blocks = _ipv6_blocks(raw)
        net.subnets[sid] = Subnet(
            id=sid, cidr=IPv4Network(raw.get("CidrBlock") or IPV6_NATIVE_STAND_IN),
            az=raw.get("AvailabilityZone"), tier=tags.get(tier_tag), name=tags.get("Name"),
            map_public_ip=bool(raw.get("MapPublicIpOnLaunch")), source=_label(sid, tags),
            ipv6_cidr=blocks[0] if blocks else None,
            assign_ipv6=bool(raw.get("AssignIpv6AddressOnCreation")),
            ipv6_native=native or not raw.get("CidrBlock"), vpc=own)
    for raw in _paginate(ec2_client, "describe_internet_gateways", "InternetGateways",
                         Filters=[{"Name": "attachment.vpc-id", "Values": [vid]}]):
        igw = str(raw["InternetGatewayId"])
        net.internet_gateways[igw] = InternetGateway(igw, _label(igw, resource_tags(raw)))
    for raw in _paginate(ec2_client, "describe_nat_gateways", "NatGateways",
                         Filters=_in_vpc(vid)):
        if raw.get("State") in _DEAD_NAT_STATES:
            continue
        nat = str(raw["NatGatewayId"])
        net.nat_gateways[nat] = NatGateway(nat, str(raw["SubnetId"]),
                                           raw.get("ConnectivityType", "public") == "public",
                                           _label(nat, resource_tags(raw)))
    net.endpoints = _endpoints(ec2_client, vid)
    net.interface_endpoints = _interface_endpoints(ec2_client, vid)
    net.route_tables = {k: replace(t, vpc=own) for k, t in
                        _route_tables(ec2_client, vid, tier_tag, net.endpoints).items()}
    net.nacls = {k: replace(n, vpc=own) for k, n in _nacls(ec2_client, vid, tier_tag).items()}
    net.appliances = _appliances(ec2_client, vid, net.route_tables.values(), net.subnets)
    net.security_groups = {k: replace(g, vpc=own) for k, g in
                           _security_groups(ec2_client, vid, tier_tag).items()}
    return _Part(net, vpc_tags.get("Name"), _label(vid, vpc_tags))
