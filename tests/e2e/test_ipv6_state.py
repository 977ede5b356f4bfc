"""The dual-stack fixture applied to the emulator and read back from state (concrete IPv6
blocks, AWS ids): the same hand-derived matrix per family as its plan with symbolic
blocks (tests/plan/test_ipv6_plan.py): plan == state == by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ipv6_support import DUALSTACK, EXPECTED_EXPOSURE, EXPECTED_FLOWS, flows_of
from tierform import workflow
from tierform.localaws import LocalAWS, provider_hcl
from tierform.network.ipv6 import parse_ipv6
from tierform.terraform.cliconfig import OFFLINE_PROVIDER_FILE
from tierform.terraform.reattach import ReattachedRunner

pytestmark = [pytest.mark.e2e, pytest.mark.terraform]


def test_dual_stack_state_is_the_hand_derived_matrix(local_aws: LocalAWS,
                                                     tmp_path: Path) -> None:
    runner = ReattachedRunner.for_module(DUALSTACK, tmp_path / "module", region="us-east-1",
                               endpoint=local_aws.endpoint)
    (tmp_path / "module" / OFFLINE_PROVIDER_FILE).write_text(
        provider_hcl(local_aws.endpoint, "us-east-1"))
    runner.init()
    state = tmp_path / "state.json"
    runner.apply()  # no destroy: the module's emulator reset (conftest.py)
    state.write_text(json.dumps(runner.show()), encoding="utf-8")
    kind, network = workflow.read_network(state)
    assert kind == "state"
    assert network.unresolved == []
    blocks = [parse_ipv6(s.ipv6_cidr) for s in network.subnets.values()]
    assert all(b is not None and b.base is None and b.prefixlen == 64 for b in blocks)
    reach = workflow.analyze_network(network)
    assert reach.complete, reach.incomplete_reasons
    assert flows_of(reach) == EXPECTED_FLOWS
    assert {t: (i.exposure, i.exposure_ipv6) for t, i in reach.tiers.items()} == \
        EXPECTED_EXPOSURE
