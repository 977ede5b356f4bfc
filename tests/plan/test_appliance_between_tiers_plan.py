"""R9 on a plan: the hand-written east-west-appliance fixture (app and db route each
other's subnet to a filtering appliance's network interface) read from its offline plan
and analyzed, and single-resource mutants of it that the analyzer must tell apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from mutant_support import planned_network
from tierform.analyze import analyze, query
from tierform.network.model import Network

pytestmark = pytest.mark.terraform

MODULE = (Path(__file__).resolve().parents[1] / "fixtures" / "handwritten"
          / "east-west-appliance")


def _network(cache: Path, terraform: str | None, edit: tuple[str, str] | None = None
             ) -> Network:
    return planned_network(MODULE, cache, terraform, *(() if edit is None else (edit,)),
                           with_config=False)


@pytest.fixture(scope="module")
def network(tierform_cache_dir: Path, tierform_terraform: str | None) -> Network:
    return _network(tierform_cache_dir, tierform_terraform)


def test_the_plan_reads_the_filter_as_an_appliance(network: Network) -> None:
    appliance = network.appliances["aws_network_interface.filter"]
    assert appliance.subnet_id == "aws_subnet.filter"
    assert appliance.source_dest_check is False
    assert appliance.security_group_ids == ("aws_security_group.filter",)
    assert not network.unresolved


def test_app_reaches_db_through_the_appliance_on_5432_only(network: Network) -> None:
    result = analyze(network)
    assert str(result.ports("app", "db", "tcp")) == "5432"
    assert not result.unknown_ports("app", "db", "tcp")
    assert result.complete
    assert not result.ports("db", "app", "tcp")  # the appliance admits from app only
    answer = query(network, "app", "db", "tcp", 5432)
    assert answer.reachable, answer.legs
    blocked = query(network, "app", "db", "tcp", 22)  # the appliance's group holds it
    assert blocked.verdict == "blocked"
    assert any("aws_security_group.filter" in b.resource for b in blocked.blocking), \
        blocked.blocking


@pytest.mark.parametrize(("edit", "expect"), [
    # Source/destination check on: whether it forwards is host configuration: unknown.
    ((r"source_dest_check = false", "source_dest_check = true"), "unknown"),
    # The appliance's group lets 80 out instead of 5432: blocked by a rule that was read.
    ((r"from_port         = 5432\n  to_port           = 5432\n\}\n\nresource \"aws_network",
      "from_port         = 80\n  to_port           = 80\n}\n\nresource \"aws_network"),
     "blocked"),
    # db's route back to app removed: the reply goes by local, past the appliance.
    ((r'resource "aws_route" "db_to_app" \{[^}]*\}', ""), "unknown"),
], ids=["check-on", "group-closed", "asymmetric"])
def test_mutants_of_the_hop_are_caught(tierform_cache_dir: Path, tierform_terraform: str | None,
                                       edit: tuple[str, str], expect: str) -> None:
    result = analyze(_network(tierform_cache_dir, tierform_terraform, edit))
    assert not result.reachable("app", "db", "tcp", 5432)
    assert (5432 in result.unknown_ports("app", "db", "tcp")) == (expect == "unknown")
