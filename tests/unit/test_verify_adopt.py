"""A blueprint's ``tiers.<name>.security_groups`` places the groups of a network Tierform
did not write: matching by id, Name, address or glob; a reference that matches nothing is an
identity finding; render refuses such a blueprint (exit 2, nothing written)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from cli_support import ROOT, tierform
from tierform import workflow
from tierform.errors import BlueprintError
from tierform.network.model import Network, SecurityGroup, Unresolved
from tierform.verify import group_matches

LEDGER = ROOT / "tests" / "fixtures" / "community" / "ledger.yaml"


def _untagged(checked: workflow.Checked) -> Network:
    """The blueprint's own network as someone else's: no Tier tag on subnets or groups and
    no placement, the groups at state-like ids with their address in parentheses."""
    net = checked.network
    groups = {f"sg-{index}": replace(group, id=f"sg-{index}", tier=None,
                                     source=f"sg-{index} ({group.source})")
              for index, group in enumerate(net.security_groups.values())}
    renamed = {old: new.id for old, new in zip(net.security_groups, groups.values(),
                                               strict=True)}
    groups = {key: replace(group, rules=tuple(
        replace(rule, group=renamed.get(rule.group, rule.group)) if rule.group else rule
        for rule in group.rules)) for key, group in groups.items()}
    subnets = {key: replace(subnet, tier=None) for key, subnet in net.subnets.items()}
    return replace(net, subnets=subnets, security_groups=groups, tier_groups={})


@pytest.mark.parametrize(("ref", "hit"), [
    ("sg-1", True), ("ledger-web", True), ("aws_security_group.web", True),
    ("aws_security_group.*", True), ("ledger-*", True), ("sg-1 (aws_security_group.web)", True),
    ("Ledger-web", False), ("ledger-we", False), ("module.*", False), ("sg-2", False),
])
def test_a_reference_names_a_group_by_id_name_address_or_glob(ref: str, hit: bool) -> None:
    group = SecurityGroup("sg-1", name="ledger-web", source="sg-1 (aws_security_group.web)")
    assert group_matches(ref, group) is hit


def test_the_mapping_places_untagged_groups_and_verifies_clean() -> None:
    checked = workflow.check(workflow.load(LEDGER))
    network = _untagged(checked)
    report = workflow.verify_network(checked.loaded, network, gate="layer")
    assert report.exit_code == 0, [f.message for f in report.gating]
    assert not any("no security group" in w for w in report.reachability.warnings)
    assert network.tier_groups == {}, "the reader's network is left as read"


def test_without_the_mapping_the_same_network_fails_open() -> None:
    """The control: the mapping is what makes the groups count (no placement, no groups:
    the security-group layer is unconstrained, never silently "blocked")."""
    checked = workflow.check(workflow.load(LEDGER))
    tiers = {name: tier.model_copy(update={"security_groups": None})
             for name, tier in checked.loaded.blueprint.tiers.items()}
    loaded = replace(checked.loaded,
                     blueprint=checked.loaded.blueprint.model_copy(update={"tiers": tiers}))
    report = workflow.verify_network(loaded, _untagged(checked), gate="layer")
    assert report.exit_code == 1
    assert any("tier db has no security group" in w for w in report.reachability.warnings)
    assert any(f.kind == "unintended" for f in report.findings)


def test_a_reference_that_matches_no_group_is_an_identity_finding() -> None:
    checked = workflow.check(workflow.load(LEDGER))
    tiers = dict(checked.loaded.blueprint.tiers)
    tiers["db"] = tiers["db"].model_copy(update={"security_groups": ["ledger-db", "ledger-dbx"]})
    loaded = replace(checked.loaded,
                     blueprint=checked.loaded.blueprint.model_copy(update={"tiers": tiers}))
    report = workflow.verify_network(loaded, _untagged(checked), gate="end-to-end")
    found = [f for f in report.findings if f.kind == "identity"]
    assert [f.path for f in found] == [("tiers", "db", "security_groups", 1)]
    assert "'ledger-dbx' matches no security group" in found[0].message
    assert report.exit_code == 1


def test_render_refuses_a_blueprint_that_maps_groups(tmp_path: Path) -> None:
    checked = workflow.check(workflow.load(LEDGER))
    with pytest.raises(BlueprintError) as caught:
        workflow.render(checked)
    first = caught.value.findings[0]
    assert first.code == "adopt-only"
    assert (first.line, first.key_path) == (15, "tiers.web.security_groups")
    target = tmp_path / "out"
    done = tierform("render", str(LEDGER), "-o", str(target), cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "ledger.yaml:15:5: tiers.web.security_groups" in done.stderr
    assert "cannot be rendered" in done.stderr
    assert not target.exists()
    assert tierform("validate", str(LEDGER), cwd=tmp_path).returncode == 0


def test_an_unmatched_reference_says_when_groups_of_the_input_were_not_placed() -> None:
    """Not read is not absent: a group whose VPC could not be resolved may be the one named."""
    checked = workflow.check(workflow.load(LEDGER))
    network = _untagged(checked)
    network = replace(network, security_groups={
        k: g for k, g in network.security_groups.items() if g.name != "ledger-db"},
        unresolved=[Unresolved('aws_security_group.tier["db"]', "vpc_id", "depends on x")])
    report = workflow.verify_network(checked.loaded, network, gate="end-to-end")
    [found] = [f for f in report.findings if f.kind == "identity"]
    assert "'ledger-db' matches no security group" in found.message
    assert 'could not be placed in a VPC, e.g. aws_security_group.tier["db"]' in found.message
