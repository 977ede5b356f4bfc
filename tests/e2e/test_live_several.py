"""The live reader on several VPCs and managed prefix lists, against the emulator.

tests/fixtures/emulate/peered (two peered VPCs sharing the tier name ``db``, a group rule
naming a prefix list) is applied to an emulator of its own; the live read of every VPC
must give the matrix the state read gives, and both the hand-derived answer: web reaches
corp-b's db on tcp 5432 over the peering, through the prefix list's entry, and nothing is
unknown. Plain boto3 then adds a VPC and a route to a prefix list, to check selection.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tierform import workflow
from tierform.errors import ReadError
from tierform.localaws import LocalAWS, client, provider_hcl
from tierform.readers.live import network_from_live
from tierform.readers.state import network_from_state
from tierform.report import reach_json
from tierform.terraform.cliconfig import OFFLINE_PROVIDER_FILE
from tierform.terraform.reattach import ReattachedRunner

pytestmark = [pytest.mark.e2e, pytest.mark.terraform]

REGION = "us-east-1"
PEERED = Path(__file__).resolve().parents[1] / "fixtures" / "emulate" / "peered"


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalAWS, dict[str, Any]]]:
    """An emulator of its own (``--all-vpcs`` sees every VPC in it) with the fixture applied;
    the state JSON beside it."""
    workdir = tmp_path_factory.mktemp("peered")
    with LocalAWS() as aws:
        runner = ReattachedRunner.for_module(PEERED, workdir / "module", region=REGION,
                                   endpoint=aws.endpoint)
        (workdir / "module" / OFFLINE_PROVIDER_FILE).write_text(provider_hcl(aws.endpoint,
                                                                             REGION))
        runner.init()
        runner.apply()
        yield aws, runner.show()


def _flows(network: Any) -> list[dict[str, Any]]:
    return list(reach_json(workflow.analyze_network(network), "live")["flows"])


def test_every_vpc_live_equals_the_state_read(applied: tuple[LocalAWS, dict[str, Any]]) -> None:
    aws, state = applied
    ec2 = client("ec2", aws.endpoint, REGION)
    live = network_from_live(ec2, all_vpcs=True)
    from_state = network_from_state(state)
    assert sorted(live.tiers) == sorted(from_state.tiers) == ["corp-a/db", "corp-b/db", "web"]
    assert not live.unresolved
    assert len(live.peerings) == 1
    web = live.groups_of("web")[0]
    assert [r.cidr for r in web.rules if r.egress] == ["10.60.2.0/24"], web.rules
    assert "prefix list pl-" in web.rules[0].source
    flows = _flows(live)
    assert flows == _flows(from_state)
    open_ = {(f["from"], f["to"], f["protocol"]): f["ports"] for f in flows}
    assert open_ == {("web", "corp-b/db", "tcp"): [[5432, 5432]]}, flows
    document = reach_json(workflow.analyze_network(live), "live")
    assert document["unknown"] == []
    assert document["unresolved"] == []


def test_selected_vpcs_and_a_prefix_list_route(applied: tuple[LocalAWS, dict[str, Any]]) -> None:
    aws, _ = applied
    ec2 = client("ec2", aws.endpoint, REGION)
    by_name = {next((t["Value"] for t in v.get("Tags") or [] if t["Key"] == "Name"), None):
               v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    only_a = network_from_live(ec2, vpc_ids=[by_name["corp-a"]])
    assert sorted(only_a.tiers) == ["db", "web"]  # one VPC: no qualified names
    assert not only_a.vpcs
    assert not only_a.peerings  # the peer is not read: its route stays unknown (R13)
    both = network_from_live(ec2, vpc_ids=[by_name["corp-a"], by_name["corp-b"]])
    assert sorted(both.tiers) == ["corp-a/db", "corp-b/db", "web"]
    # A route whose destination is a prefix list (to a transit gateway) reads as one
    # route per entry (R11), as the plan and state readers read it.
    pl = ec2.describe_managed_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": ["partner-db"]}])["PrefixLists"][0]
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    table = next(t["RouteTableId"] for t in ec2.describe_route_tables(Filters=[
        {"Name": "vpc-id", "Values": [by_name["corp-a"]]}])["RouteTables"]
        if any(tag["Key"] == "Tier" and tag["Value"] == "web" for tag in t.get("Tags") or []))
    ec2.create_route(RouteTableId=table, DestinationPrefixListId=pl["PrefixListId"],
                     TransitGatewayId=tgw)
    try:
        routes = network_from_live(ec2, vpc_ids=[by_name["corp-a"]]).route_tables[table].routes
        assert [(r.destination, r.kind) for r in routes if r.kind == "tgw"] == \
            [("10.60.2.0/24", "tgw")], routes
    finally:
        ec2.delete_route(RouteTableId=table, DestinationPrefixListId=pl["PrefixListId"])
    with pytest.raises(ReadError, match="does not exist"):
        network_from_live(ec2, vpc_ids=["vpc-0000000000"])
