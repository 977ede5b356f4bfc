"""Interface endpoints from flows to ``aws:<service>``: checks, layout, stability, analyzer.

The blueprint says only who talks to which service; the endpoint, its group, the clients'
egress and the ACL legs are derived. The analyzer must answer about ``aws:<service>``
(reachable through routes, both ACLs, the client's egress and the endpoint's ingress),
never let an endpoint open connections, and say "unknown" where the endpoint's address
decides the answer.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from cli_support import tierform
from tierform import workflow
from tierform.analyze import analyze, query
from tierform.blueprint.allocate import allocate
from tierform.blueprint.load import load_blueprint_text
from tierform.errors import BlueprintError
from tierform.layout import derive, plan_layout
from tierform.network.model import NaclEntry
from tierform.render.module import render_module

BASE = {
    "tierform": 1, "name": "svc", "region": "us-east-1", "vpc": {"cidr": "10.0.0.0/16"},
    "availability_zones": ["us-east-1a", "us-east-1b"],
    "tiers": {"web": {"exposure": "public", "netmask": 24},
              "app": {"exposure": "private", "netmask": 24},
              "db": {"exposure": "isolated", "netmask": 24},
              "vpce": {"exposure": "isolated", "netmask": 28}},
    "nat": "single",
    "interface_endpoints": {"tier": "vpce"},
    "flows": [{"from": "internet", "to": "web", "ports": [443]},
              {"from": "web", "to": "app", "ports": [8080]},
              {"from": "app", "to": "db", "ports": [5432]},
              {"from": "db", "to": "aws:ssm", "ports": [443]},
              {"from": "db", "to": "aws:kms", "ports": [443]}],
}


def _text(**changes: object) -> str:
    document = {**BASE, **changes}
    return yaml.safe_dump({k: v for k, v in document.items() if v is not None},
                          sort_keys=False)


def _load(**changes: object):  # type: ignore[no-untyped-def]
    return load_blueprint_text(_text(**changes), "svc.yaml")


def _codes(**changes: object) -> list[str]:
    with pytest.raises(BlueprintError) as caught:
        _load(**changes)
    return sorted(f.code for f in caught.value.findings)


# ------------------------------------------------------------------------------ checks

def test_service_flows_validate() -> None:
    _load()


@pytest.mark.parametrize(("flow", "code"), [
    ({"from": "db", "to": "aws:sms", "ports": [443]}, "flow-unknown-endpoint"),
    ({"from": "aws:ssm", "to": "db", "ports": [443]}, "flow-from-service"),
    ({"from": "internet", "to": "aws:ssm", "ports": [443]}, "flow-service-source"),
    ({"from": "db", "to": "aws:ssm", "protocol": "udp", "ports": [443]},
     "flow-service-protocol"),
    ({"from": "db", "to": "aws:ssm", "ports": [80, 443], "id": "db_ssm_wide"},
     "flow-service-ports"),
])
def test_bad_service_flows_are_refused(flow: dict[str, object], code: str) -> None:
    assert code in _codes(flows=[*BASE["flows"], flow])  # type: ignore[list-item]


def test_service_flow_needs_an_endpoint_tier() -> None:
    assert _codes(interface_endpoints=None) == ["flow-service-needs-tier",
                                                "flow-service-needs-tier"]
    assert _codes(interface_endpoints={"tier": "vpc"}) == ["interface-endpoints-tier"]


def test_private_dns_shadowing_a_nat_path_is_an_error() -> None:
    flows = [*BASE["flows"], {"from": "app", "to": "internet", "ports": [443]}]  # type: ignore[list-item]
    with pytest.raises(BlueprintError) as caught:
        _load(flows=flows)
    (finding,) = caught.value.findings
    assert finding.code == "endpoint-dns-shadow"
    assert finding.path == ("flows", 5)
    assert "aws:kms, aws:ssm" in finding.message
    assert "'app'" in finding.hint
    # Naming the services for app (it then uses the endpoints) resolves it.
    _load(flows=[*flows, {"from": "app", "to": "aws:ssm", "ports": [443]},
                 {"from": "app", "to": "aws:kms", "ports": [443]}])
    # Internet flows that do not carry HTTPS lose nothing.
    _load(flows=[*BASE["flows"], {"from": "app", "to": "internet", "ports": [80]}])  # type: ignore[list-item]


def test_a_tier_named_like_an_endpoint_group_is_refused() -> None:
    tiers = {**BASE["tiers"], "vpce_ssm": {"exposure": "isolated", "netmask": 24}}  # type: ignore[dict-item]
    loaded = _load(tiers=tiers)
    with pytest.raises(BlueprintError) as caught:
        workflow.check(loaded)
    assert "aws_security_group.vpce_ssm" in str(caught.value)


# ------------------------------------------------------------------------------ layout

def test_layout_derives_endpoint_group_egress_and_acl_legs() -> None:
    loaded = _load()
    layout = plan_layout(loaded.blueprint, loaded.allocation)
    assert [(e.service, e.name, e.tier, e.subnets, e.group, e.clients)
            for e in layout.interface_endpoints] == [
        ("kms", "kms", "vpce", ("vpce_a", "vpce_b"), "vpce_kms", ("db",)),
        ("ssm", "ssm", "vpce", ("vpce_a", "vpce_b"), "vpce_ssm", ("db",))]
    groups = {(r.tier, r.egress, r.protocol, r.from_port, r.to_port, r.peer_tier, r.cidr)
              for r in layout.sg_rules if "vpce" in r.name}
    assert groups == {
        ("db", True, "tcp", 443, 443, "vpce_kms", None),
        ("db", True, "tcp", 443, 443, "vpce_ssm", None),
        ("vpce_kms", False, "tcp", 443, 443, "db", None),
        ("vpce_ssm", False, "tcp", 443, 443, "db", None)}
    vpce_block = str(next(r.network for r in allocate(loaded.blueprint).reservations
                          if r.tier == "vpce"))
    acl = {(r.tier, r.egress, r.from_port, r.to_port, r.cidr, r.leg)
           for r in layout.nacl_rules if r.flow == "db_to_aws:ssm_tcp"}
    db_block = "10.0.8.0/22"
    assert acl == {("db", True, 443, 443, vpce_block, "forward"),
                   ("db", False, 1024, 65535, vpce_block, "return"),
                   ("vpce", False, 443, 443, db_block, "forward"),
                   ("vpce", True, 1024, 65535, db_block, "return")}
    files = render_module(layout)
    assert 'vpc_endpoint_type   = "Interface"' in files["endpoints.tf"]
    assert "private_dns_enabled = true" in files["endpoints.tf"]
    assert "policy" not in files["endpoints.tf"]


def test_policy_conditions_are_rendered() -> None:
    loaded = _load(interface_endpoints={"tier": "vpce", "policy": {
        "source_vpc": True, "principal_org_id": "o-abcdefghij"}})
    text = render_module(plan_layout(loaded.blueprint, loaded.allocation))["endpoints.tf"]
    assert '"aws:SourceVpc" = aws_vpc.this.id' in text
    assert '"aws:PrincipalOrgID" = "o-abcdefghij"' in text


def test_endpoint_flows_are_stable_on_reorder_and_growth() -> None:
    one = _load()
    flows = list(reversed(BASE["flows"]))  # type: ignore[arg-type]
    two = _load(flows=flows)
    def hcl(loaded):  # type: ignore[no-untyped-def]
        # The README lists the flows as written; the Terraform files do not move.
        return {k: v for k, v in render_module(plan_layout(loaded.blueprint,
                                                           loaded.allocation)).items()
                if k.endswith(".tf")}

    assert hcl(one) == hcl(two)
    grown = _load(flows=[*BASE["flows"], {"from": "app", "to": "aws:sts", "ports": [443]}])  # type: ignore[list-item]
    before = plan_layout(one.blueprint, one.allocation)
    after = plan_layout(grown.blueprint, grown.allocation)
    assert set(before.nacl_rules) <= set(after.nacl_rules)
    assert set(before.sg_rules) <= set(after.sg_rules)
    assert set(before.interface_endpoints) <= set(after.interface_endpoints)


# ------------------------------------------------------------------------------ analyzer

def _network(**changes: object):  # type: ignore[no-untyped-def]
    loaded = _load(**changes)
    return loaded, derive(loaded.blueprint, loaded.allocation)


def test_matrix_names_services_and_endpoints_never_send() -> None:
    _, net = _network()
    result = analyze(net)
    flows = {(f.src, f.dst, f.protocol): str(f.ports) for f in result.flows}
    assert flows[("db", "aws:ssm", "tcp")] == "443"
    assert flows[("db", "aws:kms", "tcp")] == "443"
    assert not [k for k in flows if k[0].startswith("aws:")]
    assert not [k for k in flows if k[1].startswith("aws:") and k[0] != "db"]
    assert {"aws:kms", "aws:ssm"} <= set(result.endpoints)
    assert query(net, "db", "aws:ssm", "tcp", 443).verdict == "reachable"
    assert query(net, "app", "aws:ssm", "tcp", 443).verdict == "blocked"


def test_each_layer_blocks_the_endpoint_flow() -> None:
    _, net = _network()
    endpoint = net.security_groups["aws_security_group.vpce_ssm"]
    no_ingress = replace(net, security_groups={**net.security_groups,
                                               endpoint.id: replace(endpoint, rules=())})
    blocked = query(no_ingress, "db", "aws:ssm", "tcp", 443)
    assert blocked.verdict == "blocked"
    assert any(leg.layer == "security_groups" and "vpce_ssm" in leg.resource
               for leg in blocked.blocking)
    acl = net.nacls["aws_network_acl.vpce"]
    shut = replace(net, nacls={**net.nacls, acl.id: replace(acl, entries=tuple(
        e for e in acl.entries if not (not e.egress and e.from_port == 443)))})
    result = query(shut, "db", "aws:ssm", "tcp", 443)
    assert result.verdict == "blocked"
    assert any(leg.layer == "nacls" for leg in result.blocking)


def test_verify_is_clean_and_finds_a_missing_endpoint_flow() -> None:
    loaded, net = _network()
    report = workflow.verify_network(loaded, net)
    assert report.ok, [f.message for f in report.findings]
    endpoint = net.interface_endpoints["aws_vpc_endpoint.ssm"]
    gone = replace(net, interface_endpoints={
        endpoint.id: replace(endpoint, security_group_ids=("aws_security_group.web",)),
        "aws_vpc_endpoint.kms": net.interface_endpoints["aws_vpc_endpoint.kms"]})
    broken = workflow.verify_network(loaded, gone)
    assert any(f.kind == "broken" and f.dst == "aws:ssm" for f in broken.findings)


def test_endpoint_in_a_split_subnet_is_unknown_not_blocked() -> None:
    _, net = _network()
    acl = net.nacls["aws_network_acl.vpce"]
    # A rule that treats half of vpce_a differently: where AWS puts the interface decides.
    split = replace(acl, entries=(NaclEntry(1, False, "6", "deny", "10.0.12.0/29", 443, 443),
                                  *acl.entries))
    odd = replace(net, nacls={**net.nacls, acl.id: split})
    result = query(odd, "db", "aws:ssm", "tcp", 443)
    assert result.verdict == "unknown"
    assert any("address AWS gives" in r for r in result.reasons)
    assert any(u.dst == "aws:ssm" for u in analyze(odd).unknown)


# ------------------------------------------------------------------------------ CLI

def test_cli_reach_queries_and_diagram_name_the_service(tmp_path: Path) -> None:
    path = tmp_path / "svc.yaml"
    path.write_text(_text(), encoding="utf-8")
    ok = tierform("reach", str(path), "--from", "db", "--to", "aws:ssm", "--port", "443",
                  cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "db -> aws:ssm tcp 443: reachable" in ok.stdout
    no = tierform("reach", str(path), "--from", "web", "--to", "aws:ssm", "--port", "443",
                  cwd=tmp_path)
    assert no.returncode == 1, no.stderr
    assert "vpce__ssm" not in no.stdout or "BLOCKED" in no.stdout
    matrix = tierform("reach", str(path), cwd=tmp_path)
    assert matrix.returncode == 0, matrix.stderr
    assert "aws:ssm" in matrix.stdout.splitlines()[6]  # the matrix header
    diagram = tierform("diagram", str(path), cwd=tmp_path)
    assert '  n_aws_3a_ssm(["aws:ssm<br/>AWS service (interface endpoint)"])' in diagram.stdout


def _dual_stack(net, address_type):  # type: ignore[no-untyped-def]
    """The derived network with an IPv6 block on every subnet, ACLs admitting all IPv6,
    and the endpoints' ``ip_address_type`` set to ``address_type``."""
    subnets = {key: replace(s, ipv6_cidr=f"2600:1f18:aa:{index:x}::/64")
               for index, (key, s) in enumerate(net.subnets.items())}
    nacls = {key: replace(acl, entries=(*acl.entries, *(
        NaclEntry(32000, egress, "-1", "allow", "::/0") for egress in (False, True))))
        for key, acl in net.nacls.items()}
    endpoints = {key: replace(e, ip_address_type=address_type)
                 for key, e in net.interface_endpoints.items()}
    return replace(net, subnets=subnets, nacls=nacls, interface_endpoints=endpoints,
                   vpc_ipv6_cidrs=("2600:1f18:aa::/56",))


def test_an_ipv4_endpoint_is_not_reachable_over_ipv6_and_unread_is_unknown() -> None:
    _, net = _network()
    v4 = analyze(_dual_stack(net, "ipv4"))
    assert [(f.src, f.dst, f.family) for f in v4.flows if f.dst == "aws:ssm"] == [
        ("db", "aws:ssm", "ipv4")]
    assert not [u for u in v4.unknown if "aws:" in u.dst + u.src]
    no_v6 = query(_dual_stack(net, "ipv4"), "db", "aws:ssm", "tcp", 443, family="ipv6")
    assert no_v6.verdict == "blocked"
    assert any("no IPv6 address" in leg.detail for leg in no_v6.legs)
    assert not any(leg.layer != "routes" for leg in no_v6.blocking)  # no rule is named

    unread = _dual_stack(net, None)
    result = analyze(unread)
    assert ("db", "aws:ssm", "ipv4") in {(f.src, f.dst, f.family) for f in result.flows}
    doubt = [u for u in result.unknown if u.dst == "aws:ssm"]
    assert doubt
    assert {u.family for u in doubt} == {"ipv6"}
    assert all(any("ip_address_type" in r for r in u.reasons) for u in doubt)
    asked = query(unread, "db", "aws:ssm", "tcp", 443, family="ipv6")
    assert asked.verdict == "unknown"
    assert query(unread, "db", "aws:ssm", "tcp", 443).verdict == "reachable"  # IPv4


def test_a_dual_stack_endpoint_is_judged_over_ipv6_by_the_same_layers() -> None:
    _, net = _network()
    dual = _dual_stack(net, "dualstack")
    result = analyze(dual)
    v6 = {(f.src, f.dst, f.protocol): str(f.ports) for f in result.flows
          if f.family == "ipv6" and f.dst.startswith("aws:")}
    assert v6.get(("db", "aws:ssm", "tcp")) == "443"
    assert not [k for k in v6 if k[0] != "db"]
    assert query(dual, "db", "aws:ssm", "tcp", 443, family="ipv6").verdict == "reachable"
    assert query(dual, "app", "aws:ssm", "tcp", 443, family="ipv6").verdict == "blocked"
    six = _dual_stack(net, "ipv6")  # an IPv6-only endpoint has no IPv4 address
    assert query(six, "db", "aws:ssm", "tcp", 443).verdict == "blocked"
    assert query(six, "db", "aws:ssm", "tcp", 443, family="ipv6").verdict == "reachable"
