"""Checkov skip reasons on NACL rules come from the rule's leg (derive's NaclRulePlan.leg),
not from words in its description: a tier named "returns" has forward legs too."""

from __future__ import annotations

from ipaddress import IPv4Network
from pathlib import Path

from tierform.aws import ANYWHERE
from tierform.blueprint.load import load_blueprint
from tierform.blueprint.model import Blueprint
from tierform.layout import plan_layout
from tierform.layout.model import NaclRulePlan
from tierform.render.module import render_module
from tierform.render.skips import nacl_skips

_BLUEPRINT = {
    "tierform": 1, "name": "legs", "region": "eu-west-1",
    "vpc": {"cidr": "10.20.0.0/16"}, "availability_zones": ["eu-west-1a"],
    "tiers": {"returns": {"exposure": "public", "cidrs": ["10.20.0.0/24"]}},
    "nat": "none",
    "flows": [{"from": "internet", "to": "returns", "ports": [22]},
              {"from": "returns", "to": "internet", "ports": [443]}],
}


def _inbound_from_internet() -> dict[tuple[int, int], NaclRulePlan]:
    bp = Blueprint.model_validate(_BLUEPRINT)
    layout = plan_layout(bp, {"returns": {"eu-west-1a": IPv4Network("10.20.0.0/24")}})
    return {(r.from_port, r.to_port): r for r in layout.nacl_rules
            if not r.egress and r.cidr == ANYWHERE and r.action == "allow"}


def test_legs_of_the_internet_rules() -> None:
    rules = _inbound_from_internet()
    assert {ports: (r.leg, r.flow) for ports, r in rules.items()} == {
        (22, 22): ("forward", "internet_to_returns_tcp"),
        (1024, 65535): ("return", "returns_to_internet_tcp")}


def test_forward_rule_of_a_tier_named_returns_is_not_a_return_leg() -> None:
    forward = _inbound_from_internet()[(22, 22)]
    assert "return" in forward.description  # the tier's name: what the old check read
    assert nacl_skips(forward) == [
        "#checkov:skip=CKV_AWS_232:Flow internet_to_returns_tcp opens this port to the internet "
        "on purpose."]


def test_return_rule_skips_say_return_leg() -> None:
    back = _inbound_from_internet()[(1024, 65535)]
    # RDP's 3389 lies in the ephemeral range the return leg admits.
    assert nacl_skips(back) == [
        "#checkov:skip=CKV_AWS_231:Return leg of flow returns_to_internet_tcp: a stateless ACL "
        "must admit "
        "replies on ephemeral ports from the internet; the tier's security group admits no "
        "inbound connections on them."]


def test_internet_rules_give_the_flows_written_reason() -> None:
    """A flow's ``internet_reason`` is the reason of its skips (SG and ACL), not ours."""
    path = Path(__file__).parent / "blueprint" / "corpus_valid" / "internet-ssh-with-reason.yaml"
    loaded = load_blueprint(path)
    files = render_module(plan_layout(loaded.blueprint, loaded.allocation))
    why = "Flow bastion_ssh: Bastion hosts for the on-call team; keys only, MFA on the host"
    skips = [line.strip() for name in ("nacls.tf", "security_groups.tf")
             for line in files[name].splitlines() if line.strip().startswith("#checkov:skip")]
    assert f"#checkov:skip=CKV_AWS_24:{why}" in skips  # security group, port 22
    assert f"#checkov:skip=CKV_AWS_232:{why}" in skips  # network ACL, port 22
    # The flow without a reason (443) needs no skip; nothing says "on purpose" for SSH.
    assert not [s for s in skips if "bastion_ssh opens" in s]


def test_reason_given_for_a_rule_replaces_the_generic_one() -> None:
    forward = _inbound_from_internet()[(22, 22)]
    reasons = {"internet_to_returns_tcp": "  Break-glass access  "}
    assert nacl_skips(forward, reasons) == [
        "#checkov:skip=CKV_AWS_232:Flow internet_to_returns_tcp: Break-glass access"]
    back = _inbound_from_internet()[(1024, 65535)]
    assert nacl_skips(back, reasons) == nacl_skips(back)  # a return leg keeps its reason
