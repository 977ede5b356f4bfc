"""LocalAWS lifecycle (a real moto server process) and the provider/boto3 endpoint guard."""

from __future__ import annotations

import http.server
import ipaddress
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tierform.errors import TierformError
from tierform.localaws import LocalAWS, LocalAWSError, check_endpoint, client, provider_hcl


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0): look at its state.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


@pytest.fixture(scope="module")
def server() -> Iterator[LocalAWS]:
    with LocalAWS() as aws:
        yield aws


# -- endpoint guard and provider block ------------------------------------------------

@pytest.mark.parametrize("url", ["http://127.0.0.1:5000", "http://localhost:4566/",
                                 "http://[::1]:5000", "https://127.0.0.2:443"])
def test_loopback_endpoints_are_accepted(url: str) -> None:
    assert check_endpoint(url) == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://10.0.0.5:5000", "http://moto.example.com:5000",
                                 "https://s3.amazonaws.com"])
def test_remote_endpoints_need_explicit_consent(url: str) -> None:
    with pytest.raises(TierformError, match="not a loopback address"):
        check_endpoint(url)
    assert check_endpoint(url, allow_remote=True) == url


@pytest.mark.parametrize("url", ["ftp://127.0.0.1:21", "127.0.0.1:5000",
                                 'http://127.0.0.1:5000/"}', "http://127.0.0.1:5000/${x}",
                                 "http://127.0.0.1:5000/?a=b", "http://u:p@127.0.0.1:5000"])
def test_malformed_endpoints_are_refused(url: str) -> None:
    with pytest.raises(TierformError):
        check_endpoint(url, allow_remote=True)


def test_provider_block_routes_every_service_to_the_endpoint() -> None:
    hcl = provider_hcl("http://127.0.0.1:5000/", "eu-west-1")
    assert 'region                      = "eu-west-1"' in hcl
    for service in ("cloudwatch", "ec2", "iam", "kms", "logs", "networkfirewall", "s3", "sns",
                    "sts"):
        assert any(line.split() == [service, "=", '"http://127.0.0.1:5000"']
                   for line in hcl.splitlines()), service
    assert "skip_requesting_account_id  = false" in hcl
    assert "s3_use_path_style           = true" in hcl
    assert hcl.count("{") == hcl.count("}")


def test_provider_block_refuses_remote_endpoint_and_bad_region() -> None:
    with pytest.raises(TierformError, match="loopback"):
        provider_hcl("http://192.0.2.1:5000", "us-east-1")
    with pytest.raises(TierformError, match="region"):
        provider_hcl("http://127.0.0.1:5000", 'us-east-1" evil')


# -- server lifecycle ------------------------------------------------------------------

def test_server_answers_boto3_and_reset_forgets_resources(server: LocalAWS) -> None:
    assert server.endpoint.startswith("http://127.0.0.1:")
    ec2 = client("ec2", server.endpoint, "us-east-1")
    vpc_id = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    assert vpc_id in {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    server.reset()
    assert vpc_id not in {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}


def test_group_reference_rules_keep_their_description(server: LocalAWS) -> None:
    """AWS returns it (moto alone drops it, and Terraform then diffs on every plan)."""
    ec2 = client("ec2", server.endpoint, "us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    web, db = (ec2.create_security_group(VpcId=vpc, GroupName=n, Description=n)["GroupId"]
               for n in ("web", "db"))
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306,
         "UserIdGroupPairs": [{"GroupId": web, "Description": "web to db"}]}])
    rules = ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [db]}])["SecurityGroupRules"]
    assert [(r["ReferencedGroupInfo"]["GroupId"], r.get("Description"))
            for r in rules if not r["IsEgress"]] == [(web, "web to db")]


def test_prefix_list_rules_keep_their_description(server: LocalAWS) -> None:
    """A group rule naming a prefix list (a flow to aws:s3): AWS returns its description,
    moto alone drops it (Terraform then diffs on every plan). The list is the emulator's
    AWS-managed one for S3, as a gateway endpoint names it."""
    ec2 = client("ec2", server.endpoint, "us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    app = ec2.create_security_group(VpcId=vpc, GroupName="app", Description="app")["GroupId"]
    [s3] = ec2.describe_prefix_lists(Filters=[
        {"Name": "prefix-list-name", "Values": ["com.amazonaws.us-east-1.s3"]}])["PrefixLists"]
    # AWS lists the entries (moto alone answers none): the state and live readers place
    # aws:s3 by them.
    entries = ec2.get_managed_prefix_list_entries(PrefixListId=s3["PrefixListId"])["Entries"]
    assert sorted(s3["Cidrs"]) == sorted(e["Cidr"] for e in entries) != []
    ec2.authorize_security_group_egress(GroupId=app, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "PrefixListIds": [{"PrefixListId": s3["PrefixListId"], "Description": "app to s3"}]}])
    rules = ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [app]}])["SecurityGroupRules"]
    assert [(r.get("PrefixListId"), r.get("Description")) for r in rules
            if r["IsEgress"] and r.get("PrefixListId")] == [(s3["PrefixListId"], "app to s3")]


def test_a_subnet_ipv6_block_reads_back_associated(server: LocalAWS) -> None:
    """AWS answers the state's name (moto alone nests the whole state object as text, and
    the provider's create wait fails)."""
    ec2 = client("ec2", server.endpoint, "us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.6.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]
    block = ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"][0][
        "Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    sub = next(ipaddress.ip_network(block).subnets(new_prefix=64))
    subnet = ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.6.1.0/24",
                               Ipv6CidrBlock=str(sub))["Subnet"]["SubnetId"]
    read = ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]
    assert [(a["Ipv6CidrBlock"], a["Ipv6CidrBlockState"]["State"])
            for a in read["Ipv6CidrBlockAssociationSet"]] == [(str(sub), "associated")]


def test_a_transit_attachment_keeps_its_tags_and_reads_back_deleted(server: LocalAWS) -> None:
    """AWS tags an attachment with its own tag specification, and answers a deleted one by
    id in state ``deleted`` for a while (moto 5.x: no tags; gone at once, and the
    provider's destroy wait fails)."""
    ec2 = client("ec2", server.endpoint, "us-west-2")
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.0.0/28")["Subnet"]["SubnetId"]
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    made = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[subnet], TagSpecifications=[
            {"ResourceType": "transit-gateway-attachment",
             "Tags": [{"Key": "Name", "Value": "corp"}]}])["TransitGatewayVpcAttachment"]
    attachment = made["TransitGatewayAttachmentId"]
    read = ec2.describe_transit_gateway_vpc_attachments(
        TransitGatewayAttachmentIds=[attachment])["TransitGatewayVpcAttachments"]
    assert [t for a in read for t in a.get("Tags", [])] == [{"Key": "Name", "Value": "corp"}]
    ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment)
    read = ec2.describe_transit_gateway_vpc_attachments(
        TransitGatewayAttachmentIds=[attachment])["TransitGatewayVpcAttachments"]
    assert [a["State"] for a in read] == ["deleted"]
    # Not a live attachment of the VPC: it can be attached again.
    again = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[subnet])["TransitGatewayVpcAttachment"]
    assert again["State"] == "available"


def test_a_static_vpn_connection_keeps_its_options_and_routes(server: LocalAWS) -> None:
    """AWS keeps a VPN connection's ``StaticRoutesOnly`` and answers its static routes under
    ``Routes`` (moto 5.x: no options, so the provider replaces the connection on every
    plan; CreateVpnConnectionRoute and DeleteVpnConnectionRoute not implemented)."""
    ec2 = client("ec2", server.endpoint, "us-west-2")
    gateway = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    customer = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="198.51.100.9",
                                           BgpAsn=65010)["CustomerGateway"]
    made = ec2.create_vpn_connection(
        Type="ipsec.1", CustomerGatewayId=customer["CustomerGatewayId"],
        VpnGatewayId=gateway, Options={"StaticRoutesOnly": True})["VpnConnection"]
    vpn = made["VpnConnectionId"]
    ec2.create_vpn_connection_route(VpnConnectionId=vpn, DestinationCidrBlock="192.168.0.0/16")
    (read,) = ec2.describe_vpn_connections(VpnConnectionIds=[vpn])["VpnConnections"]
    assert read["Options"]["StaticRoutesOnly"] is True
    assert read["Routes"] == [{"DestinationCidrBlock": "192.168.0.0/16", "Source": "Static",
                               "State": "available"}]
    # The provider finds a route by this filter (moto: HTTP 500, filter not implemented).
    by_route = ec2.describe_vpn_connections(Filters=[
        {"Name": "route.destination-cidr-block", "Values": ["192.168.0.0/16"]},
        {"Name": "vpn-connection-id", "Values": [vpn]}])
    assert [c["VpnConnectionId"] for c in by_route["VpnConnections"]] == [vpn]
    assert ec2.describe_vpn_connections(VpnConnectionIds=[vpn], Filters=[
        {"Name": "route.destination-cidr-block", "Values": ["10.9.0.0/16"]}])[
            "VpnConnections"] == []
    with pytest.raises(ec2.exceptions.ClientError, match="RouteAlreadyExists"):
        ec2.create_vpn_connection_route(VpnConnectionId=vpn,
                                        DestinationCidrBlock="192.168.0.0/16")
    ec2.delete_vpn_connection_route(VpnConnectionId=vpn, DestinationCidrBlock="192.168.0.0/16")
    (read,) = ec2.describe_vpn_connections(VpnConnectionIds=[vpn])["VpnConnections"]
    assert read.get("Routes", []) == []
    with pytest.raises(ec2.exceptions.ClientError, match=r"InvalidRoute\.NotFound"):
        ec2.delete_vpn_connection_route(VpnConnectionId=vpn,
                                        DestinationCidrBlock="192.168.0.0/16")
    dynamic = ec2.create_vpn_connection(
        Type="ipsec.1", CustomerGatewayId=customer["CustomerGatewayId"],
        VpnGatewayId=gateway)["VpnConnection"]
    assert dynamic["Options"]["StaticRoutesOnly"] is False


def test_every_emulator_fix_fits_this_moto() -> None:
    """A fix skips itself when moto's code changed shape: then this fails, and the fix is
    to be redone for the new moto (or dropped if moto now answers like AWS)."""
    from tierform.localaws.motoserver import FIXES

    code = "from tierform.localaws.motoserver import apply_fixes; print(*apply_fixes(), sep='\\n')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)  # own process: moto in this one stays as is
    assert done.stdout.splitlines() == list(FIXES)


_CONCURRENCY = """
import threading, time
from tierform.localaws.motoserver import apply_fixes
apply_fixes()
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
inside, most = [], [0]
def backend(environ, start_response):
    inside.append(1)
    most[0] = max(most[0], len(inside))
    time.sleep(0.2)
    inside.pop()
    return [b""]
app = DomainDispatcherApplication.__new__(DomainDispatcherApplication)
app.get_application = lambda environ: backend
threads = [threading.Thread(target=app, args=({}, None)) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(most[0])
"""


def test_the_server_handles_one_request_at_a_time() -> None:
    """moto's backends are not thread-safe: four requests at once go through one by one."""
    done = subprocess.run([sys.executable, "-c", _CONCURRENCY], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.split() == ["1"]


def test_a_nat_gateway_takes_a_free_address_of_its_subnet(server: LocalAWS) -> None:
    """AWS gives a NAT gateway an address of its own subnet; moto 5.x drew any 10.x.y.z.
    Not one another interface holds, not one of AWS's reserved ones, and its interface and
    DescribeNatGateways agree on it."""
    ec2 = client("ec2", server.endpoint, "us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.5.1.0/28")["Subnet"]["SubnetId"]
    taken = ec2.create_network_interface(SubnetId=subnet, PrivateIpAddress="10.5.1.4")[
        "NetworkInterface"]["PrivateIpAddress"]
    addresses = []
    for _ in range(2):
        eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=eip)["NatGateway"]
        (address,) = nat["NatGatewayAddresses"]
        eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[
            address["NetworkInterfaceId"]])["NetworkInterfaces"][0]
        assert eni["PrivateIpAddress"] == address["PrivateIp"]
        assert [a["PrivateIpAddress"] for a in eni["PrivateIpAddresses"]] == [
            address["PrivateIp"]]
        described = ec2.describe_nat_gateways(NatGatewayIds=[nat["NatGatewayId"]])[
            "NatGateways"][0]["NatGatewayAddresses"][0]["PrivateIp"]
        assert described == address["PrivateIp"]
        addresses.append(address["PrivateIp"])
    usable = [str(a) for a in list(ipaddress.ip_network("10.5.1.0/28"))[4:-1]]
    assert all(a in usable for a in addresses), addresses
    assert len({taken, *addresses}) == 3  # none shares an address
    # An instance started there later does not take a gateway's address either (moto's
    # instances do not see interfaces made by CreateNetworkInterface: not this fix's).
    image = ec2.describe_images()["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId=subnet)[
        "Instances"][0]
    assert instance["PrivateIpAddress"] not in addresses


def test_local_gateway_and_core_network_routes_keep_their_target(server: LocalAWS) -> None:
    """AWS answers the target a route was created with; moto 5.x dropped these two."""
    ec2 = client("ec2", server.endpoint, "us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    core = "arn:aws:networkmanager::123456789012:core-network/core-network-0123456789abcdef0"
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="10.9.0.0/16",
                     LocalGatewayId="lgw-0123456789abcdef0")
    ec2.create_route(RouteTableId=table, DestinationIpv6CidrBlock="2001:db8::/32",
                     CoreNetworkArn=core)
    routes = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
    got = {r.get("DestinationCidrBlock") or r.get("DestinationIpv6CidrBlock"):
           r.get("LocalGatewayId") or r.get("CoreNetworkArn") for r in routes}
    assert got == {"10.8.0.0/16": None, "10.9.0.0/16": "lgw-0123456789abcdef0",
                   "2001:db8::/32": core}


def test_deleting_a_missing_network_acl_entry_is_not_found(server: LocalAWS) -> None:
    """AWS's client error (the provider's destroy takes it as done), not moto's HTTP 500."""
    from botocore.exceptions import ClientError

    ec2 = client("ec2", server.endpoint, "us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for egress in (False, True):
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6",
                                     RuleAction="allow", Egress=egress, CidrBlock="10.0.0.0/8",
                                     PortRange={"From": 443, "To": 443})
    ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Egress=False)
    with pytest.raises(ClientError) as caught:
        ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Egress=False)
    assert caught.value.response["Error"]["Code"] == "InvalidNetworkAclEntry.NotFound"
    entries = ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"][0]["Entries"]
    assert [(e["RuleNumber"], e["Egress"]) for e in entries if e["RuleNumber"] == 100] == [
        (100, True)]  # only the ingress rule went



def test_a_retried_request_gets_its_first_answer_again(server: LocalAWS) -> None:
    """An attempt that carries the invocation id of a call already executed (the SDK's
    retry after a lost answer) is answered as the first attempt was, not executed twice;
    a new call (a new id) still meets AWS's own answer."""
    from botocore.exceptions import ClientError

    ec2 = client("ec2", server.endpoint, "us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    invocation = f"tierform-replay-{acl}"

    def one_invocation(request: Any, **_: Any) -> None:
        request.headers["amz-sdk-invocation-id"] = invocation

    def create() -> None:
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=15120, Protocol="-1",
                                     RuleAction="deny", Egress=False, CidrBlock="10.8.0.0/16")

    ec2.meta.events.register("before-send.ec2.CreateNetworkAclEntry", one_invocation)
    create()
    create()  # the retry of the same call: its first answer, nothing created twice
    ec2.meta.events.unregister("before-send.ec2.CreateNetworkAclEntry", one_invocation)
    entries = ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"][0]["Entries"]
    assert [e["RuleNumber"] for e in entries if not e["Egress"]].count(15120) == 1
    with pytest.raises(ClientError) as caught:
        create()  # a new call: AWS's answer
    assert caught.value.response["Error"]["Code"] == "NetworkAclEntryAlreadyExists"


def test_replacing_a_missing_network_acl_association_is_not_found(server: LocalAWS) -> None:
    """AWS's client error for an association that is not there (e.g. a retried replace that
    had gone through), not moto's HTTP 500 (retried by the SDK as a server error); an
    unknown ACL id changes nothing (moto dropped the subnet's association first)."""
    ec2 = client("ec2", server.endpoint, "us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.4.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.4.1.0/24")["Subnet"]["SubnetId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]

    def association() -> tuple[str, str]:
        found = [(a["NetworkAclAssociationId"], a["NetworkAclId"])
                 for n in ec2.describe_network_acls(Filters=[
                     {"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"]
                 for a in n["Associations"] if a["SubnetId"] == subnet]
        assert len(found) == 1, found
        return found[0]

    old, default = association()
    assert _error_code(ec2.replace_network_acl_association, AssociationId=old,
                       NetworkAclId="acl-0123456789abcdef0") == "InvalidNetworkAclID.NotFound"
    assert association() == (old, default)  # nothing changed
    new = ec2.replace_network_acl_association(AssociationId=old, NetworkAclId=acl)[
        "NewAssociationId"]
    assert association() == (new, acl)
    assert _error_code(ec2.replace_network_acl_association, AssociationId=old,
                       NetworkAclId=acl) == "InvalidAssociationID.NotFound"
    assert association() == (new, acl)


@pytest.mark.parametrize("egress", [False, True], ids=["ingress", "egress"])
def test_revoking_a_missing_group_rule_id_is_rule_id_not_found(server: LocalAWS,
                                                                egress: bool) -> None:
    """AWS's code for a rule id that is not there (the provider's destroy takes it as done:
    a retried revoke that had gone through), not moto's InvalidPermission.NotFound."""
    from botocore.exceptions import ClientError

    ec2 = client("ec2", server.endpoint, "us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.6.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="g", Description="g", VpcId=vpc)["GroupId"]
    permission = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                  "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
    authorize = (ec2.authorize_security_group_egress if egress
                 else ec2.authorize_security_group_ingress)
    revoke = ec2.revoke_security_group_egress if egress else ec2.revoke_security_group_ingress
    rule = authorize(GroupId=group, IpPermissions=[permission])[
        "SecurityGroupRules"][0]["SecurityGroupRuleId"]
    kept = authorize(GroupId=group, IpPermissions=[{**permission, "FromPort": 80, "ToPort": 80}])[
        "SecurityGroupRules"][0]["SecurityGroupRuleId"]
    revoke(GroupId=group, SecurityGroupRuleIds=[rule])
    with pytest.raises(ClientError) as caught:
        revoke(GroupId=group, SecurityGroupRuleIds=[rule])
    assert caught.value.response["Error"]["Code"] == "InvalidSecurityGroupRuleId.NotFound"
    left = ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]
    assert rule not in {r["SecurityGroupRuleId"] for r in left}
    assert kept in {r["SecurityGroupRuleId"] for r in left}
    # By permission (not by id), an absent rule keeps moto's (and AWS's) own code.
    with pytest.raises(ClientError) as caught:
        revoke(GroupId=group, IpPermissions=[permission])
    assert caught.value.response["Error"]["Code"] == "InvalidPermission.NotFound"



def test_a_replaced_route_keeps_its_endpoint_target(server: LocalAWS) -> None:
    """AWS answers the target a route was replaced with; moto 5.x's ReplaceRoute dropped
    VpcEndpointId (adding inspection to an applied network replaces 0.0.0.0/0 -> igw by the
    firewall endpoint) and kept a stale one when replaced away from it."""
    from botocore.exceptions import ClientError

    ec2 = client("ec2", server.endpoint, "us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.5.0.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc, VpcEndpointType="GatewayLoadBalancer", SubnetIds=[subnet],
        ServiceName="com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
    )["VpcEndpoint"]["VpcEndpointId"]
    gateway = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3",
                                      RouteTableIds=[table])["VpcEndpoint"]["VpcEndpointId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)

    def target() -> dict[str, str]:
        """The route's target fields (AWS answers a GWLB endpoint route's in GatewayId, as
        for CreateRoute: the provider reads a vpce- GatewayId back as vpc_endpoint_id)."""
        routes = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
        (route,) = [r for r in routes if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
        return {k: v for k, v in route.items() if k.endswith("Id")}

    ec2.replace_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0",
                      VpcEndpointId=endpoint)
    assert target() == {"GatewayId": endpoint}
    ec2.replace_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    assert target() == {"GatewayId": igw}
    with pytest.raises(ClientError) as caught:  # as CreateRoute: GWLB endpoints only
        ec2.replace_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0",
                          VpcEndpointId=gateway)
    assert caught.value.response["Error"]["Code"] == "RouteNotSupported"
    assert target() == {"GatewayId": igw}


_FLOW_LOG_RULE = {  # what the provider sends for modules/four-tier's flow log bucket rule
    "ID": "expire-flow-logs", "Status": "Enabled", "Filter": {"Prefix": ""},
    "Expiration": {"Days": 90}, "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}
_MINIMAL_RULE = {"ID": "x", "Status": "Enabled", "Filter": {"Prefix": ""},
                 "Expiration": {"Days": 5}}


@pytest.mark.parametrize("rule", [_FLOW_LOG_RULE, _MINIMAL_RULE], ids=["flow-logs", "minimal"])
def test_lifecycle_configuration_reads_back_as_written(server: LocalAWS,
                                                       rule: dict[str, object]) -> None:
    """The AWS provider (5.100) waits until GetBucketLifecycleConfiguration equals what it
    put (rules and the transition-size header) 10 reads in a row; an emulator that dropped
    a field would fail every apply after a 3-minute wait. The wait itself (10 s + 9 x 5 s)
    is the provider's, the same against AWS (see tierform.localaws.motoserver)."""
    s3 = client("s3", server.endpoint, "us-east-1")
    bucket = f"lifecycle-{rule['ID']}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={"Rules": [rule]},
        TransitionDefaultMinimumObjectSize="all_storage_classes_128K")
    for _ in range(2):  # a second read too: the provider compares read after read
        answer = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
        assert answer["Rules"] == [rule]
        assert answer["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"



# -- AWS Network Firewall (tests fail without the fixes in tierform.localaws.motoserver) -----

_STATEFUL = {"StatefulRuleOptions": {"RuleOrder": "STRICT_ORDER"},
             "RulesSource": {"StatefulRules": [{
                 "Action": "DROP",
                 "Header": {"Protocol": "TCP", "Source": "ANY", "SourcePort": "ANY",
                            "Direction": "ANY", "Destination": "ANY", "DestinationPort": "23"},
                 "RuleOptions": [{"Keyword": "sid", "Settings": ["1"]}]}]}}


def _error_code(call: Callable[..., object], **kwargs: object) -> str:
    """The client error code ``call(**kwargs)`` answers (it must fail)."""
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return str(caught.value.response["Error"]["Code"])


def test_firewall_rule_groups_and_policies_are_stored(server: LocalAWS) -> None:
    """AWS keeps what was created and answers it with the update token the next update must
    name; a resource in use is not deleted; a deleted one is ResourceNotFoundException (the
    provider's delete wait). moto 5.x has none of these operations (HTTP 500)."""
    nfw = client("network-firewall", server.endpoint, "eu-west-1")
    made = nfw.create_rule_group(RuleGroupName="telnet", Type="STATEFUL", Capacity=10,
                                 RuleGroup=_STATEFUL, Tags=[{"Key": "Name", "Value": "t"}])
    group = made["RuleGroupResponse"]
    assert group["RuleGroupArn"].endswith(":stateful-rulegroup/telnet")
    assert (group["RuleGroupStatus"], group["Capacity"], group["NumberOfAssociations"]) == (
        "ACTIVE", 10, 0)
    read = nfw.describe_rule_group(RuleGroupArn=group["RuleGroupArn"])
    assert read["RuleGroup"] == _STATEFUL
    assert read["UpdateToken"] == made["UpdateToken"]
    assert read["RuleGroupResponse"]["Tags"] == [{"Key": "Name", "Value": "t"}]
    assert nfw.describe_rule_group(RuleGroupName="telnet", Type="STATEFUL")[
        "RuleGroupResponse"]["RuleGroupArn"] == group["RuleGroupArn"]

    # Suricata rules given as Rules read back as the rules string; not both at once.
    rules = 'drop tcp $HOME_NET any -> $EXTERNAL_NET 23 (msg:"no telnet"; sid:2; rev:1;)\n'
    suricata = nfw.create_rule_group(RuleGroupName="suricata", Type="STATEFUL", Capacity=5,
                                     Rules=rules)["RuleGroupResponse"]["RuleGroupArn"]
    assert nfw.describe_rule_group(RuleGroupArn=suricata)["RuleGroup"] == {
        "RulesSource": {"RulesString": rules}}
    assert _error_code(nfw.create_rule_group, RuleGroupName="both", Type="STATEFUL",
                       Capacity=5, Rules=rules, RuleGroup=_STATEFUL) == "InvalidRequestException"

    # Updates name the current token and get a new one.
    changed = {**_STATEFUL, "StatefulRuleOptions": {"RuleOrder": "DEFAULT_ACTION_ORDER"}}
    assert _error_code(nfw.update_rule_group, RuleGroupArn=group["RuleGroupArn"],
                       UpdateToken="stale", RuleGroup=changed) == "InvalidTokenException"
    updated = nfw.update_rule_group(RuleGroupArn=group["RuleGroupArn"],
                                    UpdateToken=read["UpdateToken"], RuleGroup=changed)
    assert updated["UpdateToken"] != read["UpdateToken"]
    assert nfw.describe_rule_group(RuleGroupArn=group["RuleGroupArn"])["RuleGroup"] == changed

    document = {"StatelessDefaultActions": ["aws:forward_to_sfe"],
                "StatelessFragmentDefaultActions": ["aws:forward_to_sfe"],
                "StatefulEngineOptions": {"RuleOrder": "STRICT_ORDER"},
                "StatefulDefaultActions": ["aws:drop_established"],
                "StatefulRuleGroupReferences": [
                    {"ResourceArn": group["RuleGroupArn"], "Priority": 1}]}
    policy = nfw.create_firewall_policy(FirewallPolicyName="strict", FirewallPolicy=document)
    policy_arn = policy["FirewallPolicyResponse"]["FirewallPolicyArn"]
    assert policy_arn.endswith(":firewall-policy/strict")
    read_policy = nfw.describe_firewall_policy(FirewallPolicyArn=policy_arn)
    assert read_policy["FirewallPolicy"] == document
    assert nfw.describe_firewall_policy(FirewallPolicyName="strict")[
        "FirewallPolicyResponse"]["FirewallPolicyArn"] == policy_arn
    assert read_policy["UpdateToken"] == policy["UpdateToken"]
    assert nfw.describe_rule_group(RuleGroupArn=group["RuleGroupArn"])[
        "RuleGroupResponse"]["NumberOfAssociations"] == 1
    less = {**document, "StatefulRuleGroupReferences": []}
    nfw.update_firewall_policy(FirewallPolicyArn=policy_arn, FirewallPolicy=less,
                               UpdateToken=read_policy["UpdateToken"])
    assert nfw.describe_firewall_policy(FirewallPolicyArn=policy_arn)["FirewallPolicy"] == less
    nfw.update_firewall_policy(FirewallPolicyArn=policy_arn, FirewallPolicy=document,
                               UpdateToken=nfw.describe_firewall_policy(
                                   FirewallPolicyArn=policy_arn)["UpdateToken"])

    # In use: refused; after the policy is gone, deleted and then not found.
    assert _error_code(nfw.delete_rule_group, RuleGroupArn=group["RuleGroupArn"]) == (
        "InvalidOperationException")
    assert nfw.delete_firewall_policy(FirewallPolicyArn=policy_arn)[
        "FirewallPolicyResponse"]["FirewallPolicyStatus"] == "DELETING"
    assert _error_code(nfw.describe_firewall_policy, FirewallPolicyArn=policy_arn) == (
        "ResourceNotFoundException")
    for arn in (group["RuleGroupArn"], suricata):
        nfw.delete_rule_group(RuleGroupArn=arn)
        assert _error_code(nfw.describe_rule_group, RuleGroupArn=arn) == (
            "ResourceNotFoundException")
    # The emulator's reset (between e2e modules) forgets stored ones too.
    kept = nfw.create_rule_group(RuleGroupName="kept", Type="STATEFUL", Capacity=1,
                                 Rules=rules)["RuleGroupResponse"]["RuleGroupArn"]
    server.reset()
    assert _error_code(nfw.describe_rule_group, RuleGroupArn=kept) == (
        "ResourceNotFoundException")


def _firewall_vpc(server: LocalAWS, region: str, cidr: str) -> tuple[str, dict[str, str]]:
    """A VPC with one /28 per AZ (a and b): its id and AZ -> subnet id."""
    ec2 = client("ec2", server.endpoint, region)
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    blocks = list(ipaddress.ip_network(cidr).subnets(new_prefix=28))
    subnets = {f"{region}{zone}": ec2.create_subnet(
        VpcId=vpc, CidrBlock=str(block), AvailabilityZone=f"{region}{zone}")["Subnet"][
        "SubnetId"] for zone, block in zip("ab", blocks, strict=False)}
    return vpc, subnets


def test_a_firewall_has_one_vpc_endpoint_per_subnet_mapping(server: LocalAWS) -> None:
    """AWS answers one sync state per AZ whose endpoint is a Gateway Load Balancer VPC
    endpoint in that subnet (routes name it as vpc_endpoint_id), and deletes the endpoints
    with the firewall (moto 5.x: no sync states, no DeleteFirewall)."""
    region = "eu-west-2"
    vpc, subnets = _firewall_vpc(server, region, "10.30.0.0/24")
    ec2 = client("ec2", server.endpoint, region)
    nfw = client("network-firewall", server.endpoint, region)
    policy = "arn:aws:network-firewall:eu-west-2:123456789012:firewall-policy/any"
    made = nfw.create_firewall(FirewallName="edge", FirewallPolicyArn=policy, VpcId=vpc,
                               SubnetMappings=[{"SubnetId": s} for s in subnets.values()])
    states = nfw.describe_firewall(FirewallName="edge")["FirewallStatus"]
    assert states["Status"] == "READY"
    assert made["FirewallStatus"]["SyncStates"] == states["SyncStates"]
    assert [m.get("IPAddressType") for m in made["Firewall"]["SubnetMappings"]] == ["IPV4"] * 2
    assert {zone: state["Attachment"]["SubnetId"] for zone, state in
            states["SyncStates"].items()} == subnets
    endpoints = {zone: state["Attachment"]["EndpointId"]
                 for zone, state in states["SyncStates"].items()}
    read = ec2.describe_vpc_endpoints(VpcEndpointIds=list(endpoints.values()))["VpcEndpoints"]
    assert sorted((e["VpcEndpointId"], e["VpcEndpointType"], e["VpcId"], e["SubnetIds"])
                  for e in read) == sorted((endpoints[zone], "GatewayLoadBalancer", vpc, [s])
                                           for zone, s in subnets.items())

    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0",
                     VpcEndpointId=endpoints[f"{region}a"])
    routes = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
    assert {r["DestinationCidrBlock"]: r["GatewayId"] for r in routes} == {
        "10.30.0.0/24": "local", "0.0.0.0/0": endpoints[f"{region}a"]}
    ec2.delete_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0")

    gone = nfw.delete_firewall(FirewallName="edge")
    assert gone["FirewallStatus"]["Status"] == "DELETING"
    assert _error_code(nfw.describe_firewall, FirewallName="edge") == (
        "ResourceNotFoundException")
    left = ec2.describe_vpc_endpoints(VpcEndpointIds=list(endpoints.values()))["VpcEndpoints"]
    assert {e["State"] for e in left} == {"deleted"}


def test_a_firewall_is_unprotected_unless_asked(server: LocalAWS) -> None:
    """AWS's protection flags default to false (the provider's SDK leaves a false flag out);
    moto 5.x took an absent flag as true, so DeleteFirewall was refused."""
    region = "eu-west-3"
    vpc, subnets = _firewall_vpc(server, region, "10.31.0.0/24")
    nfw = client("network-firewall", server.endpoint, region)
    policy = "arn:aws:network-firewall:eu-west-3:123456789012:firewall-policy/any"
    mapping = [{"SubnetId": subnets[f"{region}a"]}]
    plain = nfw.create_firewall(FirewallName="plain", FirewallPolicyArn=policy, VpcId=vpc,
                                SubnetMappings=mapping)["Firewall"]
    assert (plain["DeleteProtection"], plain["SubnetChangeProtection"],
            plain["FirewallPolicyChangeProtection"]) == (False, False, False)
    kept = nfw.create_firewall(FirewallName="kept", FirewallPolicyArn=policy, VpcId=vpc,
                               SubnetMappings=[{"SubnetId": subnets[f"{region}b"]}],
                               DeleteProtection=True)["Firewall"]
    assert kept["DeleteProtection"] is True
    assert _error_code(nfw.delete_firewall, FirewallName="kept") == "InvalidOperationException"
    nfw.delete_firewall(FirewallName="plain")
    assert [f["FirewallName"] for f in nfw.list_firewalls()["Firewalls"]] == ["kept"]



def test_a_firewall_changes_subnets_policy_and_protections_in_place(server: LocalAWS) -> None:
    """A zone added to the network maps one more subnet (its endpoint created), a zone
    removed deletes its endpoint; a new policy, a description and the protections change
    in place, each refused as AWS refuses it (moto 5.x: none of these calls)."""
    region = "ap-south-1"
    ec2 = client("ec2", server.endpoint, region)
    nfw = client("network-firewall", server.endpoint, region)
    vpc, subnets = _firewall_vpc(server, region, "10.33.0.0/24")
    third = ec2.create_subnet(VpcId=vpc, CidrBlock="10.33.0.32/28",
                              AvailabilityZone=f"{region}c")["Subnet"]["SubnetId"]
    zone_a, zone_b, zone_c = (f"{region}{z}" for z in "abc")
    policy = "arn:aws:network-firewall:ap-south-1:123456789012:firewall-policy/"
    nfw.create_firewall(FirewallName="grow", FirewallPolicyArn=policy + "one", VpcId=vpc,
                        SubnetMappings=[{"SubnetId": subnets[zone_a]}])

    def endpoints() -> dict[str, str]:
        states = nfw.describe_firewall(FirewallName="grow")["FirewallStatus"]["SyncStates"]
        return {zone: state["Attachment"]["EndpointId"] for zone, state in states.items()}

    first = endpoints()[zone_a]
    added = nfw.associate_subnets(FirewallName="grow", SubnetMappings=[
        {"SubnetId": subnets[zone_b]}, {"SubnetId": third}])
    assert sorted(m["SubnetId"] for m in added["SubnetMappings"]) == sorted(
        [*subnets.values(), third])
    grown = endpoints()
    assert sorted(grown) == [zone_a, zone_b, zone_c]
    assert grown[zone_a] == first  # the zone that was there keeps its endpoint
    assert _error_code(nfw.associate_subnets, FirewallName="grow", SubnetMappings=[
        {"SubnetId": third}]) == "InvalidRequestException"  # one subnet per zone

    nfw.disassociate_subnets(FirewallName="grow", SubnetIds=[third])
    assert sorted(endpoints()) == [zone_a, zone_b]
    assert ec2.describe_vpc_endpoints(VpcEndpointIds=[grown[zone_c]])["VpcEndpoints"][0][
        "State"] == "deleted"

    nfw.associate_firewall_policy(FirewallName="grow", FirewallPolicyArn=policy + "two")
    read = nfw.describe_firewall(FirewallName="grow")
    assert read["Firewall"]["FirewallPolicyArn"] == policy + "two"
    assert {zone: list(state["Config"]) for zone, state in read["FirewallStatus"][
        "SyncStates"].items()} == {zone_a: [policy + "two"], zone_b: [policy + "two"]}
    nfw.update_firewall_description(FirewallName="grow", Description="inspected")
    assert nfw.describe_firewall(FirewallName="grow")["Firewall"]["Description"] == "inspected"

    for update, param, refused in (
            (nfw.update_subnet_change_protection, "SubnetChangeProtection",
             lambda: nfw.disassociate_subnets(FirewallName="grow", SubnetIds=[
                 subnets[zone_b]])),
            (nfw.update_firewall_policy_change_protection, "FirewallPolicyChangeProtection",
             lambda: nfw.associate_firewall_policy(FirewallName="grow",
                                                   FirewallPolicyArn=policy + "one")),
            (nfw.update_firewall_delete_protection, "DeleteProtection",
             lambda: nfw.delete_firewall(FirewallName="grow"))):
        assert update(FirewallName="grow", **{param: True})[param] is True
        assert nfw.describe_firewall(FirewallName="grow")["Firewall"][param] is True
        assert _error_code(refused) == "InvalidOperationException"
        assert update(FirewallName="grow", **{param: False})[param] is False
    nfw.delete_firewall(FirewallName="grow")
    assert {e["State"] for e in ec2.describe_vpc_endpoints(
        VpcEndpointIds=list(grown.values()))["VpcEndpoints"]} == {"deleted"}

def test_firewall_tags_change_in_place(server: LocalAWS) -> None:
    """The provider changes tags with Tag/UntagResource and reads them back from the
    describe answers (moto 5.x: no tag operations for Network Firewall)."""
    region = "eu-north-1"
    vpc, subnets = _firewall_vpc(server, region, "10.32.0.0/24")
    nfw = client("network-firewall", server.endpoint, region)
    group = nfw.create_rule_group(RuleGroupName="tagged", Type="STATELESS", Capacity=1,
                                  RuleGroup={"RulesSource": {"StatelessRulesAndCustomActions": {
                                      "StatelessRules": []}}},
                                  Tags=[{"Key": "a", "Value": "1"}])["RuleGroupResponse"]
    firewall = nfw.create_firewall(
        FirewallName="tagged", VpcId=vpc, Tags=[{"Key": "a", "Value": "1"}],
        FirewallPolicyArn="arn:aws:network-firewall:eu-north-1:123456789012:firewall-policy/p",
        SubnetMappings=[{"SubnetId": subnets[f"{region}a"]}])["Firewall"]
    for arn in (group["RuleGroupArn"], firewall["FirewallArn"]):
        nfw.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "2"},
                                                {"Key": "b", "Value": "3"}])
        nfw.untag_resource(ResourceArn=arn, TagKeys=["b"])
        assert nfw.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
            {"Key": "a", "Value": "2"}]
    assert nfw.describe_rule_group(RuleGroupArn=group["RuleGroupArn"])[
        "RuleGroupResponse"]["Tags"] == [{"Key": "a", "Value": "2"}]
    assert nfw.describe_firewall(FirewallArn=firewall["FirewallArn"])["Firewall"][
        "Tags"] == [{"Key": "a", "Value": "2"}]
    assert _error_code(nfw.list_tags_for_resource, ResourceArn=group["RuleGroupArn"] + "x") == (
        "ResourceNotFoundException")


def test_stop_kills_the_server_and_is_idempotent() -> None:
    aws = LocalAWS().start()
    pid = aws.pid
    assert pid is not None
    assert _alive(pid)
    aws.stop()
    assert not _alive(pid)
    aws.stop()
    assert not aws.running
    with pytest.raises(LocalAWSError, match="not running"):
        _ = aws.endpoint


def test_failed_start_reports_the_output_tail(tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'No module named moto.server' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(LocalAWSError) as caught:
        LocalAWS(python=str(fake), startup_timeout=5).start()
    text = str(caught.value)
    assert "exited with status 3" in text
    assert "No module named moto.server" in text
    assert caught.value.exit_code == 2


def test_an_answer_from_another_program_on_the_port_is_not_a_start() -> None:
    """Another program took the port between free_port() and the server's bind (other
    users' emulators share this loopback): its health answers must not pass for ours."""
    class Stranger(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    stranger = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stranger)
    threading.Thread(target=stranger.serve_forever, daemon=True).start()
    try:
        port = stranger.server_address[1]
        with pytest.raises(LocalAWSError, match="exited with status") as caught:
            LocalAWS(port=port, startup_timeout=30).start()
        assert "in use" in str(caught.value)  # werkzeug's own words, in the output tail
    finally:
        stranger.shutdown()
        stranger.server_close()


def test_sigterm_of_the_parent_stops_the_server(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent("""
        import sys, time
        from tierform.localaws import LocalAWS
        aws = LocalAWS().start()
        print(aws.pid, flush=True)
        time.sleep(60)
    """))
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    with parent:  # closes the pipe and waits: no ResourceWarning under -W error
        try:
            assert parent.stdout is not None
            child = int(parent.stdout.readline())
            assert _alive(child)
            parent.send_signal(signal.SIGTERM)
            assert parent.wait(timeout=20) == 128 + signal.SIGTERM
            deadline = time.monotonic() + 10
            while _alive(child) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not _alive(child)
        finally:
            parent.kill()
