"""Addresses the blueprint cannot know, read from what was built: NAT gateways' private
addresses, from a Terraform state or a live read, for ``logs check``.

A NAT gateway's private address is AWS's choice inside its subnet, so only a state or the
API holds it; without it the gateway's translated leg reads as its tier talking to the
internet. A NAT gateway whose address is not recorded (pending, failed) adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

from tierform.errors import ReadError
from tierform.readers.state import iter_module_resources

__all__ = ["live_nat_addresses", "state_nat_addresses"]


def _state_values(document: Mapping[str, Any], path: str) -> Iterator[Mapping[str, Any]]:
    """The attribute maps of every ``aws_nat_gateway`` in ``terraform show -json`` output
    (``values.root_module``) or a raw ``.tfstate`` (``resources[].instances[].attributes``)."""
    values = document.get("values")
    if isinstance(values, Mapping) and isinstance(values.get("root_module"), Mapping):
        for resource in iter_module_resources(values["root_module"]):
            if resource.get("type") == "aws_nat_gateway":
                yield resource.get("values") or {}
        return
    resources = document.get("resources")
    if isinstance(resources, list) and "version" in document:
        for resource in resources:
            if (isinstance(resource, Mapping) and resource.get("type") == "aws_nat_gateway"
                    and resource.get("mode", "managed") == "managed"):
                for instance in resource.get("instances") or []:
                    if isinstance(instance, Mapping):
                        yield instance.get("attributes") or {}
        return
    if "planned_values" in document or "resource_changes" in document:
        raise ReadError(f"{path}: this is a plan, not a state; NAT gateway addresses exist "
                        "only after apply: give `terraform show -json` after apply or the "
                        ".tfstate file")
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
        raise ReadError(f"{where}: private_ip {value!r} is not an IPv4 address; regenerate "
                        "the state with terraform show -json") from None


def state_nat_addresses(path: Path) -> tuple[IPv4Address, ...]:
    """The private addresses of the NAT gateways recorded in the state file ``path``."""
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
    found = []
    for values in _state_values(document, str(path)):
        where = f"{path}: aws_nat_gateway {values.get('id')}"
        for value in (values.get("private_ip"),
                      *(values.get("secondary_private_ip_addresses") or ())):
            address = _address(value, where)
            if address is not None:
                found.append(address)
    return tuple(dict.fromkeys(found))


def live_nat_addresses(ec2: Any, *, vpc_ids: Sequence[str] = (), all_vpcs: bool = False,
                       name: str | None = None) -> tuple[IPv4Address, ...]:
    """The private addresses of the available NAT gateways of the VPCs read as ``verify
    --live`` reads them: ``vpc_ids``, every VPC, or the VPC tagged ``Name`` = ``name``."""
    if vpc_ids:
        vpcs = list(vpc_ids)
    elif all_vpcs:
        vpcs = []
    else:
        found = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [name or ""]}])
        vpcs = [v["VpcId"] for v in found.get("Vpcs", [])]
        if not vpcs:
            raise ReadError(f"no VPC tagged Name={name} in the region: give --vpc-id, or "
                            "the --region/--endpoint it was applied to")
    filters = [{"Name": "vpc-id", "Values": vpcs}] if vpcs else []
    found_addresses = []
    for page in ec2.get_paginator("describe_nat_gateways").paginate(Filter=filters):
        for gateway in page.get("NatGateways", []):
            if gateway.get("State") not in (None, "available", "pending"):
                continue
            for entry in gateway.get("NatGatewayAddresses", []):
                where = f"NAT gateway {gateway.get('NatGatewayId')}"
                address = _address(entry.get("PrivateIp"), where)
                if address is not None:
                    found_addresses.append(address)
    return tuple(dict.fromkeys(found_addresses))
