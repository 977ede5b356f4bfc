"""A named network with a site-to-site VPN on the emulator: tests/plan/fixtures/vpn.yaml
applied (customer gateway, static VPN connection to the module's virtual private gateway,
its route to corp), read back (a second plan is empty: the connection is not replaced),
proven from the state and live, destroyed. moto needs the guarded fix "VPN connection
options and routes" (tierform.localaws.motoserver) to keep the connection's options and
answer its routes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from e2e_support import leftovers, pending_changes

from tierform import workflow
from tierform.analyze import query
from tierform.apply import apply_module
from tierform.localaws import LocalAWS, client
from tierform.readers.live import network_from_live
from tierform.readers.state import network_from_state
from tierform.report import verify_table
from tierform.terraform.reattach import ReattachedRunner

pytestmark = [pytest.mark.e2e, pytest.mark.terraform, pytest.mark.e2e_long]

BLUEPRINT = Path(__file__).resolve().parents[1] / "plan" / "fixtures" / "vpn.yaml"


@pytest.fixture(scope="module")
def applied(local_aws: LocalAWS, tmp_path_factory: pytest.TempPathFactory
            ) -> tuple[workflow.Checked, ReattachedRunner, dict[str, Any]]:
    checked = workflow.check(workflow.load(BLUEPRINT))
    workdir = tmp_path_factory.mktemp("apply-vpn")
    outputs = apply_module(workflow.render(checked), name=checked.name,
                           region=checked.loaded.blueprint.region,
                           endpoint=local_aws.endpoint, workdir=workdir)
    return checked, ReattachedRunner(workdir), outputs


def test_the_vpn_is_applied_static_with_its_route(applied: Any, local_aws: LocalAWS) -> None:
    checked, _, outputs = applied
    ec2 = client("ec2", local_aws.endpoint, checked.loaded.blueprint.region)
    vpn_id = outputs["vpn_connection_ids"]["corp"]
    (vpn,) = ec2.describe_vpn_connections(VpnConnectionIds=[vpn_id])["VpnConnections"]
    assert vpn["VpnGatewayId"] == outputs["vpn_gateway_id"]
    assert vpn["Options"]["StaticRoutesOnly"] is True
    assert [r["DestinationCidrBlock"] for r in vpn["Routes"]] == ["192.168.0.0/16"]
    (gateway,) = ec2.describe_customer_gateways(
        CustomerGatewayIds=[vpn["CustomerGatewayId"]])["CustomerGateways"]
    assert (gateway["IpAddress"], gateway["BgpAsn"]) == ("198.51.100.7", "65010")
    assert len(outputs["vpn_tunnel_addresses"]["corp"]) == 2


def test_second_plan_is_empty(applied: Any) -> None:
    _, runner, _ = applied
    assert pending_changes(runner.show(runner.plan())) == []


def test_state_and_live_prove_corp_reaches_mgmt_on_22_only(applied: Any,
                                                           local_aws: LocalAWS) -> None:
    checked, runner, outputs = applied
    networks = checked.loaded.blueprint.network_cidrs
    ec2 = client("ec2", local_aws.endpoint, checked.loaded.blueprint.region)
    live = network_from_live(ec2, vpc_id=outputs["vpc_id"], named_networks=networks)
    state = network_from_state(runner.show(), named_networks=networks)
    want = workflow.analyze_network(checked.network)
    for network in (live, state):
        got = workflow.analyze_network(network)
        assert got.unresolved == []
        assert {(f.src, f.dst, f.protocol, str(f.ports)) for f in got.flows} == \
            {(f.src, f.dst, f.protocol, str(f.ports)) for f in want.flows}
        assert query(network, "corp", "mgmt", "tcp", 22).verdict == "reachable"
        assert query(network, "corp", "web", "tcp", 22).verdict == "blocked"
        assert any("reaches corp" in a for a in got.assumptions)
    report = workflow.verify_network(checked.loaded, live)
    assert report.ok, verify_table(report)


def test_destroy_leaves_nothing(applied: Any, local_aws: LocalAWS) -> None:
    checked, runner, outputs = applied
    runner.destroy()
    ec2 = client("ec2", local_aws.endpoint, checked.loaded.blueprint.region)
    assert leftovers(ec2, outputs["vpc_id"], checked.name) == {}
    connections = ec2.describe_vpn_connections()["VpnConnections"]
    assert [c["VpnConnectionId"] for c in connections if c["State"] != "deleted"] == []
