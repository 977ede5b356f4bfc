"""The cases run on every shipped blueprint applied to the local emulator.

ONE apply per blueprint per session (a minute or more on a small machine), and one test
module per blueprint (``test_apply_shipped_<name>.py``, which takes its cases from
``cases_for``), so that xdist's ``--dist loadscope`` can run the applies of different
blueprints on different workers (``loadgroup`` does not group under pytest 9.2 + xdist
3.8). The tests of a module read the same applied network in the order they are
written here; on four-tier, the flow-edit tests (issue 11) then plan edits of the
blueprint over the same state, the upgrade test renders a grown blueprint into the same
work directory (plan only), and the last test destroys. The upgrade and edit tests live
here, not in files of their own, because they must reuse this apply (four-tier's waits a
minute on the provider's S3 lifecycle polling alone).
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from e2e_support import SHIPPED, grown, leftovers, pending_changes

from cli_support import tierform
from tierform import workflow
from tierform.analyze import Reachability
from tierform.apply import apply_module
from tierform.layout import Layout
from tierform.localaws import LocalAWS, client, provider_hcl
from tierform.logs.addresses import state_built
from tierform.logs.check import classified_records
from tierform.logs.formats import DEFAULT_FIELDS
from tierform.logs.intent import rules_of
from tierform.logs.synthetic import generate, write_text
from tierform.network.model import Network
from tierform.readers.live import network_from_live
from tierform.render.writer import write_module
from tierform.report import verify_table
from tierform.terraform.cliconfig import OFFLINE_PROVIDER_FILE
from tierform.terraform.reattach import ReattachedRunner
from unit.logs.logs_support import classified, labelled

pytestmark = [pytest.mark.e2e, pytest.mark.terraform]


@dataclass
class Applied:
    """One shipped blueprint, applied to the session emulator."""

    path: Path
    checked: workflow.Checked
    workdir: Path
    endpoint: str
    outputs: dict[str, Any]
    destroyed: bool = False

    @property
    def name(self) -> str:
        return self.checked.name

    @property
    def region(self) -> str:
        return self.checked.loaded.blueprint.region

    def runner(self) -> ReattachedRunner:
        return ReattachedRunner(self.workdir)  # init ran in apply_module; .terraform/ is kept

    def ec2(self) -> Any:
        return client("ec2", self.endpoint, self.region)

    def live(self) -> Network:
        return network_from_live(self.ec2(), vpc_id=self.outputs["vpc_id"],
                                 named_networks=self.checked.network.named_networks,
                                 firewall_client=client("network-firewall", self.endpoint,
                                                        self.region),
                                 elbv2_client=client("elbv2", self.endpoint, self.region))


FOUR_TIER = next(p for p in SHIPPED if p.stem == "four-tier")


def _four_tier_only(test: Callable[..., None]) -> Callable[..., None]:
    """The test is about four-tier's flows: it runs on that blueprint's apply only."""
    test.four_tier_only = True  # type: ignore[attr-defined]
    return test


def _ipv4_only(test: Callable[..., None]) -> Callable[..., None]:
    """The test adds IPv6: it runs on the blueprints that are not dual-stack already and
    have no inspection (validate refuses inspection in a dual-stack VPC)."""
    test.ipv4_only = True  # type: ignore[attr-defined]
    return test


def _dual_stack_only(test: Callable[..., None]) -> Callable[..., None]:
    """The test needs the Amazon-provided IPv6 blocks: it runs on the dual-stack blueprints."""
    test.dual_stack_only = True  # type: ignore[attr-defined]
    return test


def cases_for(stem: str) -> dict[str, Any]:
    """What the module of shipped blueprint ``stem`` holds: its blueprint, the ``applied``
    fixture and the cases that apply to it, in the order written here (never a skip)."""
    path = next(p for p in SHIPPED if p.stem == stem)
    source = yaml.safe_load(path.read_text())
    dual_stack = bool((source.get("vpc") or {}).get("ipv6"))
    can_add_ipv6 = not dual_stack and "inspection" not in source
    cases: dict[str, Any] = {"SHIPPED_BLUEPRINT": path, "pytestmark": pytestmark,
                             "applied": applied}
    for name, value in globals().items():
        if not (name.startswith("test_") and callable(value)):
            continue
        if getattr(value, "four_tier_only", False) and path != FOUR_TIER:
            continue
        if getattr(value, "ipv4_only", False) and not can_add_ipv6:
            continue
        if getattr(value, "dual_stack_only", False) and not dual_stack:
            continue
        cases[name] = value
    return cases


@pytest.fixture(scope="module")
def applied(request: pytest.FixtureRequest, local_aws: LocalAWS,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Applied]:
    """Render the blueprint, apply it (the code path of ``tierform apply --endpoint``). A
    blueprint with a transit network gets a transit gateway created in the emulator first
    (boto3), passed as the module's input for every terraform run of this blueprint; one
    with an HTTPS/TLS listener a certificate requested from the emulator's ACM (input
    ``certificate_arn``); one with inspection ``firewall_delete_protection = false``, so
    that the destroy test can delete the firewall.
    No destroy in the clean-up: test_destroy_leaves_no_tiered_resource destroys and
    asserts; whatever a failed run leaves goes with the module's emulator reset."""
    path: Path = request.module.SHIPPED_BLUEPRINT
    checked = workflow.check(workflow.load(path))
    workdir = tmp_path_factory.mktemp(f"apply-{path.stem}")
    state = Applied(path, checked, workdir, local_aws.endpoint, {})
    with pytest.MonkeyPatch.context() as env:
        if checked.layout.transit is not None:
            gateway = state.ec2().create_transit_gateway(
                Description=f"{checked.name}: corp side (e2e)")["TransitGateway"]
            env.setenv("TF_VAR_transit_gateway_id", gateway["TransitGatewayId"])
        if any(lb.certificate for lb in checked.layout.load_balancers):
            acm = client("acm", local_aws.endpoint, state.region)
            env.setenv("TF_VAR_certificate_arn", acm.request_certificate(
                DomainName=f"{checked.name}.example.com")["CertificateArn"])
        if checked.layout.inspection is not None:
            env.setenv("TF_VAR_firewall_delete_protection", "false")
        state.outputs = apply_module(workflow.render(checked), name=checked.name,
                                     region=state.region, endpoint=local_aws.endpoint,
                                     workdir=workdir)
        yield state


def _flows(reach: Reachability) -> set[tuple[str, str, str, str]]:
    return {(f.src, f.dst, f.protocol, str(f.ports)) for f in reach.flows}


def test_second_plan_is_empty(applied: Applied) -> None:
    runner = applied.runner()
    assert pending_changes(runner.show(runner.plan())) == [], applied.name


def test_live_network_verifies_clean(applied: Applied) -> None:
    report = workflow.verify_network(applied.checked.loaded, applied.live())
    assert report.ok, f"{applied.name} live:\n{verify_table(report)}"


def test_live_network_has_the_blueprint_layers(applied: Applied) -> None:
    intended, live = applied.checked.network, applied.live()
    assert sorted(live.tiers) == sorted(intended.tiers)
    for tier in intended.tiers:
        assert sorted(str(s.cidr) for s in live.subnets_of(tier)) == sorted(
            str(s.cidr) for s in intended.subnets_of(tier)), tier
        # Defence in depth: each subnet has its tier's own route table and NACL (not the
        # main table, not the default NACL), and the tier its own security group.
        for subnet in live.subnets_of(tier):
            table, nacl = live.route_table_of(subnet.id), live.nacl_of(subnet.id)
            assert table is not None
            assert (table.is_main, table.tier) == (False, tier), subnet.source
            assert nacl is not None
            assert (nacl.is_default, nacl.tier) == (False, tier), subnet.source
        assert [g.tier for g in live.groups_of(tier)] == [tier]
    # The managed defaults hold nothing: main table no routes, default NACL and SG no rules.
    assert [t.routes for t in live.route_tables.values() if t.is_main] == [()]
    assert [n.entries for n in live.nacls.values() if n.is_default] == [()]
    assert [g.rules for g in live.security_groups.values() if g.is_default] == [()]


def test_live_reachability_equals_the_derived(applied: Applied) -> None:
    got = workflow.analyze_network(applied.live())
    want = workflow.analyze_network(applied.checked.network)
    declared = {t: s.exposure for t, s in applied.checked.loaded.blueprint.tiers.items()}
    assert {t: i.exposure for t, i in got.tiers.items()} == declared
    assert _flows(got) == _flows(want)
    assert got.unresolved == []


def test_vpc_is_found_by_its_name_tag(applied: Applied) -> None:
    net = network_from_live(applied.ec2(), tag_filters={"Name": applied.name})
    assert net.vpc_id == applied.outputs["vpc_id"]


def _rewrite(applied: Applied, files: dict[str, str]) -> None:
    """A module rendered into the applied work dir, as apply writes it (state kept)."""
    module = {k: v for k, v in files.items() if not k.startswith("example/")}
    write_module(module, applied.workdir,
                 extra={OFFLINE_PROVIDER_FILE: provider_hcl(applied.endpoint, applied.region)})


def _edited_plan(applied: Applied, data: dict[str, Any], tmp_path: Path
                 ) -> tuple[dict[str, Any], Layout]:
    """Terraform's plan of the edited blueprint over the applied state, and its layout.
    No refresh: test_second_plan_is_empty proved that the state matches the emulator."""
    path = tmp_path / f"{applied.name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    edited = workflow.check(workflow.load(path))
    _rewrite(applied, workflow.render(edited))
    runner = applied.runner()
    out = applied.workdir / "edit.tfplan"
    runner.execute("plan", "-input=false", "-no-color", "-refresh=false", f"-out={out}")
    return runner.show(out), edited.layout


def _source(applied: Applied) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(applied.path.read_text(encoding="utf-8"))
    return data


def _flow_resources(layout: Layout, flow_id: str) -> set[str]:
    """Addresses of the rules that serve ``flow_id`` (a shared group rule: its owner's)."""
    nacl = {f"aws_network_acl_rule.{r.name}" for r in layout.nacl_rules if r.flow == flow_id}
    sg = {f"aws_vpc_security_group_{'egress' if r.egress else 'ingress'}_rule.{r.name}"
          for r in layout.sg_rules if r.flow == flow_id}
    return nacl | sg


def _changes(plan: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    return {c["address"]: tuple(c["change"]["actions"]) for c in plan["resource_changes"]
            if c["change"]["actions"] not in (["no-op"], ["read"])}


@_four_tier_only
def test_editing_a_flows_ports_touches_only_that_flows_rules(applied: Applied,
                                                             tmp_path: Path) -> None:
    """Issue 11: widening a flow's ports plans only that flow's rules."""
    data = _source(applied)
    edit = next(f for f in data["flows"] if (f["from"], f["to"]) == ("web", "app"))
    edit["ports"] = [8443, 9443]
    plan, layout = _edited_plan(applied, data, tmp_path)
    changed = _changes(plan)
    mine = _flow_resources(applied.checked.layout, "web_to_app_tcp") | _flow_resources(
        layout, "web_to_app_tcp")
    assert changed, "the edit must plan something"
    assert set(changed) <= mine, sorted(set(changed) - mine)
    # Widening adds rules for 9443; the 8443 rules and the return legs stay as they are.
    assert set(changed.values()) == {("create",)}, changed
    assert {a.split(".")[0] for a in changed} == {
        "aws_network_acl_rule", "aws_vpc_security_group_ingress_rule",
        "aws_vpc_security_group_egress_rule"}


@_four_tier_only
def test_reordering_flows_plans_nothing(applied: Applied, tmp_path: Path) -> None:
    data = _source(applied)
    data["flows"] = data["flows"][::-1]
    plan, _ = _edited_plan(applied, data, tmp_path)
    assert pending_changes(plan) == []


@_four_tier_only
def test_removing_a_flow_only_deletes_its_rules(applied: Applied, tmp_path: Path) -> None:
    for gone in ("mgmt_to_db_tcp", "corp_to_mgmt_tcp"):
        data = _source(applied)
        data["flows"] = [f for f in data["flows"]
                         if f"{f['from']}_to_{f['to']}_tcp" != gone]
        plan, _ = _edited_plan(applied, data, tmp_path)
        assert pending_changes(plan, allowed=("delete",)) == [], gone
        deleted = set(_changes(plan))
        mine = _flow_resources(applied.checked.layout, gone)
        assert mine <= deleted, sorted(mine - deleted)
        extra = deleted - mine
        if gone == "corp_to_mgmt_tcp":
            # The only flow naming corp: its gateway and routes go too, and nothing else.
            assert extra == {"aws_vpn_gateway.this", *(
                f"aws_route.mgmt_{az}_corp" for az in "abc")}, sorted(extra)
        else:
            assert extra == set(), sorted(extra)
    # The copy in the work dir is edited (the next test renders its own); the source not.
    assert copy.deepcopy(_source(applied)) == _source(applied)
    _rewrite(applied, workflow.render(applied.checked))  # the applied configuration again


def test_upgrade_plans_only_creates(applied: Applied, tmp_path: Path) -> None:
    """DESIGN: appending a flow and a tier never updates, replaces or deletes anything."""
    assert not applied.destroyed  # relies on running before the destroy test, on this apply
    source = yaml.safe_load(applied.path.read_text(encoding="utf-8"))
    path = tmp_path / f"{applied.name}.yaml"
    path.write_text(yaml.safe_dump(grown(source, applied.checked.network), sort_keys=False),
                    encoding="utf-8")
    bigger = workflow.check(workflow.load(path))
    # Same work directory, as apply writes it: terraform.tfstate and .terraform/ are kept.
    files = {k: v for k, v in workflow.render(bigger).items() if not k.startswith("example/")}
    write_module(files, applied.workdir,
                 extra={OFFLINE_PROVIDER_FILE: provider_hcl(applied.endpoint, applied.region)})
    runner = applied.runner()
    out = applied.workdir / "upgrade.tfplan"
    # No refresh: test_second_plan_is_empty proved the state matches AWS; this plan is
    # about what the configuration change does, and skipping the refresh saves a minute.
    runner.execute("plan", "-input=false", "-no-color", "-refresh=false", f"-out={out}")
    plan = runner.show(out)
    assert pending_changes(plan, allowed=("create",)) == [], applied.name
    created = {c["address"] for c in plan["resource_changes"]
               if c["change"]["actions"] == ["create"]}
    cache_subnets = [c for c in plan["resource_changes"] if c["change"]["actions"] == ["create"]
                     and c["type"] == "aws_subnet"
                     and (c["change"]["after"].get("tags") or {}).get("Tier") == "cache"]
    assert len(cache_subnets) == len(bigger.loaded.blueprint.availability_zones), sorted(created)


@_ipv4_only
def test_upgrade_to_dual_stack_creates_and_updates_in_place(applied: Applied) -> None:
    """Adding ``vpc.ipv6: amazon`` to an applied IPv4 network: creates (gateway, routes,
    IPv6 rules) and in-place updates of the VPC (its /56) and each subnet (its /64); no
    replacement, no delete, no IPv4 rule renumbered (plan only; D9)."""
    assert not applied.destroyed
    blueprint = applied.checked.loaded.blueprint
    assert blueprint.vpc.ipv6 is None, f"{applied.name} is dual-stack already"
    source = yaml.safe_load(applied.path.read_text(encoding="utf-8"))
    source["vpc"]["ipv6"] = "amazon"
    path = applied.workdir.parent / f"{applied.name}-dual.yaml"
    path.write_text(yaml.safe_dump(source, sort_keys=False), encoding="utf-8")
    dual = workflow.check(workflow.load(path))
    files = {k: v for k, v in workflow.render(dual).items() if not k.startswith("example/")}
    write_module(files, applied.workdir,
                 extra={OFFLINE_PROVIDER_FILE: provider_hcl(applied.endpoint, applied.region)})
    runner = applied.runner()
    out = applied.workdir / "dual.tfplan"
    runner.execute("plan", "-input=false", "-no-color", "-refresh=false", f"-out={out}")
    plan = runner.show(out)
    updated = {c["address"]: sorted(k for k in set(c["change"]["after"] or {})
                                    if (c["change"]["before"] or {}).get(k)
                                    != (c["change"]["after"] or {}).get(k))
               for c in plan["resource_changes"] if c["change"]["actions"] == ["update"]}
    assert pending_changes(plan, allowed=("create", "update")) == [], applied.name
    subnets = {f"aws_subnet.{s.name}" for s in applied.checked.layout.subnets}
    assert set(updated) == {"aws_vpc.this", *subnets}, sorted(updated)
    assert "assign_generated_ipv6_cidr_block" in updated["aws_vpc.this"]
    for address in subnets:
        assert "assign_ipv6_address_on_creation" in updated[address], updated[address]
    created = {c["address"] for c in plan["resource_changes"]
               if c["change"]["actions"] == ["create"]}
    assert {a for a in created if a.endswith("_default_ipv6")}, sorted(created)
    assert not [a for a in created if a.startswith("aws_network_acl_rule.")
                and a in {f"aws_network_acl_rule.{r.name}"
                          for r in applied.checked.layout.nacl_rules}]


@_dual_stack_only
def test_flow_logs_are_placed_by_the_applied_state(applied: Applied, tmp_path: Path) -> None:
    """Generated records with the apply's real IPv6 /64s and NAT addresses (read from its
    .tfstate): `logs check --state` places every one (only the generator's deliberate
    unmapped records stay unmapped) and finds exactly the injected findings."""
    state = applied.workdir / "terraform.tfstate"
    layout = applied.checked.layout
    built = state_built(state, vpc_cidr=applied.checked.loaded.blueprint.vpc.cidr)
    assert built.nat_addresses, "the apply's NAT gateways"
    assert {b.endpoint for b in built.blocks6} == {None, *(
        s.tier for s in layout.subnets if s.ipv6_index is not None)}
    sample = generate(layout, 4000, seed=16, nat_addresses=built.nat_addresses,
                      blocks6=built.blocks6)
    fl = applied.checked.loaded.blueprint.flow_logs
    fields = tuple(fl.fields) if fl is not None and fl.fields else DEFAULT_FIELDS
    records = write_text(sample, tmp_path / "applied.log.gz", fields)
    assert sum(":" in r.get("srcaddr", "") for r in sample.records) > 100
    done = tierform("logs", "check", str(applied.path), str(records), "--state", str(state),
                    "--format", "json", quiet=True)
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    labels = Counter(sample.labels)
    assert doc["classes"] == {c: labels.get(c, 0) for c in doc["classes"]}
    assert set(doc["unmapped"]) <= {"log-status NODATA", "in the VPC, in no tier subnet"}
    assert {(f["class"], f["client"], f["server"], f["port"]) for f in doc["findings"]} == {
        (c.klass, c.client, c.server, c.port) for c in sample.injected}
    # Record for record: the class each was made to have.
    rules = rules_of(layout, built.nat_addresses, built.blocks6)
    assert classified(classified_records(rules, [records], fields)) == labelled(sample)


def test_destroy_leaves_no_tiered_resource(applied: Applied) -> None:
    applied.runner().destroy()
    applied.destroyed = True
    ec2, vpc_id = applied.ec2(), applied.outputs["vpc_id"]
    assert leftovers(ec2, vpc_id, applied.name) == {}
    assert ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Vpcs"] == []
    # AWS keeps deleted NAT gateways listed for a while, in state "deleted".
    nats = ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    assert {n["State"] for n in nats["NatGateways"]} <= {"deleted"}
