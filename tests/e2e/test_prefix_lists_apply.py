"""Named networks with several CIDRs on the emulator: tests/plan/fixtures/prefix-lists.yaml
applied (corp over a transit gateway made here, branch over the module's VPN gateway with a
VPN), each network one managed prefix list that the routes and group rules name; read back
(a second plan is empty), proven from the state and live (the live reader expands the lists
by GetManagedPrefixListEntries, R11). No destroy: no test asserts one; the module's emulator
reset empties it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_support import pending_changes

from tierform import workflow
from tierform.analyze import query
from tierform.apply import apply_module
from tierform.localaws import LocalAWS, client
from tierform.readers.live import network_from_live
from tierform.readers.state import network_from_state
from tierform.report import verify_table
from tierform.terraform.reattach import ReattachedRunner

pytestmark = [pytest.mark.e2e, pytest.mark.terraform]

BLUEPRINT = Path(__file__).resolve().parents[1] / "plan" / "fixtures" / "prefix-lists.yaml"
CIDRS = {"corp": ["172.20.0.0/16", "192.168.0.0/16"], "branch": ["10.99.0.0/16", "172.16.0.0/16"]}


@pytest.fixture(scope="module")
def applied(local_aws: LocalAWS, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[workflow.Checked, ReattachedRunner, dict[str, Any], Any]]:
    checked = workflow.check(workflow.load(BLUEPRINT))
    region = checked.loaded.blueprint.region
    ec2 = client("ec2", local_aws.endpoint, region)
    workdir = tmp_path_factory.mktemp("apply-prefix-lists")
    with pytest.MonkeyPatch.context() as env:
        gateway = ec2.create_transit_gateway(Description="corp side (e2e)")["TransitGateway"]
        env.setenv("TF_VAR_transit_gateway_id", gateway["TransitGatewayId"])
        outputs = apply_module(workflow.render(checked), name=checked.name, region=region,
                               endpoint=local_aws.endpoint, workdir=workdir)
        yield checked, ReattachedRunner(workdir), outputs, ec2


def _lists(ec2: Any) -> dict[str, tuple[str, list[str]]]:
    """The blueprint's prefix lists in the emulator: network (the Name tag's last part) ->
    (id, entries)."""
    found: dict[str, tuple[str, list[str]]] = {}
    for pl in ec2.describe_managed_prefix_lists()["PrefixLists"]:
        name = pl.get("PrefixListName", "")
        if not name.startswith("prefixed-"):
            continue
        entries = ec2.get_managed_prefix_list_entries(PrefixListId=pl["PrefixListId"])
        found[name.removeprefix("prefixed-")] = (
            pl["PrefixListId"], sorted(e["Cidr"] for e in entries["Entries"]))
    return found


def test_each_network_is_one_list_that_routes_and_group_rules_name(applied: Any) -> None:
    _, _, outputs, ec2 = applied
    lists = _lists(ec2)
    assert {name: cidrs for name, (_, cidrs) in lists.items()} == CIDRS
    ids = {pl_id: name for name, (pl_id, _) in lists.items()}
    tables = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [outputs["vpc_id"]]}])["RouteTables"]
    named: dict[str, set[str]] = {}
    for table in tables:
        tag = {t["Key"]: t["Value"] for t in table.get("Tags", [])}.get("Name", "")
        for route in table["Routes"]:
            if route.get("DestinationPrefixListId") in ids:
                named.setdefault(tag, set()).add(ids[route["DestinationPrefixListId"]])
    # Only mgmt's tables (one per AZ) route the networks, each by its list.
    assert named == {f"prefixed-mgmt-{az}": {"corp", "branch"} for az in ("a", "b")}, named
    groups = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [outputs["vpc_id"]]}])["SecurityGroups"]
    by_list = {
        (g["GroupName"], ids[p["PrefixListId"]], perm.get("FromPort"), direction)
        for g in groups
        for direction, key in (("in", "IpPermissions"), ("out", "IpPermissionsEgress"))
        for perm in g[key] for p in perm.get("PrefixListIds", []) if p["PrefixListId"] in ids}
    assert {(g.split("-")[1], n, d, port) for g, n, port, d in by_list} == {
        ("mgmt", "corp", "in", 22), ("mgmt", "branch", "in", 22),
        ("mgmt", "branch", "out", 443)}


def test_second_plan_is_empty(applied: Any) -> None:
    _, runner, _, _ = applied
    assert pending_changes(runner.show(runner.plan())) == []


def test_state_and_live_prove_the_networks_by_every_cidr(applied: Any) -> None:
    checked, runner, outputs, ec2 = applied
    networks = checked.loaded.blueprint.network_cidrs
    live = network_from_live(ec2, vpc_id=outputs["vpc_id"], named_networks=networks)
    state = network_from_state(runner.show(), named_networks=networks)
    want = workflow.analyze_network(checked.network)
    for network in (live, state):
        got = workflow.analyze_network(network)
        assert got.unresolved == []
        assert got.complete
        assert {(f.src, f.dst, f.protocol, str(f.ports)) for f in got.flows} == \
            {(f.src, f.dst, f.protocol, str(f.ports)) for f in want.flows}
        assert query(network, "corp", "mgmt", "tcp", 22).verdict == "reachable"
        assert query(network, "branch", "mgmt", "tcp", 22).verdict == "reachable"
        assert query(network, "mgmt", "branch", "tcp", 443).verdict == "reachable"
        assert query(network, "corp", "web", "tcp", 22).verdict == "blocked"
        assert query(network, "mgmt", "corp", "tcp", 443).verdict == "blocked"
    report = workflow.verify_network(checked.loaded, live)
    assert report.ok, verify_table(report)
