"""R14 on a plan: the hand-written nat-instance fixture (an egress NAT instance's network
interface, a Gateway Load Balancer endpoint) read from its offline plan and analyzed, and
single-resource mutants of it that the analyzer must tell apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from mutant_support import planned_network
from tierform.analyze import analyze
from tierform.network.model import Network

pytestmark = pytest.mark.terraform

MODULE = Path(__file__).resolve().parents[1] / "fixtures" / "handwritten" / "nat-instance"


def _network(cache: Path, terraform: str | None, edit: tuple[str, str] | None = None
             ) -> Network:
    return planned_network(MODULE, cache, terraform, *(() if edit is None else (edit,)),
                           with_config=False)


@pytest.fixture(scope="module")
def network(tierform_cache_dir: Path, tierform_terraform: str | None) -> Network:
    return _network(tierform_cache_dir, tierform_terraform)


def test_the_plan_reads_the_nat_instance_as_an_appliance(network: Network) -> None:
    appliance = network.appliances["aws_network_interface.nat"]
    assert appliance.subnet_id == "aws_subnet.edge"
    assert appliance.source_dest_check is False
    assert appliance.security_group_ids == ("aws_security_group.nat",)
    assert not network.unresolved


def test_app_reaches_the_internet_through_the_nat_instance_only_on_443(
        network: Network) -> None:
    result = analyze(network)
    assert str(result.ports("app", "internet", "tcp")) == "443"
    assert not result.unknown_ports("app", "internet", "tcp")
    assert result.tiers["app"].exposure == "private"
    assert not result.ports("internet", "app", "tcp")  # nothing opens inwards through it


def test_the_firewall_endpoint_leaves_inspect_unknown_not_isolated(network: Network) -> None:
    result = analyze(network)
    assert not result.ports("inspect", "internet", "tcp")
    assert result.unknown_ports("inspect", "internet", "tcp").is_full()
    assert result.tiers["inspect"].exposure == "unknown"
    assert any("Gateway Load Balancer endpoint" in r for u in result.unknown
               if u.src == "inspect" for r in u.reasons)


@pytest.mark.parametrize(("edit", "expect"), [
    # Source/destination check left on: AWS would drop what the instance forwards; the
    # analyzer says unknown (whether the appliance forwards is host configuration).
    ((r"source_dest_check = false", "source_dest_check = true"), "unknown"),
    # The appliance's group no longer lets 443 out: blocked by a rule that was read.
    ((r"from_port         = 443\n  to_port           = 443",
      "from_port         = 80\n  to_port           = 80"), "blocked"),
    # The instance's subnet loses its internet route: nowhere to go on.
    ((r'resource "aws_route" "edge_internet" \{[^}]*\}', ""), "blocked"),
], ids=["check-on", "group-closed", "no-onward-route"])
def test_mutants_of_the_hop_are_caught(tierform_cache_dir: Path, tierform_terraform: str | None,
                                       edit: tuple[str, str], expect: str) -> None:
    result = analyze(_network(tierform_cache_dir, tierform_terraform, edit))
    assert not result.reachable("app", "internet", "tcp", 443)
    assert (443 in result.unknown_ports("app", "internet", "tcp")) == (expect == "unknown")
