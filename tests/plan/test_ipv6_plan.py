"""A real terraform plan of the dual-stack fixture: the Amazon-provided IPv6 block is
unknown, so every subnet's block is symbolic, read from the HCL; the matrix per family is
the hand-derived one (tests/ipv6_support.py), as the applied state's is (e2e)."""

from __future__ import annotations

import pytest

from ipv6_support import DUALSTACK, EXPECTED_EXPOSURE, EXPECTED_FLOWS, flows_of
from tierform.analyze import analyze
from tierform.readers.plan import network_from_plan
from tierform.testing import PlanFactory

pytestmark = pytest.mark.terraform


def test_dual_stack_plan_is_the_hand_derived_matrix(tierform_plan: PlanFactory) -> None:
    doc = dict(tierform_plan(DUALSTACK, region="us-east-1").raw)
    network = network_from_plan(doc, config_dir=DUALSTACK)
    assert network.unresolved == []
    assert network.vpc_ipv6_cidrs == ("aws_vpc.main.ipv6_cidr_block",)
    assert {s.tier: s.ipv6_cidr for s in network.subnets.values()} == {
        tier: f"cidrsubnet(aws_vpc.main.ipv6_cidr_block, 8, {k})"
        for tier, k in (("web", 0), ("app", 10), ("db", 20))}
    reach = analyze(network)
    assert reach.complete, reach.incomplete_reasons
    assert flows_of(reach) == EXPECTED_FLOWS
    assert {t: (i.exposure, i.exposure_ipv6) for t, i in reach.tiers.items()} == \
        EXPECTED_EXPOSURE
    # Without the HCL the symbolic blocks cannot be read: unknown, never blocked.
    bare = analyze(network_from_plan(doc))
    assert not bare.complete
    assert bare.verdict("internet", "web", "tcp", 443) == "unknown"
