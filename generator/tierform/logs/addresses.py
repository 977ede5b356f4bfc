"""Addresses the blueprint cannot know, read from what was built, for ``logs check`` and
``logs athena``: the NAT gateways' private addresses and the Amazon-provided IPv6 blocks of
the VPC and its tier subnets, from a Terraform state or a live read; the network interfaces
of the load balancers and interface endpoints, from a live read only (a state records
neither: the aws_lb resource has no addresses, aws_vpc_endpoint only interface ids).

Both are AWS's choice at apply time, so only a state or the API holds them: without the
NAT addresses a gateway's translated leg reads as its tier talking to the internet;
without the IPv6 blocks every IPv6 record is unmapped. A NAT gateway or block not recorded
(pending, failed, disassociated) adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from pathlib import Path
from typing import Any

from tierform.errors import ReadError
from tierform.logs.intent import Interface
from tierform.logs.rules import Block6
from tierform.network.tags import TIER_TAG
from tierform.readers.state import iter_module_resources

__all__ = ["Built", "live_built", "state_built"]

_TYPES = ("aws_nat_gateway", "aws_vpc", "aws_subnet")


@dataclass(frozen=True)
class Built:
    """What a state or live read adds to the blueprint's placement of addresses."""

    nat_addresses: tuple[IPv4Address, ...] = ()
    blocks6: tuple[Block6, ...] = ()
    interfaces: tuple[Interface, ...] = ()
    """Addresses of the load balancers (``lb_<tier>``) and interface endpoints
    (``aws:<service>``) the read found."""


def _state_resources(document: Mapping[str, Any],
                     path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(type, attributes) of the managed NAT gateways, VPCs and subnets in ``terraform show
    -json`` output (``values.root_module``) or a raw ``.tfstate`` (``resources[].instances``)."""
    values = document.get("values")
    if isinstance(values, Mapping) and isinstance(values.get("root_module"), Mapping):
        for resource in iter_module_resources(values["root_module"]):
            if resource.get("type") in _TYPES:
                yield str(resource["type"]), resource.get("values") or {}
        return
    resources = document.get("resources")
    if isinstance(resources, list) and "version" in document:
        for resource in resources:
            if (isinstance(resource, Mapping) and resource.get("type") in _TYPES
                    and resource.get("mode", "managed") == "managed"):
                for instance in resource.get("instances") or []:
                    if isinstance(instance, Mapping):
                        yield str(resource["type"]), instance.get("attributes") or {}
        return
    if "planned_values" in document or "resource_changes" in document:
        raise ReadError(f"{path}: this is a plan, not a state; NAT gateway addresses and "
                        "IPv6 blocks exist only after apply: give `terraform show -json` "
                        "after apply or the .tfstate file")
    if values is None and "format_version" in document:
        return  # `terraform show -json` of an empty state: nothing applied
    raise ReadError(f"{path}: not a Terraform state: give `terraform show -json` output "
                    "after apply, or the raw .tfstate file")


def _address(value: object, where: str) -> IPv4Address | None:
    if value in (None, ""):
        return None
    try:
        return IPv4Address(str(value))
    except ValueError:
        raise ReadError(f"{where}: {value!r} is not an IPv4 address; regenerate the state "
                        "with terraform show -json, or read it --live") from None


def _block(value: object, where: str) -> IPv6Network | None:
    if value in (None, ""):
        return None
    try:
        return IPv6Network(str(value))
    except ValueError:
        raise ReadError(f"{where}: {value!r} is not an IPv6 block; regenerate the state with "
                        "terraform show -json, or read it --live") from None


def _tier(tags: object, tier_tag: str) -> str | None:
    return str(tags[tier_tag]) if isinstance(tags, Mapping) and tags.get(tier_tag) else None


def state_built(path: Path, *, vpc_cidr: IPv4Network,
                tier_tag: str = TIER_TAG) -> Built:
    """The NAT gateways' addresses and the IPv6 blocks of the blueprint's VPC (the state's
    VPC with the blueprint's IPv4 CIDR) recorded in the state file ``path``."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReadError(f"{path}: cannot read the state: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ReadError(f"{path}: cannot read the state: {error}") from None
    except json.JSONDecodeError as error:
        raise ReadError(f"{path}: not JSON (line {error.lineno}): give `terraform show "
                        "-json` output after apply, or the .tfstate file") from None
    if not isinstance(document, Mapping):
        raise ReadError(f"{path}: expected a JSON object (a Terraform state)")
    nats: list[IPv4Address] = []
    vpcs: dict[str, IPv6Network | None] = {}
    subnets: list[tuple[str, IPv6Network, str | None]] = []
    for kind, values in _state_resources(document, str(path)):
        where = f"{path}: {kind} {values.get('id')}"
        if kind == "aws_nat_gateway":
            for value in (values.get("private_ip"),
                          *(values.get("secondary_private_ip_addresses") or ())):
                address = _address(value, where)
                if address is not None:
                    nats.append(address)
        elif kind == "aws_vpc":
            if str(values.get("cidr_block")) == str(vpc_cidr):
                vpcs[str(values.get("id"))] = _block(values.get("ipv6_cidr_block"), where)
        else:
            block = _block(values.get("ipv6_cidr_block"), where)
            if block is not None:
                subnets.append((str(values.get("vpc_id")), block,
                                _tier(values.get("tags_all") or values.get("tags"), tier_tag)))
    blocks = [Block6(b, None) for b in vpcs.values() if b is not None]
    blocks += [Block6(b, tier) for vpc, b, tier in subnets if vpc in vpcs]
    return Built(tuple(dict.fromkeys(nats)), tuple(blocks))


def live_built(ec2: Any, *, vpc_ids: Sequence[str] = (), all_vpcs: bool = False,
               name: str | None = None, tier_tag: str = TIER_TAG,
               load_balancers: Mapping[str, str] | None = None,
               services: Mapping[str, str] | None = None) -> Built:
    """The NAT gateways' addresses and the IPv6 blocks of the VPCs read as ``verify --live``
    reads them: ``vpc_ids``, every VPC, or the VPC tagged ``Name`` = ``name``.
    ``load_balancers``: tier -> LB id (``lb_<tier>``) of the tiers with a load balancer;
    ``services``: endpoint service name (``com.amazonaws.<region>.ssm``) -> ``aws:ssm``."""
    if vpc_ids:
        found = _describe(ec2, "describe_vpcs", "Vpcs", VpcIds=list(vpc_ids))
    elif all_vpcs:
        found = _describe(ec2, "describe_vpcs", "Vpcs")
    else:
        found = _describe(ec2, "describe_vpcs", "Vpcs",
                          Filters=[{"Name": "tag:Name", "Values": [name or ""]}])
    vpcs = [v for v in found if not (all_vpcs and v.get("IsDefault"))]
    if not vpcs:
        raise ReadError(f"no VPC tagged Name={name} in the region: give --vpc-id, or the "
                        "--region/--endpoint it was applied to")
    ids = [str(v["VpcId"]) for v in vpcs]
    blocks = [Block6(block, None) for v in vpcs
              for block in _associated(v.get("Ipv6CidrBlockAssociationSet"), f"VPC {v['VpcId']}")]
    where = [{"Name": "vpc-id", "Values": ids}]
    tier_of: dict[str, str | None] = {}
    for subnet in _describe(ec2, "describe_subnets", "Subnets", Filters=where):
        tags = {t.get("Key"): t.get("Value") for t in subnet.get("Tags") or []}
        tier_of[str(subnet.get("SubnetId"))] = _tier(tags, tier_tag)
        blocks += [Block6(block, _tier(tags, tier_tag)) for block in _associated(
            subnet.get("Ipv6CidrBlockAssociationSet"), f"subnet {subnet.get('SubnetId')}")]
    nats: list[IPv4Address] = []
    for gateway in _describe(ec2, "describe_nat_gateways", "NatGateways", Filter=where):
        if gateway.get("State") not in (None, "available", "pending"):
            continue
        for entry in gateway.get("NatGatewayAddresses", []):
            address = _address(entry.get("PrivateIp"),
                               f"NAT gateway {gateway.get('NatGatewayId')}")
            if address is not None:
                nats.append(address)
    interfaces = _lb_interfaces(ec2, where, tier_of, load_balancers or {})
    interfaces += _endpoint_interfaces(ec2, where, services or {})
    return Built(tuple(dict.fromkeys(nats)), tuple(blocks), tuple(dict.fromkeys(interfaces)))


def _interface_addresses(interface: Mapping[str, Any]) -> list[IPv4Address | IPv6Address]:
    """Every private IPv4 and IPv6 address of a DescribeNetworkInterfaces answer's item."""
    where = f"network interface {interface.get('NetworkInterfaceId')}"
    out: list[IPv4Address | IPv6Address] = []
    for entry in interface.get("PrivateIpAddresses") or [
            {"PrivateIpAddress": interface.get("PrivateIpAddress")}]:
        address = _address(entry.get("PrivateIpAddress"), where)
        if address is not None:
            out.append(address)
    for entry in interface.get("Ipv6Addresses") or []:
        try:
            out.append(IPv6Address(str(entry.get("Ipv6Address"))))
        except ValueError:
            raise ReadError(f"{where}: {entry.get('Ipv6Address')!r} is not an IPv6 "
                            "address") from None
    return out


def _lb_interfaces(ec2: Any, where: list[dict[str, Any]], tier_of: Mapping[str, str | None],
                   load_balancers: Mapping[str, str]) -> list[Interface]:
    """The load balancers' interfaces: AWS describes them ``ELB app/<name>/<id>`` (ALB) or
    ``ELB net/<name>/<id>`` (NLB); one in the subnets of a tier with a load balancer is
    that tier's LB (a Classic LB, ``ELB <name>``, is not Tierform's)."""
    if not load_balancers:
        return []
    out: list[Interface] = []
    filters = [*where, {"Name": "description", "Values": ["ELB app/*", "ELB net/*"]}]
    for interface in _describe(ec2, "describe_network_interfaces", "NetworkInterfaces",
                               Filters=filters):
        description = str(interface.get("Description") or "")
        if not description.startswith(("ELB app/", "ELB net/")):
            continue  # a filter the server did not apply is no reason to misplace one
        lb = load_balancers.get(tier_of.get(str(interface.get("SubnetId"))) or "")
        if lb is not None:
            out += [(lb, a) for a in _interface_addresses(interface)]
    return out


def _endpoint_interfaces(ec2: Any, where: list[dict[str, Any]],
                         services: Mapping[str, str]) -> list[Interface]:
    """The interface endpoints' network interfaces (DescribeVpcEndpoints, then their
    NetworkInterfaceIds through DescribeNetworkInterfaces), of the services flows name."""
    if not services:
        return []
    owner: dict[str, str] = {}
    for endpoint in _describe(ec2, "describe_vpc_endpoints", "VpcEndpoints", Filters=[
            *where, {"Name": "vpc-endpoint-type", "Values": ["Interface"]}]):
        name = services.get(str(endpoint.get("ServiceName")))
        if name is None or endpoint.get("State", "available").lower() not in (
                "available", "pending", "pendingacceptance"):
            continue
        for interface_id in endpoint.get("NetworkInterfaceIds") or []:
            owner[str(interface_id)] = name
    if not owner:
        return []
    out: list[Interface] = []
    for interface in _describe(ec2, "describe_network_interfaces", "NetworkInterfaces",
                               NetworkInterfaceIds=sorted(owner)):
        name = owner[str(interface.get("NetworkInterfaceId"))]
        out += [(name, a) for a in _interface_addresses(interface)]
    return out


def _describe(ec2: Any, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every item of a paginated describe call; AWS or connection errors become ReadError."""
    from botocore.exceptions import BotoCoreError, ClientError  # only a live read needs it

    try:
        return [item for page in ec2.get_paginator(operation).paginate(**kwargs)
                for item in page.get(key) or []]
    except ClientError as error:
        raise ReadError(f"cannot read the addresses the blueprint cannot know ({operation}): "
                        f"{error}") from None
    except BotoCoreError as error:
        raise ReadError(f"cannot reach AWS for {operation}: {error}") from None


def _associated(associations: object, where: str) -> list[IPv6Network]:
    """The associated IPv6 blocks of a describe answer's ``Ipv6CidrBlockAssociationSet``."""
    out = []
    for entry in associations if isinstance(associations, list) else []:
        state = (entry.get("Ipv6CidrBlockState") or {}).get("State", "associated")
        if state in ("associated", "associating"):
            block = _block(entry.get("Ipv6CidrBlock"), where)
            if block is not None:
                out.append(block)
    return out
