"""How a NACL or security group rule's protocol, ports and peer are written in HCL.

Decided here once, so the templates print attribute/value pairs: protocol ``-1`` carries
no ports; ICMP's "every type and code" is the layout's ``-1``/``-1``, which a NACL rule
writes as ``icmp_type``/``icmp_code`` and a security group rule as ``from_port``/``to_port``
(EC2's encoding for ICMP in both APIs).
"""

from __future__ import annotations

from tierform.layout.model import NaclRulePlan, SgRulePlan
from tierform.render.filters import hcl_string

__all__ = ["nacl_cidr_field", "port_fields", "sg_peer_field"]


def port_fields(rule: NaclRulePlan | SgRulePlan) -> list[tuple[str, int]]:
    """The port attributes of one rule, in the order they are written (none for ``-1``)."""
    if rule.protocol == "-1" or rule.from_port is None or rule.to_port is None:
        return []
    if rule.protocol == "icmp" and isinstance(rule, NaclRulePlan):
        return [("icmp_type", rule.from_port), ("icmp_code", rule.to_port)]
    return [("from_port", rule.from_port), ("to_port", rule.to_port)]


def nacl_cidr_field(rule: NaclRulePlan) -> tuple[str, str]:
    """The peer of a NACL rule: ``cidr_block``, or ``ipv6_cidr_block`` with ``::/0`` as text
    and a block of the VPC's Amazon-provided /56 as the expression it is until apply."""
    if not rule.ipv6:
        return "cidr_block", hcl_string(rule.cidr)
    return "ipv6_cidr_block", hcl_string(rule.cidr) if ":" in rule.cidr else rule.cidr


def sg_peer_field(rule: SgRulePlan) -> tuple[str, str]:
    """The peer of a security group rule: another tier's group, a gateway endpoint's
    prefix list, else a CIDR."""
    if rule.prefix_list is not None:
        return "prefix_list_id", f"aws_vpc_endpoint.{rule.prefix_list}.prefix_list_id"
    if rule.network_list is not None:
        return "prefix_list_id", f"aws_ec2_managed_prefix_list.{rule.network_list}.id"
    if rule.peer_tier is not None:
        return "referenced_security_group_id", f"aws_security_group.{rule.peer_tier}.id"
    if rule.cidr is None:
        raise ValueError(f"security group rule {rule.name} has neither a peer group nor a CIDR")
    return "cidr_ipv6" if ":" in rule.cidr else "cidr_ipv4", hcl_string(rule.cidr)
