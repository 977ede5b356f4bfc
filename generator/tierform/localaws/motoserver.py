"""moto's server, with fixes where moto answers differently from AWS and Terraform notices.

Run as ``python -m tierform.localaws.motoserver -H 127.0.0.1 -p PORT`` (what ``LocalAWS``
starts). Each fix is small, checks that the code it replaces still looks as expected,
and is skipped (not forced) when a moto release changes it.

Not fixable here: the apply waits that are the AWS provider's own (5.100, measured with
``TF_LOG=DEBUG`` against this server), the same against AWS whatever the answers are.
``aws_s3_bucket_lifecycle_configuration`` waits 10 s, then needs 10 equal reads of
GetBucketLifecycleConfiguration 5 s apart (55 s; moto's reads equal what was put from the
first one, tests/unit/test_localaws.py); ``aws_vpc`` with ``enable_dns_hostnames`` and
``aws_vpn_gateway`` each wait a fixed 10 s before their first poll.
"""

from __future__ import annotations

import inspect
import ipaddress
import os
import threading
import uuid
from typing import Any, cast

__all__ = ["FIXES", "LISTENING", "apply_fixes", "main"]

LISTENING = "tierform-localaws: listening on {address} (pid {pid})"
"""The line the server prints once it holds its port (``LocalAWS`` waits for it)."""


def _fix_group_rule_description() -> bool:
    """DescribeSecurityGroupRules drops the description of group-reference rules.

    moto 5.x reads a rule's description from its CIDR range only; AWS returns the
    description of every rule. Terraform's ``aws_vpc_security_group_*_rule`` with
    ``referenced_security_group_id`` and a ``description`` then diffs on every plan.
    """
    try:
        from moto.ec2.models.security_groups import SecurityGroupRule
    except ImportError:
        return False
    current = SecurityGroupRule.__dict__.get("description")
    if not isinstance(current, property):
        return False

    def description(self: Any) -> str | None:
        found: str | None = self.ip_range.get("Description")
        if found is None and isinstance(getattr(self, "source_group", None), dict):
            found = self.source_group.get("Description")
        return found

    SecurityGroupRule.description = property(description)  # type: ignore[method-assign,assignment]
    return True


def _fix_prefix_list_rule_description() -> bool:
    """DescribeSecurityGroupRules drops the description of prefix-list rules.

    moto 5.x keeps only the ``PrefixListId`` of a rule's prefix list (its ``Description``
    is lost); AWS returns it. ``aws_vpc_security_group_egress_rule`` with
    ``prefix_list_id`` (a flow to ``aws:s3``) and a ``description`` then diffs on every
    plan. The rule keeps the description it was given; the description property (moto's
    own or the group-reference fix above) falls back to it.
    """
    try:
        from moto.ec2.models.security_groups import SecurityGroupRule
    except ImportError:
        return False
    current = SecurityGroupRule.__dict__.get("description")
    init = SecurityGroupRule.__init__
    if not isinstance(current, property) or current.fget is None \
            or "prefix_list_id" not in inspect.signature(init).parameters:
        return False
    read = current.fget

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        bound = inspect.signature(init).bind(self, *args, **kwargs)
        given = bound.arguments.get("prefix_list_id")
        init(self, *args, **kwargs)
        self.tierform_prefix_list_description = (
            given.get("Description") if isinstance(given, dict) else None)

    def description(self: Any) -> str | None:
        found: str | None = read(self)
        if found is None:
            found = getattr(self, "tierform_prefix_list_description", None)
        return found

    SecurityGroupRule.__init__ = __init__  # type: ignore[method-assign]
    SecurityGroupRule.description = property(description)  # type: ignore[method-assign,assignment]
    return True


def _fix_prefix_list_cidrs() -> bool:
    """DescribePrefixLists answers no ``Cidrs``.

    moto 5.x serialises its prefix list objects by the response shape, and they hold their
    entries by version, not as ``cidrs``; AWS lists the CIDRs of each AWS-managed list.
    The AWS provider reads an ``aws_vpc_endpoint``'s ``cidr_blocks`` from it, and the live
    reader places ``aws:s3`` by it: without them both are empty. The fix answers the
    newest version's entries."""
    try:
        from moto.ec2.models.managed_prefixes import ManagedPrefixList
    except ImportError:
        return False
    if hasattr(ManagedPrefixList, "cidrs") \
            or "entry" not in inspect.signature(ManagedPrefixList.__init__).parameters:
        return False

    def cidrs(self: Any) -> list[str]:
        entries = getattr(self, "entries", None)
        if not isinstance(entries, dict) or not entries:
            return []
        latest = entries[max(entries)]
        return [str(e["Cidr"]) for e in latest or [] if isinstance(e, dict) and e.get("Cidr")]

    ManagedPrefixList.cidrs = property(cidrs)  # type: ignore[attr-defined]
    return True


def _fix_missing_network_acl_entry() -> bool:
    """DeleteNetworkAclEntry of a rule that is not there fails with HTTP 500 (not XML).

    AWS answers the client error ``InvalidNetworkAclEntry.NotFound``, which the provider's
    destroy takes as done; moto 5.x lets StopIteration escape, and the destroy fails after
    its retries ("XML syntax error" from the SDK), e.g. when a retried delete had gone
    through. moto also scans the entry list while other requests (threaded server) remove
    from it, which can skip the wanted entry: this scans a copy.
    """
    try:
        from moto.ec2.exceptions import EC2ClientError
        from moto.ec2.models.network_acls import NetworkAclBackend
    except ImportError:
        return False
    current = NetworkAclBackend.__dict__.get("delete_network_acl_entry")
    if not callable(current) or list(inspect.signature(current).parameters) != [
            "self", "network_acl_id", "rule_number", "egress"]:
        return False

    def delete_network_acl_entry(self: Any, network_acl_id: str, rule_number: int,
                                 egress: bool) -> Any:
        network_acl = self.get_network_acl(network_acl_id)  # InvalidNetworkAclID.NotFound
        for entry in list(network_acl.network_acl_entries):
            if entry.egress == egress and entry.rule_number == rule_number:
                try:
                    network_acl.network_acl_entries.remove(entry)
                except ValueError:  # a concurrent request removed it first
                    break
                return entry
        direction = "egress" if egress else "ingress"
        raise EC2ClientError(
            "InvalidNetworkAclEntry.NotFound",
            f"The {direction} rule {rule_number} does not exist in network ACL {network_acl_id}")

    NetworkAclBackend.delete_network_acl_entry = delete_network_acl_entry  # type: ignore[method-assign]
    return True


def _fix_missing_network_acl_association() -> bool:
    """ReplaceNetworkAclAssociation of an association that is not there fails with HTTP 500.

    AWS answers the client error ``InvalidAssociationID.NotFound``; moto 5.x lets
    StopIteration escape (an HTML 500 page). Seen in an e2e apply on a loaded machine: the
    SDK retried a replace whose first answer was lost after it had gone through (the old
    association id was gone), met the 500 twice more (HTTP 5xx is retryable), and the whole
    apply was then retried by ``tierform apply`` for a server error that was none. moto
    also drops the old association before it looks the new ACL up: an unknown ACL id left
    the subnet with no ACL at all. This checks both first, as AWS does.
    """
    try:
        from moto.ec2.exceptions import InvalidAssociationIdError
        from moto.ec2.models.network_acls import NetworkAclBackend
    except ImportError:
        return False
    current = NetworkAclBackend.__dict__.get("replace_network_acl_association")
    if not callable(current) or list(inspect.signature(current).parameters) != [
            "self", "association_id", "network_acl_id"]:
        return False
    try:
        if "default_acl = next(" not in inspect.getsource(current):
            return False  # moto no longer looks the association up this way
    except (OSError, TypeError):
        return False

    def replace_network_acl_association(self: Any, association_id: str,
                                        network_acl_id: str) -> Any:
        if not any(association_id in acl._associations
                   for acl in list(self.network_acls.values())):
            raise InvalidAssociationIdError(association_id)
        self.get_network_acl(network_acl_id)  # InvalidNetworkAclID.NotFound, nothing changed
        return current(self, association_id, network_acl_id)

    NetworkAclBackend.replace_network_acl_association = (  # type: ignore[method-assign]
        replace_network_acl_association)
    return True


def _fix_missing_group_rule_id() -> bool:
    """Revoking a security group rule id that is not there answers the wrong error code.

    AWS answers ``InvalidSecurityGroupRuleId.NotFound``, which the provider's destroy of an
    ``aws_vpc_security_group_{ingress,egress}_rule`` takes as done; moto 5.x answers
    ``InvalidPermission.NotFound``, and the destroy fails when a retried revoke had gone
    through (seen once in CI: dual-stack's destroy, on a loaded machine).
    """
    try:
        from moto.ec2.exceptions import EC2ClientError
        from moto.ec2.models.security_groups import SecurityGroupBackend
    except ImportError:
        return False
    expected = ["self", "group_name_or_id", "ip_protocol", "from_port", "to_port", "ip_ranges",
                "source_groups", "prefix_list_ids", "security_rule_ids", "vpc_id"]
    originals = {}
    for name in ("revoke_security_group_ingress", "revoke_security_group_egress"):
        current = SecurityGroupBackend.__dict__.get(name)
        if not callable(current) or list(inspect.signature(current).parameters) != expected:
            return False
        originals[name] = current

    def checked(name: str, egress: bool) -> Any:
        original = originals[name]

        def revoke(self: Any, group_name_or_id: str, *args: Any, **kwargs: Any) -> Any:
            rule_ids = kwargs.get("security_rule_ids")
            group = self.get_security_group_by_name_or_id(group_name_or_id,
                                                          kwargs.get("vpc_id"))
            if rule_ids and group is not None:
                held = {rule.id for rule in (group.egress_rules if egress
                                             else group.ingress_rules)}
                for rule_id in rule_ids:
                    if rule_id not in held:
                        raise EC2ClientError(
                            "InvalidSecurityGroupRuleId.NotFound",
                            f"The security group rule ID '{rule_id}' does not exist")
            return original(self, group_name_or_id, *args, **kwargs)

        revoke.__name__ = name
        return revoke

    SecurityGroupBackend.revoke_security_group_ingress = checked(  # type: ignore[method-assign]
        "revoke_security_group_ingress", egress=False)
    SecurityGroupBackend.revoke_security_group_egress = checked(  # type: ignore[method-assign]
        "revoke_security_group_egress", egress=True)
    return True


def _fix_one_request_at_a_time() -> bool:
    """moto's backends are not thread-safe, and its server answers each request in a thread.

    Terraform sends ten requests at once, and moto walks shared dicts unguarded (e.g.
    ReplaceNetworkAclAssociation over every NACL while a DeleteNetworkAcl removes one): the
    likely cause of the HTTP 500s and of the retried creates meeting their own first try
    (InvalidGroup.Duplicate of a name_prefix name) seen in e2e runs on a loaded machine
    (not reproduced on demand). Requests here take milliseconds: one at a time.
    """
    try:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    except ImportError:
        return False
    current = DomainDispatcherApplication.__dict__.get("__call__")
    if not callable(current) or list(inspect.signature(current).parameters) != [
            "self", "environ", "start_response"]:
        return False
    lock = threading.Lock()

    def __call__(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        with lock:
            return current(self, environ, start_response)

    DomainDispatcherApplication.__call__ = __call__  # type: ignore[method-assign]
    return True


def _fix_subnet_ipv6_association_state() -> bool:
    """DescribeSubnets writes a subnet's IPv6 block state as the text of a dict.

    moto 5.x nests the whole state object where AWS has its name, so an IPv6 subnet reads
    ``State: "{'State': 'associated'}"``; the provider's wait for ``associated`` on
    create then fails the apply (HTTP 500, "XML syntax error" from the SDK). This answers
    the state's name, as AWS does.
    """
    try:
        from moto.ec2.models.subnets import Subnet
    except ImportError:
        return False
    current = Subnet.__dict__.get("ipv6_cidr_block_association_set")
    if not isinstance(current, property) or current.fget is None:
        return False
    try:
        source = inspect.getsource(current.fget)
    except (OSError, TypeError):
        return False
    if '"state": association["ipv6CidrBlockState"],' not in source:
        return False  # no longer the code this fix was written against

    def associations(self: Any) -> list[dict[str, Any]]:
        found = []
        for association in self.ipv6_cidr_block_associations.values():
            state = association["ipv6CidrBlockState"]["State"]
            if state == "associated":
                found.append({"ipv6CidrBlock": association["ipv6CidrBlock"],
                              "associationId": association["associationId"],
                              "ipv6CidrBlockState": {"state": state}})
        return found

    Subnet.ipv6_cidr_block_association_set = property(associations)  # type: ignore[method-assign,assignment]
    return True


_AWS_RESERVED_HEAD = 4
"""AWS keeps a subnet's first four addresses (network, router, DNS, reserved) and its last."""


def _free_subnet_address(subnet: Any, held: set[str]) -> str | None:
    """The lowest address of ``subnet`` AWS would hand an interface and none holds."""
    network = ipaddress.ip_network(subnet.cidr_block)
    for offset in range(_AWS_RESERVED_HEAD, network.num_addresses - 1):
        candidate = str(network.network_address + offset)
        if candidate not in held:
            return candidate
    return None


def _fix_nat_gateway_address() -> bool:
    """A NAT gateway's private address is any 10.x.y.z, not one of its subnet's.

    moto 5.x draws it with ``random_private_ip()`` (no range); AWS gives the gateway's
    interface a free address of the subnet it is created in. Flow-log replay and the
    metric filters place a NAT by that address, so a drawn one lands outside the VPC or in
    another tier. This moves the gateway and its interface to the lowest free address of
    the subnet (past AWS's reserved four; not held by another interface or instance there)
    and reserves it in the subnet, so a later instance does not take it.
    """
    try:
        from moto.ec2.models.nat_gateways import NatGateway
        from moto.ec2.models.subnets import Subnet
        from moto.ec2.utils import generate_dns_from_ip
    except ImportError:
        return False
    current = NatGateway.__dict__.get("__init__")
    if not callable(current) or not callable(getattr(Subnet, "request_ip", None)) \
            or list(inspect.signature(Subnet.request_ip).parameters) != [
                "self", "ip", "instance"]:
        return False
    try:
        source = inspect.getsource(current)
    except (OSError, TypeError):
        return False
    if "self.private_ip = random_private_ip()" not in source:
        return False  # moto no longer draws the address without the subnet's range

    def __init__(self: Any, backend: Any, subnet_id: str, *args: Any, **kwargs: Any) -> None:
        current(self, backend, subnet_id, *args, **kwargs)
        subnet, eni = backend.get_subnet(subnet_id), self._eni
        held = set(getattr(subnet, "_subnet_ips", {}))
        for other in backend.enis.values():
            if other is not eni and getattr(other.subnet, "id", None) == subnet.id:
                held.add(other.private_ip_address)
                held.update(a.get("PrivateIpAddress") for a in other.private_ip_addresses)
        address = _free_subnet_address(subnet, held)
        if address is None:
            return  # a full subnet: AWS refuses the create; moto's address stays
        self.private_ip = eni.private_ip_address = address
        for entry in eni.private_ip_addresses:
            if entry.get("Primary"):
                entry["PrivateIpAddress"] = address
                if "PrivateDnsName" in entry:
                    entry["PrivateDnsName"] = eni.private_dns_name = generate_dns_from_ip(
                        address)
        subnet.request_ip(address, eni)

    NatGateway.__init__ = __init__  # type: ignore[method-assign]
    return True


_UNSTORED_ROUTE_TARGETS = {"LocalGatewayId": "local_gateway_id",
                           "CoreNetworkArn": "core_network_arn"}
"""CreateRoute parameters moto 5.x drops: request parameter -> the Route attribute AWS's
DescribeRouteTables answer takes the field from."""


def _fix_route_targets() -> bool:
    """CreateRoute to an Outposts local gateway or a Cloud WAN core network keeps no target.

    moto 5.x accepts ``LocalGatewayId`` and ``CoreNetworkArn`` and drops them: the route
    then reads back with no target at all (AWS answers the field it was created with), so
    a live read could only call it unclassified. This keeps the value on moto's route,
    whose serializer answers it by the field's name. Skipped when moto's Route learns the
    parameters itself (then this fix is no longer needed: the test says so).
    """
    try:
        from moto.ec2.models.route_tables import Route
        from moto.ec2.responses.route_tables import RouteTables
        from moto.ec2.utils import generate_route_id
    except ImportError:
        return False
    current = RouteTables.__dict__.get("create_route")
    known = list(inspect.signature(Route.__init__).parameters)
    if not callable(current) or list(inspect.signature(current).parameters) != ["self"] \
            or "carrier_gateway" not in known \
            or any(attr in known for attr in _UNSTORED_ROUTE_TARGETS.values()) \
            or list(inspect.signature(generate_route_id).parameters) != [
                "route_table_id", "cidr_block", "ipv6_cidr_block", "prefix_list"]:
        return False

    def create_route(self: Any) -> Any:
        result = current(self)
        given = {attr: self._get_param(param) for param, attr in _UNSTORED_ROUTE_TARGETS.items()
                 if self._get_param(param)}
        if given:
            table = self.ec2_backend.get_route_table(self._get_param("RouteTableId"))
            route_id = generate_route_id(table.id, self._get_param("DestinationCidrBlock"),
                                         self._get_param("DestinationIpv6CidrBlock"),
                                         self._get_param("DestinationPrefixListId"))
            route = next((r for r in table.routes if r.id == route_id), None)
            for attr, value in given.items() if route is not None else ():
                setattr(route, attr, value)
        return result

    RouteTables.create_route = create_route  # type: ignore[method-assign]
    return True


def _fix_replaced_route_targets() -> bool:
    """ReplaceRoute drops ``VpcEndpointId`` (and the targets moto does not store).

    moto 5.x's ReplaceRoute reads neither ``VpcEndpointId`` nor ``LocalGatewayId`` nor
    ``CoreNetworkArn``: a route replaced onto a firewall or Gateway Load Balancer endpoint
    (adding inspection to an applied network: ``gateway_id`` -> ``vpc_endpoint_id``, done by
    ReplaceRoute) reads back with no target, and one replaced away from an endpoint keeps
    the old one. AWS answers the target the route was replaced with. As CreateRoute does, an
    endpoint that is not a Gateway Load Balancer endpoint is refused.
    """
    try:
        from moto.ec2.exceptions import RouteNotSupportedError
        from moto.ec2.models.route_tables import Route
        from moto.ec2.responses.route_tables import RouteTables
        from moto.ec2.utils import generate_route_id
    except ImportError:
        return False
    current = RouteTables.__dict__.get("replace_route")
    known = list(inspect.signature(Route.__init__).parameters)
    if not callable(current) or list(inspect.signature(current).parameters) != ["self"] \
            or "vpc_endpoint_id" not in known \
            or list(inspect.signature(generate_route_id).parameters) != [
                "route_table_id", "cidr_block", "ipv6_cidr_block", "prefix_list"]:
        return False

    def replace_route(self: Any) -> Any:
        endpoint = self._get_param("VpcEndpointId")
        if endpoint:
            found = self.ec2_backend.describe_vpc_endpoints(vpc_end_point_ids=[endpoint])
            if found[0].vpc_endpoint_type != "GatewayLoadBalancer":
                raise RouteNotSupportedError(endpoint)
        result = current(self)
        table = self.ec2_backend.get_route_table(self._get_param("RouteTableId"))
        destination = (self._get_param("DestinationPrefixListId")
                       or self._get_param("DestinationIpv6CidrBlock")
                       or self._get_param("DestinationCidrBlock"))
        route_id = generate_route_id(table.id, destination,
                                     self._get_param("DestinationIpv6CidrBlock"))
        route = next((r for r in table.routes if r.id == route_id), None)
        if route is not None:
            route.vpc_endpoint_id = endpoint or None
            for param, attr in _UNSTORED_ROUTE_TARGETS.items():
                setattr(route, attr, self._get_param(param) or None)
        return result

    RouteTables.replace_route = replace_route  # type: ignore[method-assign]
    return True


def _fix_transit_attachment_tags() -> bool:
    """CreateTransitGatewayVpcAttachment drops the attachment's tags.

    moto 5.x reads them from the tag specification of a *route table*
    (``transit-gateway-route-table``); AWS and the provider send them as
    ``transit-gateway-attachment``. The attachment then has no tags, and every plan after
    apply wants to add them. This tags the created attachment with its own specification.
    """
    try:
        from moto.ec2.responses.transit_gateway_attachments import TransitGatewayAttachment
    except ImportError:
        return False
    current = TransitGatewayAttachment.__dict__.get("create_transit_gateway_vpc_attachment")
    if not callable(current):
        return False
    try:
        source = inspect.getsource(current)
    except (OSError, TypeError):
        return False
    if '.get("transit-gateway-route-table", {})' not in source:
        return False  # no longer the code this fix was written against

    def create_transit_gateway_vpc_attachment(self: Any) -> Any:
        result = current(self)
        tags = self._parse_tag_specification().get("transit-gateway-attachment", {})
        if tags:
            for attachment in self.ec2_backend.describe_transit_gateway_vpc_attachments(
                    filters={"transit-gateway-id": self._get_param("TransitGatewayId"),
                             "vpc-id": [self._get_param("VpcId")]}):
                attachment.add_tags(tags)
        return result

    setattr(TransitGatewayAttachment, "create_transit_gateway_vpc_attachment",  # noqa: B010
            create_transit_gateway_vpc_attachment)
    return True


def _fix_deleted_transit_attachments() -> bool:
    """A deleted transit gateway VPC attachment vanishes at once.

    AWS answers DescribeTransitGatewayVpcAttachments by id with the attachment in state
    ``deleted`` for a while; moto 5.x forgets it on delete, and the provider's destroy
    wait for ``deleted`` fails ("couldn't find resource"). This keeps deleted attachments
    answerable by id (only by id: a new attachment of the same VPC is not refused).
    """
    try:
        from moto.ec2.models.transit_gateway_attachments import (
            TransitGatewayAttachmentBackend,
        )
    except ImportError:
        return False
    delete = TransitGatewayAttachmentBackend.__dict__.get(
        "delete_transit_gateway_vpc_attachment")
    describe = TransitGatewayAttachmentBackend.__dict__.get(
        "describe_transit_gateway_vpc_attachments")
    if not callable(delete) or not callable(describe) or list(
            inspect.signature(describe).parameters) != [
            "self", "transit_gateways_attachment_ids", "filters"]:
        return False
    try:
        if ".transit_gateway_attachments.pop(" not in inspect.getsource(delete):
            return False  # moto keeps deleted attachments itself now
    except (OSError, TypeError):
        return False

    def delete_transit_gateway_vpc_attachment(self: Any, transit_gateway_attachment_id: str
                                              ) -> Any:
        gone = delete(self, transit_gateway_attachment_id)
        self.__dict__.setdefault("_tierform_deleted", {})[gone.id] = gone
        return gone

    def describe_transit_gateway_vpc_attachments(
            self: Any, transit_gateways_attachment_ids: list[str] | None = None,
            filters: Any = None) -> Any:
        found = describe(self, transit_gateways_attachment_ids, filters)
        deleted = self.__dict__.get("_tierform_deleted", {})
        return list(found) + [deleted[i] for i in transit_gateways_attachment_ids or ()
                              if i in deleted and not filters]

    for patched in (delete_transit_gateway_vpc_attachment,
                    describe_transit_gateway_vpc_attachments):
        setattr(TransitGatewayAttachmentBackend, patched.__name__, patched)
    return True


def _fix_vpn_connection_routes() -> bool:
    """Static VPN connections: their options and routes are not kept.

    moto 5.x creates a VPN connection without reading ``Options`` (DescribeVpnConnections
    then has no ``StaticRoutesOnly``, and ``static_routes_only``, which forces a new
    connection, differs on every plan) and has no CreateVpnConnectionRoute or
    DeleteVpnConnectionRoute (HTTP 500, "not implemented"). AWS keeps the options and
    answers each route under ``Routes`` with its state; the provider waits for
    ``available`` after a create and for the route's absence (or ``deleted``) after a
    delete, reading it with the filters ``route.destination-cidr-block`` and
    ``vpn-connection-id``, which moto refuses (HTTP 500). This keeps both, on the
    connection moto already stores, and answers those filters.
    """
    try:
        from moto.core.responses import EmptyResult
        from moto.ec2.exceptions import EC2ClientError
        from moto.ec2.models.vpn_connections import VPNConnection
        from moto.ec2.responses.vpn_connections import VPNConnections
    except ImportError:
        return False
    create = VPNConnections.__dict__.get("create_vpn_connection")
    if not callable(create) or "create_vpn_connection_route" in VPNConnections.__dict__:
        return False  # moto answers the routes itself now
    try:
        if "Options" in inspect.getsource(create) or "self.options = None" not in \
                inspect.getsource(VPNConnection.__init__):
            return False  # no longer the code this fix was written against
    except (OSError, TypeError):
        return False

    def create_vpn_connection(self: Any) -> Any:
        result = create(self)
        options = self._get_param("Options", {}) or {}
        connection = result.result["VpnConnection"]
        static = str(options.get("StaticRoutesOnly", "false")).lower() == "true"
        connection.options = {"StaticRoutesOnly": static,
                              "LocalIpv4NetworkCidr": "0.0.0.0/0",
                              "RemoteIpv4NetworkCidr": "0.0.0.0/0",
                              "TunnelInsideIpVersion": "ipv4"}
        connection.routes = []
        return result

    def _connection(self: Any) -> Any:
        wanted = self._get_param("VpnConnectionId")
        (found,) = self.ec2_backend.describe_vpn_connections(vpn_connection_ids=[wanted])
        return found

    def create_vpn_connection_route(self: Any) -> Any:
        connection = _connection(self)
        cidr = self._get_param("DestinationCidrBlock")
        routes = connection.__dict__.setdefault("routes", [])
        if any(r["DestinationCidrBlock"] == cidr for r in routes):
            raise EC2ClientError("RouteAlreadyExists",
                                 f"The route {cidr} already exists in {connection.id}")
        routes.append({"DestinationCidrBlock": cidr, "Source": "Static",
                       "State": "available"})
        return EmptyResult()

    def delete_vpn_connection_route(self: Any) -> Any:
        connection = _connection(self)
        cidr = self._get_param("DestinationCidrBlock")
        routes = connection.__dict__.setdefault("routes", [])
        kept = [r for r in routes if r["DestinationCidrBlock"] != cidr]
        if len(kept) == len(routes):
            raise EC2ClientError("InvalidRoute.NotFound",
                                 f"The route {cidr} does not exist in {connection.id}")
        connection.routes = kept
        return EmptyResult()

    filter_value = VPNConnection.__dict__.get("get_filter_value")
    if not callable(filter_value):
        return False

    def get_filter_value(self: Any, filter_name: str, method_name: str | None = None) -> Any:
        if filter_name == "route.destination-cidr-block":
            return [r["DestinationCidrBlock"] for r in self.__dict__.get("routes") or ()]
        if filter_name == "vpn-connection-id":
            return self.id
        if filter_name == "transit-gateway-id":
            return self.transit_gateway_id
        if filter_name == "option.static-routes-only":
            return str(bool((self.options or {}).get("StaticRoutesOnly"))).lower()
        return filter_value(self, filter_name, method_name)

    for patched in (create_vpn_connection, create_vpn_connection_route,
                    delete_vpn_connection_route):
        setattr(VPNConnections, patched.__name__, patched)
    setattr(VPNConnection, "get_filter_value", get_filter_value)  # noqa: B010
    return True


# -- AWS Network Firewall -------------------------------------------------------------------
# moto 5.x answers CreateFirewall, DescribeFirewall, ListFirewalls and the logging
# configuration, and nothing else: no rule groups, no policies, no DeleteFirewall, no tags,
# and a firewall without endpoints. The provider (5.100, measured with TF_LOG=DEBUG) needs
# each of those to apply, read back and destroy aws_networkfirewall_* resources.

_FIREWALL_ACTIONS = ("create_rule_group", "describe_rule_group", "update_rule_group",
                     "delete_rule_group", "create_firewall_policy", "describe_firewall_policy",
                     "update_firewall_policy", "delete_firewall_policy")
_TAG_ACTIONS = ("tag_resource", "untag_resource", "list_tags_for_resource")


def _firewall_classes() -> tuple[Any, Any] | None:
    """moto's Network Firewall response and backend classes, when they look as these fixes
    expect (a JSON response class whose backend property answers the region's backend)."""
    try:
        from moto.networkfirewall.models import NetworkFirewallBackend
        from moto.networkfirewall.responses import NetworkFirewallResponse
    except ImportError:
        return None
    find = NetworkFirewallBackend.__dict__.get("_get_firewall")
    if not isinstance(NetworkFirewallResponse.__dict__.get("networkfirewall_backend"),
                      property) or not callable(find) or list(
            inspect.signature(find).parameters) != ["self", "firewall_arn", "firewall_name"]:
        return None
    return NetworkFirewallResponse, NetworkFirewallBackend


def _firewall_error(code: str, message: str) -> Exception:
    """A Network Firewall client error as AWS answers it (the provider's waits and destroy
    read the code: ResourceNotFoundException is "gone")."""
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError(code, message)


def _firewall_store(backend: Any, kind: str) -> dict[str, dict[str, Any]]:
    """The backend's records of one kind (ARN -> record), kept on the backend instance so
    that moto's reset forgets them with the rest."""
    found: dict[str, dict[str, Any]] = backend.__dict__.setdefault(f"_tierform_{kind}", {})
    return found


def _firewall_find(backend: Any, kind: str, arn: str | None, name: str | None,
                   rule_type: str | None = None) -> dict[str, Any]:
    """The record named by ARN, or by name (and type, for rule groups); not found as AWS."""
    store = _firewall_store(backend, kind)
    if arn and arn in store:
        return store[arn]
    for record in store.values():
        if not arn and name and record["Name"] == name and rule_type in (
                None, record.get("Type")):
            return record
    raise _firewall_error("ResourceNotFoundException", f"Resource not found: {arn or name}")


def _firewall_new_token() -> str:
    """A fresh update token (or id), as AWS's: a UUID."""
    return str(uuid.uuid4())


def _fix_firewall_rule_groups_and_policies() -> bool:
    """Network Firewall rule groups and firewall policies are not stored at all.

    moto 5.x has no Create/Describe/Update/DeleteRuleGroup or ...FirewallPolicy (HTTP 500,
    "invalid character '<'" from the SDK). This stores them as AWS answers them: the given
    rule group / policy document, a response with ARN, id, status and association count,
    an update token checked and renewed on update (InvalidTokenException otherwise), delete
    refused while a policy / firewall still uses the resource (InvalidOperationException),
    and ResourceNotFoundException once deleted (the provider's delete wait).
    """
    classes = _firewall_classes()
    if classes is None:
        return False
    response_class, backend_class = classes
    if any(name in response_class.__dict__ or name in backend_class.__dict__
           for name in _FIREWALL_ACTIONS):
        return False  # moto implements (some of) them now: drop this fix

    def rule_group_answer(backend: Any, record: dict[str, Any],
                          status: str = "ACTIVE") -> dict[str, Any]:
        used = sum(1 for policy in _firewall_store(backend, "policies").values()
                   for ref in _policy_references(policy["Document"])
                   if ref == record["Arn"])
        answer = {"RuleGroupArn": record["Arn"], "RuleGroupName": record["Name"],
                  "RuleGroupId": record["Id"], "Type": record["Type"],
                  "Capacity": record["Capacity"], "RuleGroupStatus": status,
                  "Tags": record["Tags"], "NumberOfAssociations": used}
        for key in ("Description", "EncryptionConfiguration"):
            if record.get(key) is not None:
                answer[key] = record[key]
        return answer

    def policy_answer(backend: Any, record: dict[str, Any],
                      status: str = "ACTIVE") -> dict[str, Any]:
        used = sum(1 for firewall in backend.firewalls.values()
                   if firewall.firewall_policy_arn == record["Arn"])
        answer = {"FirewallPolicyArn": record["Arn"], "FirewallPolicyName": record["Name"],
                  "FirewallPolicyId": record["Id"], "FirewallPolicyStatus": status,
                  "Tags": record["Tags"], "NumberOfAssociations": used}
        for key in ("Description", "EncryptionConfiguration"):
            if record.get(key) is not None:
                answer[key] = record[key]
        return answer

    def rule_group_document(self: Any) -> dict[str, Any]:
        """RuleGroup or Rules (a Suricata string), exactly one, as AWS requires."""
        document, rules = self._get_param("RuleGroup"), self._get_param("Rules")
        if (document is None) == (rules is None):
            raise _firewall_error("InvalidRequestException",
                                  "Provide either Rules or RuleGroup, but not both")
        found: dict[str, Any] = document if document is not None else {
            "RulesSource": {"RulesString": rules}}
        return found

    def checked_token(self: Any, record: dict[str, Any]) -> None:
        if self._get_param("UpdateToken") != record["UpdateToken"]:
            raise _firewall_error("InvalidTokenException",
                                  "Update token is invalid or has expired")
        record["UpdateToken"] = _firewall_new_token()

    def create_rule_group(self: Any) -> Any:
        from moto.core.responses import ActionResult

        backend = self.networkfirewall_backend
        name, rule_type = self._get_param("RuleGroupName"), self._get_param("Type")
        scope = "stateful" if rule_type == "STATEFUL" else "stateless"
        arn = (f"arn:aws:network-firewall:{backend.region_name}:{backend.account_id}:"
               f"{scope}-rulegroup/{name}")
        store = _firewall_store(backend, "rule groups")
        if arn in store:
            raise _firewall_error("InvalidRequestException",
                                  f"A resource with the name {name} already exists")
        record = {"Arn": arn, "Name": name, "Id": _firewall_new_token(), "Type": rule_type,
                  "Capacity": self._get_param("Capacity"),
                  "Description": self._get_param("Description"),
                  "EncryptionConfiguration": self._get_param("EncryptionConfiguration"),
                  "Tags": list(self._get_param("Tags") or []),
                  "Document": rule_group_document(self), "UpdateToken": _firewall_new_token()}
        store[arn] = record
        return ActionResult({"UpdateToken": record["UpdateToken"],
                             "RuleGroupResponse": rule_group_answer(backend, record)})

    def find_rule_group(self: Any) -> dict[str, Any]:
        return _firewall_find(self.networkfirewall_backend, "rule groups",
                              self._get_param("RuleGroupArn"),
                              self._get_param("RuleGroupName"), self._get_param("Type"))

    def describe_rule_group(self: Any) -> Any:
        from moto.core.responses import ActionResult

        record = find_rule_group(self)
        return ActionResult({"UpdateToken": record["UpdateToken"],
                             "RuleGroup": record["Document"],
                             "RuleGroupResponse": rule_group_answer(
                                 self.networkfirewall_backend, record)})

    def update_rule_group(self: Any) -> Any:
        from moto.core.responses import ActionResult

        record = find_rule_group(self)
        document = rule_group_document(self)
        checked_token(self, record)
        record["Document"] = document
        for key in ("Description", "EncryptionConfiguration"):
            if self._get_param(key) is not None:
                record[key] = self._get_param(key)
        return ActionResult({"UpdateToken": record["UpdateToken"],
                             "RuleGroupResponse": rule_group_answer(
                                 self.networkfirewall_backend, record)})

    def delete_rule_group(self: Any) -> Any:
        from moto.core.responses import ActionResult

        backend = self.networkfirewall_backend
        record = find_rule_group(self)
        answer = rule_group_answer(backend, record, "DELETING")
        if answer["NumberOfAssociations"]:
            raise _firewall_error("InvalidOperationException",
                                  f"Unable to delete {record['Arn']}: it is still in use")
        del _firewall_store(backend, "rule groups")[record["Arn"]]
        return ActionResult({"RuleGroupResponse": answer})

    def create_firewall_policy(self: Any) -> Any:
        from moto.core.responses import ActionResult

        backend = self.networkfirewall_backend
        name = self._get_param("FirewallPolicyName")
        arn = (f"arn:aws:network-firewall:{backend.region_name}:{backend.account_id}:"
               f"firewall-policy/{name}")
        store = _firewall_store(backend, "policies")
        if arn in store:
            raise _firewall_error("InvalidRequestException",
                                  f"A resource with the name {name} already exists")
        record = {"Arn": arn, "Name": name, "Id": _firewall_new_token(),
                  "Description": self._get_param("Description"),
                  "EncryptionConfiguration": self._get_param("EncryptionConfiguration"),
                  "Tags": list(self._get_param("Tags") or []),
                  "Document": self._get_param("FirewallPolicy"),
                  "UpdateToken": _firewall_new_token()}
        store[arn] = record
        return ActionResult({"UpdateToken": record["UpdateToken"],
                             "FirewallPolicyResponse": policy_answer(backend, record)})

    def find_policy(self: Any) -> dict[str, Any]:
        return _firewall_find(self.networkfirewall_backend, "policies",
                              self._get_param("FirewallPolicyArn"),
                              self._get_param("FirewallPolicyName"))

    def describe_firewall_policy(self: Any) -> Any:
        from moto.core.responses import ActionResult

        record = find_policy(self)
        return ActionResult({"UpdateToken": record["UpdateToken"],
                             "FirewallPolicy": record["Document"],
                             "FirewallPolicyResponse": policy_answer(
                                 self.networkfirewall_backend, record)})

    def update_firewall_policy(self: Any) -> Any:
        from moto.core.responses import ActionResult

        record = find_policy(self)
        checked_token(self, record)
        record["Document"] = self._get_param("FirewallPolicy")
        for key in ("Description", "EncryptionConfiguration"):
            if self._get_param(key) is not None:
                record[key] = self._get_param(key)
        return ActionResult({"UpdateToken": record["UpdateToken"],
                             "FirewallPolicyResponse": policy_answer(
                                 self.networkfirewall_backend, record)})

    def delete_firewall_policy(self: Any) -> Any:
        from moto.core.responses import ActionResult

        backend = self.networkfirewall_backend
        record = find_policy(self)
        answer = policy_answer(backend, record, "DELETING")
        if answer["NumberOfAssociations"]:
            raise _firewall_error("InvalidOperationException",
                                  f"Unable to delete {record['Arn']}: it is still in use")
        del _firewall_store(backend, "policies")[record["Arn"]]
        return ActionResult({"FirewallPolicyResponse": answer})

    for action in (create_rule_group, describe_rule_group, update_rule_group,
                   delete_rule_group, create_firewall_policy, describe_firewall_policy,
                   update_firewall_policy, delete_firewall_policy):
        setattr(response_class, action.__name__, action)
    return True


def _policy_references(document: dict[str, Any] | None) -> list[str]:
    """The rule group ARNs a firewall policy document refers to (stateless and stateful)."""
    refs = []
    for key in ("StatelessRuleGroupReferences", "StatefulRuleGroupReferences"):
        refs += [ref.get("ResourceArn") for ref in (document or {}).get(key) or []]
    return [ref for ref in refs if ref]


def _fix_firewall_tags() -> bool:
    """TagResource, UntagResource and ListTagsForResource of Network Firewall are missing.

    The provider changes the tags of a firewall, policy or rule group in place with them
    (HTTP 500 from moto 5.x). This keeps the tags where the describe answers read them:
    the firewall's own list (and moto's tagger), the stored policy or rule group.
    """
    classes = _firewall_classes()
    if classes is None:
        return False
    response_class, _ = classes
    if any(name in response_class.__dict__ for name in _TAG_ACTIONS):
        return False

    def tags_of(self: Any) -> list[dict[str, str]]:
        backend, arn = self.networkfirewall_backend, self._get_param("ResourceArn")
        if arn in backend.firewalls:
            firewall = backend.firewalls[arn]
            if firewall.tags is None:
                firewall.tags = []
            return cast("list[dict[str, str]]", firewall.tags)
        for kind in ("rule groups", "policies"):
            if arn in _firewall_store(backend, kind):
                return cast("list[dict[str, str]]", _firewall_store(backend, kind)[arn]["Tags"])
        raise _firewall_error("ResourceNotFoundException", f"Resource not found: {arn}")

    def tag_resource(self: Any) -> Any:
        from moto.core.responses import ActionResult

        tags = tags_of(self)
        given = {tag["Key"]: tag["Value"] for tag in self._get_param("Tags") or []}
        tags[:] = [tag for tag in tags if tag["Key"] not in given] + [
            {"Key": key, "Value": value} for key, value in given.items()]
        return ActionResult({})

    def untag_resource(self: Any) -> Any:
        from moto.core.responses import ActionResult

        tags = tags_of(self)
        gone = set(self._get_param("TagKeys") or [])
        tags[:] = [tag for tag in tags if tag["Key"] not in gone]
        return ActionResult({})

    def list_tags_for_resource(self: Any) -> Any:
        from moto.core.responses import ActionResult

        return ActionResult({"Tags": list(tags_of(self))})

    for action in (tag_resource, untag_resource, list_tags_for_resource):
        setattr(response_class, action.__name__, action)
    return True


def _firewall_attach(firewall: Any, ec2: Any, mappings: list[dict[str, str]]) -> None:
    """Map ``firewall`` to more subnets: per subnet, a Gateway Load Balancer VPC endpoint
    there and the sync state of its availability zone (one subnet per zone, as AWS)."""
    states = firewall.firewall_status["SyncStates"]
    for mapping in mappings:
        subnet = ec2.get_subnet(mapping["SubnetId"])  # InvalidSubnetID.NotFound
        if subnet.vpc_id != firewall.vpc_id or subnet.availability_zone in states:
            raise _firewall_error(
                "InvalidRequestException",
                f"Subnet {subnet.id} is not in the firewall's VPC, or its availability zone "
                "has a firewall subnet already")
        endpoint = ec2.create_vpc_endpoint(
            firewall.vpc_id,
            f"com.amazonaws.vpce.{ec2.region_name}.vpce-svc-"
            f"{_firewall_new_token().replace('-', '')[:17]}",
            "GatewayLoadBalancer", None, [], [subnet.id])
        states[subnet.availability_zone] = {
            "Attachment": {"SubnetId": subnet.id, "EndpointId": endpoint.id,
                           "Status": "READY"},
            "Config": {firewall.firewall_policy_arn: {
                "SyncStatus": "IN_SYNC", "UpdateToken": _firewall_new_token()}}}
        # AWS answers the address type it took by default.
        firewall.subnet_mappings.append({"IPAddressType": "IPV4", **mapping})


def _firewall_detach(firewall: Any, ec2: Any, subnet_ids: list[str]) -> None:
    """Unmap ``firewall`` from subnets: their endpoints deleted, their sync states gone."""
    states = firewall.firewall_status["SyncStates"]
    for zone, state in list(states.items()):
        if state["Attachment"]["SubnetId"] in subnet_ids:
            ec2.delete_vpc_endpoints([state["Attachment"]["EndpointId"]])
            del states[zone]
    firewall.subnet_mappings = [m for m in firewall.subnet_mappings
                                if m["SubnetId"] not in subnet_ids]


def _fix_firewall_endpoints() -> bool:
    """A created firewall has no endpoints, and DeleteFirewall is missing.

    AWS creates one endpoint per subnet mapping (a Gateway Load Balancer VPC endpoint in
    that subnet) and answers them in ``FirewallStatus.SyncStates`` by availability zone:
    the only place a route to the firewall finds its ``vpc_endpoint_id``. moto 5.x answers
    no sync states, and has no DeleteFirewall (the provider's destroy fails). This creates
    the endpoints as EC2 VPC endpoints (so CreateRoute with VpcEndpointId takes them and
    DescribeRouteTables answers them) and answers READY with one sync state per mapping;
    DeleteFirewall (refused under delete protection, as AWS) deletes the endpoints, and the
    firewall is then ResourceNotFoundException (the provider's delete wait).
    """
    classes = _firewall_classes()
    if classes is None:
        return False
    response_class, backend_class = classes
    try:
        from moto.ec2.models import ec2_backends
        from moto.ec2.models.vpcs import VPCBackend
        from moto.networkfirewall.models import NetworkFirewallModel
        from moto.networkfirewall.responses import _firewall as firewall_answer
    except ImportError:
        return False
    create = backend_class.__dict__.get("create_firewall")
    if not callable(create) or "delete_firewall" in response_class.__dict__ \
            or "delete_firewall" in backend_class.__dict__:
        return False
    expected = ["self", "vpc_id", "service_name", "endpoint_type", "policy_document",
                "route_table_ids", "subnet_ids"]
    if list(inspect.signature(VPCBackend.create_vpc_endpoint).parameters)[:7] != expected:
        return False
    try:
        if '"Status": "READY"' not in inspect.getsource(NetworkFirewallModel.__init__):
            return False  # moto builds the firewall status differently now
    except (OSError, TypeError):
        return False

    def create_firewall(self: Any, *args: Any, **kwargs: Any) -> Any:
        firewall = create(self, *args, **kwargs)
        mappings, firewall.subnet_mappings = list(firewall.subnet_mappings or []), []
        firewall.firewall_status = dict(firewall.firewall_status, SyncStates={})
        _firewall_attach(firewall, ec2_backends[self.account_id][self.region_name], mappings)
        return firewall

    def delete_firewall(self: Any) -> Any:
        from moto.core.responses import ActionResult

        backend = self.networkfirewall_backend
        firewall = backend._get_firewall(self._get_param("FirewallArn"),
                                         self._get_param("FirewallName"))
        if firewall.delete_protection:
            raise _firewall_error("InvalidOperationException",
                                  f"Firewall {firewall.arn} has delete protection enabled")
        answer = firewall_answer(firewall)
        _firewall_detach(firewall, ec2_backends[backend.account_id][backend.region_name],
                         [m["SubnetId"] for m in firewall.subnet_mappings])
        del backend.firewalls[firewall.arn]
        return ActionResult({"Firewall": answer, "FirewallStatus": dict(
            firewall.firewall_status, Status="DELETING")})

    backend_class.create_firewall = create_firewall
    response_class.delete_firewall = delete_firewall
    return True


_FIREWALL_PROTECTIONS = ("delete_protection", "subnet_change_protection",
                         "firewall_policy_change_protection")


def _fix_firewall_protection_defaults() -> bool:
    """A firewall created without its protection flags is protected against everything.

    AWS's default for DeleteProtection, SubnetChangeProtection and
    FirewallPolicyChangeProtection is false; moto 5.x takes an absent flag as true. The
    provider's SDK leaves a false flag out of CreateFirewall, so every firewall came out
    delete-protected (the second plan wants to turn it off, DeleteFirewall is refused).
    This creates the firewall with false for each flag the request left out.
    """
    classes = _firewall_classes()
    if classes is None:
        return False
    _, backend_class = classes
    try:
        from moto.networkfirewall.models import NetworkFirewallModel
    except ImportError:
        return False
    create = backend_class.__dict__.get("create_firewall")
    if not callable(create) or not set(_FIREWALL_PROTECTIONS) <= set(
            inspect.signature(create).parameters):
        return False
    try:
        source = inspect.getsource(NetworkFirewallModel.__init__)
    except (OSError, TypeError):
        return False
    if "if delete_protection is not None else True" not in source:
        return False  # moto's default is no longer "protected"

    def create_firewall(self: Any, *args: Any, **kwargs: Any) -> Any:
        for flag in _FIREWALL_PROTECTIONS:
            if kwargs.get(flag) is None:
                kwargs[flag] = False
        return create(self, *args, **kwargs)

    backend_class.create_firewall = create_firewall
    return True


_FIREWALL_CHANGES = ("associate_subnets", "disassociate_subnets", "associate_firewall_policy",
                     "update_firewall_delete_protection", "update_subnet_change_protection",
                     "update_firewall_policy_change_protection", "update_firewall_description")


def _fix_firewall_changes() -> bool:
    """A firewall cannot be changed in place: its subnets, policy, protections, description.

    The provider changes these with AssociateSubnets / DisassociateSubnets (a zone added to
    or removed from the network), AssociateFirewallPolicy and the Update...Protection /
    UpdateFirewallDescription calls; moto 5.x has none of them (HTTP 500). This answers
    them as AWS: a subnet change adds or deletes that zone's endpoint (refused under
    subnet change protection), a policy change is refused under policy change protection.
    Needs the endpoints fix (the sync states it keeps).
    """
    classes = _firewall_classes()
    if classes is None:
        return False
    response_class, _ = classes
    if getattr(response_class.__dict__.get("delete_firewall"), "__module__", None) != __name__:
        return False  # the endpoints fix is not applied: no sync states to change
    if any(name in response_class.__dict__ for name in _FIREWALL_CHANGES):
        return False
    from moto.core.responses import ActionResult
    from moto.ec2.models import ec2_backends

    def changed(self: Any, guard: str | None = None) -> tuple[Any, Any]:
        """The firewall named, its EC2 backend; refused while ``guard`` protects it."""
        backend = self.networkfirewall_backend
        firewall = backend._get_firewall(self._get_param("FirewallArn"),
                                         self._get_param("FirewallName"))
        if guard is not None and getattr(firewall, guard):
            raise _firewall_error("InvalidOperationException",
                                  f"Firewall {firewall.arn} has {guard.replace('_', ' ')} "
                                  "enabled")
        return firewall, ec2_backends[backend.account_id][backend.region_name]

    def subnets_answer(firewall: Any) -> Any:
        return ActionResult({"FirewallArn": firewall.arn, "FirewallName": firewall.firewall_name,
                             "SubnetMappings": firewall.subnet_mappings,
                             "UpdateToken": firewall.update_token})

    def associate_subnets(self: Any) -> Any:
        firewall, ec2 = changed(self, "subnet_change_protection")
        _firewall_attach(firewall, ec2, self._get_param("SubnetMappings") or [])
        return subnets_answer(firewall)

    def disassociate_subnets(self: Any) -> Any:
        firewall, ec2 = changed(self, "subnet_change_protection")
        _firewall_detach(firewall, ec2, self._get_param("SubnetIds") or [])
        return subnets_answer(firewall)

    def associate_firewall_policy(self: Any) -> Any:
        firewall, _ = changed(self, "firewall_policy_change_protection")
        firewall.firewall_policy_arn = self._get_param("FirewallPolicyArn")
        for state in firewall.firewall_status["SyncStates"].values():
            state["Config"] = {firewall.firewall_policy_arn: {
                "SyncStatus": "IN_SYNC", "UpdateToken": _firewall_new_token()}}
        return ActionResult({"FirewallArn": firewall.arn,
                             "FirewallName": firewall.firewall_name,
                             "FirewallPolicyArn": firewall.firewall_policy_arn,
                             "UpdateToken": firewall.update_token})

    def flag(name: str, param: str) -> Any:
        def update(self: Any) -> Any:
            firewall, _ = changed(self)
            setattr(firewall, name, bool(self._get_param(param)))
            return ActionResult({"FirewallArn": firewall.arn,
                                 "FirewallName": firewall.firewall_name,
                                 param: getattr(firewall, name),
                                 "UpdateToken": firewall.update_token})

        return update

    def update_firewall_description(self: Any) -> Any:
        firewall, _ = changed(self)
        firewall.description = self._get_param("Description")
        return ActionResult({"FirewallArn": firewall.arn, "FirewallName": firewall.firewall_name,
                             "Description": firewall.description,
                             "UpdateToken": firewall.update_token})

    actions = {"associate_subnets": associate_subnets,
               "disassociate_subnets": disassociate_subnets,
               "associate_firewall_policy": associate_firewall_policy,
               "update_firewall_delete_protection": flag(
                   "delete_protection", "DeleteProtection"),
               "update_subnet_change_protection": flag(
                   "subnet_change_protection", "SubnetChangeProtection"),
               "update_firewall_policy_change_protection": flag(
                   "firewall_policy_change_protection", "FirewallPolicyChangeProtection"),
               "update_firewall_description": update_firewall_description}
    for name, action in actions.items():
        setattr(response_class, name, action)
    return True


_REPLAYED = 4096
"""Answers kept for replay (a retry comes within seconds: the newest few thousand suffice)."""


def _fix_replay_retried_requests() -> bool:
    """A retried request the emulator already executed gets that first answer again.

    The provider's SDK marks every attempt of one call with the same
    ``amz-sdk-invocation-id`` header and ``amz-sdk-request: attempt=N``. Under load the
    emulator's answer to an attempt is now and then lost after the change was applied (seen
    in e2e: the SDK retried 130 ms after sending with no answer, no timeout); the retry then
    met its own first try (NetworkAclEntryAlreadyExists, InvalidPermission.NotFound on a
    revoke). AWS does not lose answers so: a replayed answer is what AWS's client would have
    read. Only answers below 500 are replayed (a 5xx retry is executed again, as AWS does).
    """
    try:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    except ImportError:
        return False
    current = DomainDispatcherApplication.__dict__.get("__call__")
    if not callable(current) or list(inspect.signature(current).parameters) != [
            "self", "environ", "start_response"]:
        return False
    answers: dict[str, tuple[str, list[tuple[str, str]], bytes]] = {}
    lock = threading.Lock()

    def __call__(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        invocation = str(environ.get("HTTP_AMZ_SDK_INVOCATION_ID") or "")
        if not invocation:
            return current(self, environ, start_response)
        with lock:
            kept = answers.get(invocation)
        if kept is not None:
            status, headers, body = kept
            start_response(status, headers)
            return [body]
        seen: list[tuple[str, list[tuple[str, str]]]] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen.append((status, list(headers)))
            return start_response(status, headers, exc_info)

        chunks = current(self, environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if callable(close):
                close()
        if seen and int(seen[0][0].split()[0]) < 500:
            with lock:
                answers[invocation] = (seen[0][0], seen[0][1], body)
                while len(answers) > _REPLAYED:
                    del answers[next(iter(answers))]
        return [body]

    DomainDispatcherApplication.__call__ = __call__  # type: ignore[method-assign]
    return True


FIXES = {
    "security group rule descriptions": _fix_group_rule_description,
    "prefix-list rule descriptions": _fix_prefix_list_rule_description,
    "prefix list CIDRs": _fix_prefix_list_cidrs,
    "subnet IPv6 association state": _fix_subnet_ipv6_association_state,
    "missing network ACL entries": _fix_missing_network_acl_entry,
    "missing network ACL associations": _fix_missing_network_acl_association,
    "missing security group rule ids": _fix_missing_group_rule_id,
    "one request at a time": _fix_one_request_at_a_time,
    "retried requests replayed": _fix_replay_retried_requests,
    "NAT gateway addresses in their subnet": _fix_nat_gateway_address,
    "route targets moto does not store": _fix_route_targets,
    "replaced route targets": _fix_replaced_route_targets,
    "transit gateway attachment tags": _fix_transit_attachment_tags,
    "deleted transit gateway attachments": _fix_deleted_transit_attachments,
    "VPN connection options and routes": _fix_vpn_connection_routes,
    "network firewall rule groups and policies": _fix_firewall_rule_groups_and_policies,
    "network firewall tags": _fix_firewall_tags,
    "network firewall protection defaults": _fix_firewall_protection_defaults,
    "network firewall endpoints": _fix_firewall_endpoints,
    "network firewall changes in place": _fix_firewall_changes,
}
"""Every fix, by name: tests/unit/test_localaws.py checks that each still fits moto."""


def apply_fixes() -> list[str]:
    """Apply every fix that fits this moto version; the names of those applied."""
    return [name for name, fix in FIXES.items() if fix()]


def _announce_listening() -> None:
    """Print ``LISTENING`` once werkzeug's server is bound. Without it a health answer from
    another program already on the port (free_port() is only free when asked) would pass
    for this server, which then fails to bind and exits."""
    import werkzeug.serving

    original = werkzeug.serving.make_server

    def make_server(*args: Any, **kwargs: Any) -> Any:
        server = original(*args, **kwargs)  # binds, or raises (the process then exits)
        host, port = (str(part) for part in server.server_address[:2])  # AF_INET: str, int
        print(LISTENING.format(address=f"{host}:{port}", pid=os.getpid()), flush=True)
        return server

    werkzeug.serving.make_server = make_server


def main(argv: list[str] | None = None) -> None:
    from moto.server import main as moto_main

    apply_fixes()
    _announce_listening()
    moto_main(argv)


if __name__ == "__main__":
    main()
