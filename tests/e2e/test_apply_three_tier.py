"""Apply the shipped three-tier module to the local emulator and prove what was built.

One apply per session (about a minute on a small machine): the tests below read the
same applied module in order, and the last one destroys it. Run them together
(``pytest tests/e2e``; with xdist use ``--dist loadfile``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tierform.blueprint.load import load_blueprint
from tierform.localaws import LocalAWS, client, provider_hcl
from tierform.network.analyze import Reachability, analyze
from tierform.network.derive import derive
from tierform.network.live import network_from_live
from tierform.network.model import Network
from tierform.terraform.cliconfig import OFFLINE_PROVIDER_FILE
from tierform.terraform.runner import Runner

pytestmark = [pytest.mark.e2e, pytest.mark.terraform]

ROOT = Path(__file__).resolve().parents[2]
NAME = "three-tier"
MODULE = ROOT / "modules" / NAME
BLUEPRINT = ROOT / "blueprints" / f"{NAME}.yaml"
# Every resource tierform puts in a tier carries this tag (DESIGN: SEC05-BP01 convention).
TIERED = (("describe_subnets", "Subnets"), ("describe_route_tables", "RouteTables"),
          ("describe_network_acls", "NetworkAcls"), ("describe_security_groups", "SecurityGroups"))


@dataclass
class Applied:
    runner: Runner
    region: str
    endpoint: str
    outputs: dict[str, Any]
    destroyed: bool = False
    notes: list[str] = field(default_factory=list)

    def ec2(self) -> Any:
        return client("ec2", self.endpoint, self.region)


@pytest.fixture(scope="module")
def intended() -> Network:
    loaded = load_blueprint(BLUEPRINT)
    return derive(loaded.blueprint, loaded.allocation)


@pytest.fixture(scope="module")
def applied(local_aws: LocalAWS, intended: Network,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Applied]:
    region = load_blueprint(BLUEPRINT).blueprint.region
    workdir = tmp_path_factory.mktemp(f"apply-{NAME}")
    runner = Runner.for_module(MODULE, workdir, region=region, endpoint=local_aws.endpoint)
    # Our emulator provider block (same file name, so it replaces the runner's): it lets the
    # provider ask STS for the account id, without which SG references diff forever.
    (workdir / OFFLINE_PROVIDER_FILE).write_text(provider_hcl(local_aws.endpoint, region))
    runner.init()
    state = Applied(runner, region, local_aws.endpoint, {})
    try:
        runner.apply()
        state.outputs = runner.output()
        yield state
    finally:
        if not state.destroyed:
            runner.destroy()


def _pending_changes(runner: Runner) -> list[str]:
    """Addresses a fresh plan would touch, with their actions (empty: no drift)."""
    plan = runner.show(runner.plan())
    pending = []
    for change in plan.get("resource_changes", []):
        actions, diff = change["change"]["actions"], change["change"]
        if actions in (["no-op"], ["read"]):
            continue
        before, after = diff.get("before") or {}, diff.get("after") or {}
        keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        pending.append(f"{change['address']}: {'/'.join(actions)} {keys}")
    return pending


def _flows(reach: Reachability) -> set[tuple[str, str, str, str]]:
    return {(f.src, f.dst, f.protocol, str(f.ports)) for f in reach.flows}


def test_second_plan_is_empty(applied: Applied) -> None:
    assert _pending_changes(applied.runner) == []


def test_live_network_has_the_blueprint_layers(applied: Applied, intended: Network) -> None:
    live = network_from_live(applied.ec2(), vpc_id=applied.outputs["vpc_id"],
                             named_networks=intended.named_networks)
    assert sorted(live.tiers) == sorted(intended.tiers)
    for tier in intended.tiers:
        assert sorted(str(s.cidr) for s in live.subnets_of(tier)) == sorted(
            str(s.cidr) for s in intended.subnets_of(tier)), tier
        # One route table and one NACL per subnet/tier, tagged with the tier (not the main
        # table, not the default NACL).
        for subnet in live.subnets_of(tier):
            table = live.route_table_of(subnet.id)
            nacl = live.nacl_of(subnet.id)
            assert table is not None
            assert (table.is_main, table.tier) == (False, tier)
            assert nacl is not None
            assert (nacl.is_default, nacl.tier) == (False, tier)
        assert [g.tier for g in live.groups_of(tier)] == [tier]
    # The managed defaults hold nothing: main table no routes, default NACL and SG no rules.
    main = next(t for t in live.route_tables.values() if t.is_main)
    assert main.routes == ()
    default_nacl = next(n for n in live.nacls.values() if n.is_default)
    assert default_nacl.entries == ()
    assert [g.rules for g in live.security_groups.values() if g.is_default] == [()]


def test_live_reachability_equals_the_intent(applied: Applied, intended: Network) -> None:
    live = network_from_live(applied.ec2(), vpc_id=applied.outputs["vpc_id"],
                             named_networks=intended.named_networks)
    got, want = analyze(live), analyze(intended)
    assert {t: i.exposure for t, i in got.tiers.items()} == {
        "web": "public", "app": "private", "db": "isolated"}
    assert {t: i.exposure for t, i in got.tiers.items()} == {
        t: i.exposure for t, i in want.tiers.items()}
    assert _flows(got) == _flows(want)
    assert got.unresolved == []


def test_vpc_is_found_by_its_name_tag(applied: Applied) -> None:
    net = network_from_live(applied.ec2(), tag_filters={"Name": NAME})
    assert net.vpc_id == applied.outputs["vpc_id"]


def test_destroy_leaves_no_tiered_resource(applied: Applied) -> None:
    applied.runner.destroy()
    applied.destroyed = True
    ec2 = applied.ec2()
    tagged = [{"Name": "tag-key", "Values": ["Tier"]}]
    left = {operation: len(getattr(ec2, operation)(Filters=tagged)[key])
            for operation, key in TIERED}
    assert left == dict.fromkeys(left, 0)
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "vpc-id",
                                       "Values": [applied.outputs["vpc_id"]]}])["Vpcs"]
    assert vpcs == []
    # AWS keeps deleted NAT gateways listed for a while, in state "deleted".
    nats = ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id",
                                               "Values": [applied.outputs["vpc_id"]]}])
    assert {n["State"] for n in nats["NatGateways"]} <= {"deleted"}
