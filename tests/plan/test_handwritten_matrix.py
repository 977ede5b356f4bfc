"""The hand-written three-tier fixture's full reachability matrix, derived by hand.

The expectation below is worked out from the fixture's rules
(tests/fixtures/handwritten/three-tier/main.tf) and AWS's documented behaviour (Amazon
VPC User Guide: route tables, NAT gateways, network ACLs, security groups), NOT from the
analyzer's output. If the analyzer disagrees, the analyzer is wrong.

The fixture copies the SEC05-BP01 examples faithfully, including their gap: the app and
database NACLs have inbound rules only. NACLs are stateless (A2, A3), so every reply
leaving those subnets is denied by the implicit deny, and web -> app and app -> db do
not work on AWS even though the security groups allow them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tierform.analyze import analyze, query
from tierform.network.model import Network
from tierform.readers.plan import network_from_plan
from tierform.readers.state import network_from_state
from tierform.report import reach_json
from tierform.terraform import plan_files
from tierform.terraform.runner import module_files

pytestmark = pytest.mark.terraform

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "handwritten"
MODULE = FIXTURES / "three-tier"
SAVED_STATE = FIXTURES / "three-tier.state.json"

EXPECTED_TIERS: dict[str, dict[str, Any]] = {
    # aws_route_table.public: 0.0.0.0/0 -> aws_internet_gateway.main (R3).
    "Web": {"subnets": ["10.0.1.0/24", "10.0.2.0/24"], "exposure": "public"},
    # aws_route.private_{1,2}_default: 0.0.0.0/0 -> nat_{1,2}, which sit in public_{1,2}
    # whose table goes on to the IGW (R4): outbound only.
    "Application": {"subnets": ["10.0.11.0/24", "10.0.12.0/24"], "exposure": "private"},
    # aws_route_table.database: local route plus S3/DynamoDB prefix-list routes (R5):
    # no path to or from the internet.
    "Database": {"subnets": ["10.0.21.0/24", "10.0.22.0/24"], "exposure": "isolated"},
}

EXPECTED_FLOWS: list[dict[str, Any]] = [
    # internet -> Web, tcp 80 and 443: the only connection AWS lets through.
    #   routes: public_1/2 use aws_route_table.public, 0.0.0.0/0 -> IGW; the subnets map
    #           public IPv4 addresses on launch (R3); replies leave by the same route.
    #   NACL aws_network_acl.web: inbound rule 100 (tcp 80 from 0.0.0.0/0) and rule 110
    #           (tcp 443 from 0.0.0.0/0); the reply to the client's ephemeral port
    #           1024-65535 leaves by outbound rule 100 (tcp 1024-65535 to 0.0.0.0/0).
    #   SG aws_security_group.web: inline ingress tcp 80 and tcp 443 from 0.0.0.0/0; the
    #           reply is allowed because groups are stateful (S2).
    {"from": "internet", "to": "Web", "protocol": "tcp", "ports": [[80, 80], [443, 443]],
     "family": "ipv4"},
    # Everything else is blocked by at least one layer (nothing is udp or icmp anywhere):
    # - Web -> Application tcp 8080: the SGs allow it (web egress 8080 to the app group,
    #   app_from_web ingress), web NACL outbound 100 passes dst port 8080 and app NACL
    #   inbound 100/110 admits it, but the reply is denied twice: app NACL has no
    #   outbound rule (implicit deny) and web NACL inbound admits only 80/443, not the
    #   ephemeral range.
    # - Application -> Database tcp 3306: SGs allow it (app_to_database egress,
    #   database_from_app ingress); app NACL outbound has no rule, so the first packet
    #   never leaves; the database NACL has no outbound rule for the reply either.
    # - Application -> internet: app SG egress is only tcp 3306 to the database group
    #   (Terraform drops AWS's allow-all egress, S4) and app NACL outbound is empty.
    # - internet -> Application / Database: no IGW route (R3; NAT carries only
    #   connections opened from inside, R4).
    # - Web -> internet, Web -> Web: web SG egress is only tcp 8080 to the app group.
    # - anything from Database: its group has no egress rule and its NACL no outbound rule.
    # - inside one tier's subnets (A4: NACLs do not apply): no group has an egress rule to
    #   its own tier.
]

# The same network with the NACL layer failed open (verify's single-layer check): the
# security groups alone, with the routes above. Worked out by hand from the three SG styles.
EXPECTED_FLOWS_NACLS_OPEN: list[dict[str, Any]] = [  # contract order: sorted (from, to)
    # aws_vpc_security_group_egress_rule.app_to_database (tcp 3306 to the database group)
    # and aws_security_group_rule.database_from_app (tcp 3306 from the app group); local route.
    {"from": "Application", "to": "Database", "protocol": "tcp", "ports": [[3306, 3306]],
     "family": "ipv4"},
    # aws_security_group.web inline egress tcp 8080 to the app group and
    # aws_vpc_security_group_ingress_rule.app_from_web (tcp 8080 from the web group).
    {"from": "Web", "to": "Application", "protocol": "tcp", "ports": [[8080, 8080]],
     "family": "ipv4"},
    # aws_security_group.web ingress tcp 80/443 from 0.0.0.0/0; IGW route.
    {"from": "internet", "to": "Web", "protocol": "tcp", "ports": [[80, 80], [443, 443]],
     "family": "ipv4"},
]


@pytest.fixture(scope="module")
def plan_network(tierform_cache_dir: Path, tierform_terraform: str | None) -> Network:
    """The fixture planned offline once (shared plan cache: other tests reuse it)."""
    plan = plan_files(module_files(MODULE), region="us-east-1", cache_dir=tierform_cache_dir,
                      terraform=tierform_terraform)
    return network_from_plan(plan.raw)


@pytest.fixture(scope="module")
def plan_reach(plan_network: Network) -> dict[str, Any]:
    return reach_json(analyze(plan_network), "plan")


def test_plan_matrix_is_the_hand_derived_one(plan_reach: dict[str, Any]) -> None:
    assert plan_reach["flows"] == EXPECTED_FLOWS
    assert plan_reach["tiers"] == EXPECTED_TIERS
    assert plan_reach["unresolved"] == []
    # Every return leg allows either all or none of the ephemeral range: no partial warning.
    assert plan_reach["findings"] == []


def test_plan_matrix_with_nacls_failed_open(plan_network: Network) -> None:
    opened = reach_json(analyze(plan_network, failed_open="nacls"), "plan")
    assert opened["flows"] == EXPECTED_FLOWS_NACLS_OPEN


@pytest.mark.parametrize(("src", "dst", "port", "blocking"), [
    # The reply is denied on both NACLs (A3): app outbound has no rule, web inbound
    # admits only 80/443.
    ("Web", "Application", 8080, {("return", "aws_network_acl.app"),
                                  ("return", "aws_network_acl.web")}),
    # The first packet dies on the app NACL's empty outbound list; the reply would die on
    # the database NACL's empty outbound list and the app NACL's inbound list.
    ("Application", "Database", 3306, {("forward", "aws_network_acl.app"),
                                       ("return", "aws_network_acl.database"),
                                       ("return", "aws_network_acl.app")}),
])
def test_blocked_tier_flows_name_the_nacls(plan_network: Network, src: str, dst: str,
                                           port: int, blocking: set[tuple[str, str]]) -> None:
    """The two tier-to-tier flows the SGs allow are blocked by NACLs only, as AWS would."""
    result = query(plan_network, src, dst, "tcp", port)
    assert not result.reachable
    got = {(leg.leg, leg.resource.split(" ")[0]) for leg in result.blocking}
    assert got == blocking
    assert {leg.layer for leg in result.blocking} == {"nacls"}


def test_saved_state_gives_the_plan_matrix(plan_reach: dict[str, Any]) -> None:
    state = json.loads(SAVED_STATE.read_text(encoding="utf-8"))
    from_state = reach_json(analyze(network_from_state(state)), "state")
    assert from_state["flows"] == EXPECTED_FLOWS
    assert {k: v for k, v in from_state.items() if k != "source"} == \
        {k: v for k, v in plan_reach.items() if k != "source"}
