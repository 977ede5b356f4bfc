"""AWS facts, stated once: protocol numbers, port and ephemeral ranges, the reserved
endpoint ``internet``, region and zone names, service names, rule-number bounds.

Everything here is AWS's behaviour (or the one word Tierform reserves for it), not a
Tierform design choice; see docs/network-semantics.md for how the analyzer uses it.
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = [
    "ALL_PORTS",
    "ANYWHERE",
    "ANYWHERE_V6",
    "AWS_SERVICE_PREFIX",
    "DEFAULT_EPHEMERAL",
    "DEFAULT_FLOW_LOG_FIELDS",
    "FAMILIES",
    "GATEWAY_ENDPOINT_SERVICES",
    "INTERFACE_ENDPOINT_SERVICES",
    "INTERNET",
    "IPV6_NATIVE_STAND_IN",
    "MAX_PORT",
    "NACL_LAST_USER_RULE",
    "NAT64_PREFIX",
    "PORTED_PROTOCOLS",
    "PROTOCOLS",
    "PROTOCOL_NUMBERS",
    "REGION_PATTERN",
    "AddressFamily",
    "ProtocolName",
    "normalise_protocol",
    "service_endpoint",
    "service_from_name",
    "service_name",
    "service_of_endpoint",
]

INTERNET = "internet"
"""The reserved endpoint name for any address outside the VPC and the named networks."""

ANYWHERE = "0.0.0.0/0"
ANYWHERE_V6 = "::/0"
NAT64_PREFIX = "64:ff9b::/96"
"""The well-known NAT64 prefix (RFC 6052): DNS64 answers IPv4-only names inside it, and a
route for it to a NAT gateway translates the connection to IPv4."""
IPV6_NATIVE_STAND_IN = "0.0.0.0/32"
"""The IPv4 CIDR an IPv6-only subnet is recorded with (it holds no IPv4 hosts: the
analyzer leaves it out of the IPv4 family)."""

AddressFamily = Literal["ipv4", "ipv6"]
FAMILIES: tuple[AddressFamily, ...] = ("ipv4", "ipv6")
"""IPv4 and IPv6 traffic cross every layer separately: routes, NACL entries and group rules
are per family (a rule for 0.0.0.0/0 says nothing about ::/0)."""

MAX_PORT = 65535
ALL_PORTS: tuple[int, int] = (0, MAX_PORT)
DEFAULT_FLOW_LOG_FIELDS: tuple[str, ...] = (
    "version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport",
    "protocol", "packets", "bytes", "start", "end", "action", "log-status")
"""AWS's default VPC flow-log record format (version 2, 14 fields, space-delimited)."""

DEFAULT_EPHEMERAL: tuple[int, int] = (1024, MAX_PORT)
"""Client ports that replies go to (docs/network-semantics.md A3): covers NAT gateways,
load balancers and Linux/Windows clients."""

ProtocolName = Literal["tcp", "udp", "icmp"]
PROTOCOLS: tuple[ProtocolName, ...] = ("tcp", "udp", "icmp")
"""The protocols the analyzer tells apart (``all`` is their union)."""

PROTOCOL_NUMBERS: dict[str, str] = {"all": "-1", "tcp": "6", "udp": "17", "icmp": "1", "-1": "-1"}
"""Protocol names to AWS's protocol numbers, as AWS writes them in rules (strings)."""

PORTED_PROTOCOLS = frozenset({"6", "17"})
"""Only these protocols have ports: AWS ignores the port range of a rule for protocol -1
and for any protocol number other than 6 and 17 (ICMP matches type/code instead)."""

NACL_LAST_USER_RULE = 32766
"""Rule numbers above this are AWS's fixed catch-all ``*`` deny rules (IPv4 32767, IPv6 32768)."""

REGION_PATTERN = r"^[a-z]{2}(-[a-z]+)+-\d+$"
"""A region name such as ``us-east-1`` or ``ap-southeast-10``."""
_REGION = re.compile(REGION_PATTERN)

GATEWAY_ENDPOINT_SERVICES = ("dynamodb", "s3")
"""The services AWS offers gateway VPC endpoints for."""


INTERFACE_ENDPOINT_SERVICES = (
    "ec2", "ec2messages", "ecr.api", "ecr.dkr", "kms", "logs", "monitoring",
    "secretsmanager", "sns", "sqs", "ssm", "ssmmessages", "sts",
)
"""The services a flow may name as ``aws:<service>`` (interface VPC endpoints, TCP 443;
AWS offers many more: this is the list Tierform renders and the analyzer names)."""

AWS_SERVICE_PREFIX = "aws:"
"""A flow endpoint ``aws:<service>`` is an AWS service reached through a VPC endpoint."""


def service_endpoint(service: str) -> str:
    """``ssm`` -> ``aws:ssm``: the endpoint name flows, the matrix and queries use."""
    return f"{AWS_SERVICE_PREFIX}{service}"


def service_of_endpoint(endpoint: str) -> str | None:
    """``aws:ssm`` -> ``ssm``; None when ``endpoint`` does not name an AWS service."""
    if endpoint.startswith(AWS_SERVICE_PREFIX):
        return endpoint[len(AWS_SERVICE_PREFIX):]
    return None


def service_from_name(service_name: str) -> str:
    """``com.amazonaws.us-east-1.ecr.api`` -> ``ecr.api`` (a name of another shape as is)."""
    parts = service_name.split(".")
    if len(parts) >= 4 and parts[0] == "com" and parts[1] == "amazonaws":
        return ".".join(parts[3:])
    return service_name


def normalise_protocol(value: str | int) -> str:
    """``"tcp"``/``6``/``"6"`` -> ``"6"``; ``"all"``/``-1`` -> ``"-1"``."""
    text = str(value).lower()
    return PROTOCOL_NUMBERS.get(text, text)


def service_name(region: str, service: str) -> str:
    """The VPC endpoint service name of an AWS service in a region."""
    if not _REGION.fullmatch(region):
        raise ValueError(f"not a region name: {region!r}")
    return f"com.amazonaws.{region}.{service}"
