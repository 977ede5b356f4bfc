"""Semantic checks: the valid shapes stay valid, each rule fires with its code, all at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tierform.blueprint.checks import FLOW_LOG_FIELDS, RETENTION_DAYS, check_blueprint
from tierform.blueprint.load import SourceMap, load_blueprint_text
from tierform.blueprint.model import Blueprint
from tierform.errors import BlueprintError, Finding

THREE_TIER = (Path(__file__).parent / "corpus_valid" / "three-tier.yaml").read_text("utf-8")


def _codes(text: str) -> list[str]:
    with pytest.raises(BlueprintError) as caught:
        load_blueprint_text(text, "t.yaml")
    return [finding.code for finding in caught.value.findings]


def _ok(text: str) -> None:
    load_blueprint_text(text, "t.yaml")


def test_check_blueprint_api_returns_findings_without_raising() -> None:
    bp = Blueprint.model_validate({
        "tierform": 1, "name": "x", "region": "us-east-1", "vpc": {"cidr": "10.0.0.0/16"},
        "availability_zones": ["us-east-1a", "us-east-1a"],
        "tiers": {"db": {"exposure": "isolated", "netmask": 24}},
        "flows": [{"from": "db", "to": "internet", "ports": [443]}],
    })
    findings = check_blueprint(bp, SourceMap(), "mem.yaml")
    assert all(isinstance(f, Finding) for f in findings)
    assert sorted(f.code for f in findings) == ["az-duplicate", "flow-isolated-egress"]
    assert {(f.file, f.line, f.column) for f in findings} == {("mem.yaml", 1, 1)}


def test_allowed_shapes_are_accepted() -> None:
    extra_flows = (
        "  - {from: app, to: app, ports: all}\n"              # a tier to itself
        "  - {from: web, to: app, protocol: icmp}\n"           # no ports with icmp
        "  - {from: web, to: app, protocol: all, ports: all}\n"
        "  - {from: app, to: db, protocol: udp, ports: [0, 65535, '1024-2048', ' 53 ']}\n"
        "  - {from: app, to: db, ports: [5432], id: app_to_pg}\n"  # same pair: an id
        "  - {from: web, to: corp, ports: [22]}\n"             # to a named network
    )
    text = THREE_TIER.replace("  - {from: corp, to: app, ports: [22]}\n",
                              "  - {from: corp, to: app, ports: [22]}\n" + extra_flows)
    text = text.replace("retention_days: 365", "retention_days: 0")
    _ok(text)


def test_every_problem_is_reported_at_once() -> None:
    text = THREE_TIER.replace("us-east-1b]", "us-east-1a]")
    text = text.replace("corp: 192.168.0.0/16", "corp: 10.0.0.0/8")
    text = text.replace("{from: internet, to: web", "{from: internet, to: db")
    text = text.replace("retention_days: 365", "retention_days: 366")
    text = text.replace("instance-id]", "instanceid]")
    assert _codes(text) == [
        "az-duplicate", "network-overlaps-vpc", "flow-internet-inbound",
        "flow-logs-retention", "flow-log-field",
    ]


def test_nat_rules() -> None:
    no_nat = THREE_TIER.replace("nat: per_az", "nat: none")
    assert _codes(no_nat) == ["flow-needs-nat"]
    _ok(no_nat.replace("  - {from: app, to: internet, ports: [443]}\n", ""))
    no_public = THREE_TIER.replace("web: {exposure: public,", "web: {exposure: private,")
    assert _codes(no_public) == ["nat-without-public", "flow-internet-inbound"]


def test_explicit_tier_after_netmask_tier_must_avoid_its_block() -> None:
    text = THREE_TIER.replace(
        "  db:  {exposure: isolated, netmask: 24}\n",
        "  db:  {exposure: isolated, netmask: 24}\n"
        "  ops: {exposure: isolated, cidrs: [10.0.7.0/24, 10.0.40.0/24]}\n",
    )
    assert _codes(text) == ["cidr-overlap"]  # 10.0.7.0/24 is slot 3 of db's 10.0.4.0/22
    _ok(text.replace("10.0.7.0/24", "10.0.8.0/24"))


def test_flow_log_rules() -> None:
    s3 = THREE_TIER.replace("destination: cloudwatch",
                            "destination: s3\n  bucket_arn: arn:aws:s3:::logs-bucket/prefix")
    _ok(s3)
    _ok(THREE_TIER.replace("destination: cloudwatch", "destination: s3"))
    assert _codes(THREE_TIER.replace(
        "destination: cloudwatch",
        "destination: cloudwatch\n  bucket_arn: arn:aws:s3:::logs-bucket",
    )) == ["flow-logs-bucket-arn"]
    assert _codes(THREE_TIER.replace("srcport, dstport", "srcport, srcport")) == [
        "flow-log-field-duplicate"]
    fields = "[" + ", ".join(sorted(FLOW_LOG_FIELDS)) + "]"
    _ok(THREE_TIER.replace(
        "[srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes, start,\n"
        "           end, action, log-status, subnet-id, instance-id]", fields))


def test_known_aws_values() -> None:
    assert {"pkt-src-aws-service", "flow-direction", "traffic-path", "ecs-task-id",
            "az-id", "tcp-flags", "log-status"} <= FLOW_LOG_FIELDS
    assert {"windowstart", "windowend", "flowlogstatus"}.isdisjoint(FLOW_LOG_FIELDS)
    assert {0, 1, 365, 400, 3653} <= RETENTION_DAYS
    assert 366 not in RETENTION_DAYS


def test_local_zone_names_are_in_the_region() -> None:
    _ok(THREE_TIER.replace("[us-east-1a, us-east-1b]", "[us-east-1a, us-east-1-bos-1a]"))
    assert _codes(THREE_TIER.replace("us-east-1b]", "use1-az2]")) == ["az-region"]


def test_duplicate_flows_need_identical_ports() -> None:
    text = THREE_TIER.replace("{from: internet, to: web, ports: [80, 443]}",
                              "{from: internet, to: web, ports: [80, 443]}\n"
                              "  - {from: internet, to: web, ports: [443, 80]}")
    assert _codes(text) == ["flow-duplicate"]
    # Other ports: another flow, which needs an identity of its own.
    assert _codes(text.replace("ports: [443, 80]", "ports: [443, 8443]")) == \
        ["flow-id-required"]
    _ok(text.replace("ports: [443, 80]}", "ports: [443, 8443], id: alt-https}"))


def test_flow_ids_are_unique_and_well_formed() -> None:
    """A flow's rules are numbered and named by its id (tierform.layout), so two flows
    must never share one: explicit ids, derived ones (from, to, protocol), or a mix."""
    extra = "  - {from: internet, to: web, ports: [8443], id: %s}\n"
    anchor = "  - {from: corp, to: app, ports: [22]}\n"
    assert _codes(THREE_TIER.replace(anchor, anchor + extra % "Bad_Id")) == ["flow-id-invalid"]
    assert _codes(THREE_TIER.replace(anchor, anchor + extra % ("x" * 65))) == \
        ["flow-id-invalid"]
    _ok(THREE_TIER.replace(anchor, anchor + extra % ("x" * 64)))
    two = THREE_TIER.replace(anchor, anchor + extra % "alt" + extra.replace("8443", "8444")
                             % "alt")
    assert _codes(two) == ["flow-id-duplicate"]
    # An explicit id equal to another flow's derived one: that other flow is told.
    taken = THREE_TIER.replace(anchor, extra % "corp_to_app_tcp" + anchor)
    with pytest.raises(BlueprintError) as caught:
        load_blueprint_text(taken, "t.yaml")
    [finding] = caught.value.findings
    assert finding.code == "flow-id-required"
    assert "'corp_to_app_tcp'" in finding.message
    assert "the id flows[" in finding.message
    # The finding points at the flow that has no id, with an id to give it.
    derived = THREE_TIER.replace(anchor, anchor + "  - {from: corp, to: app, ports: [2222]}\n")
    with pytest.raises(BlueprintError) as caught:
        load_blueprint_text(derived, "t.yaml")
    [finding] = caught.value.findings
    assert finding.code == "flow-id-required"
    assert "{from: corp, to: app, ports: [2222]}" in derived.splitlines()[finding.line - 1]
    assert "id: corp_to_app_tcp_2" in finding.hint
    # Protocols differ: derived ids differ, no id needed.
    _ok(THREE_TIER.replace(anchor, anchor + "  - {from: corp, to: app, protocol: udp}\n"))


def test_endpoint_and_tag_rules() -> None:
    assert _codes(THREE_TIER.replace("[s3, dynamodb]", "[s3, s3]")) == ["endpoint-duplicate"]
    long_value = "v" * 257
    assert _codes(THREE_TIER.replace("Environment: Production",
                                     f"Environment: {long_value}")) == ["tag-invalid"]


# --------------------------------------------------------------------------- AWS tag rules


def _tags(tags: str, flow_logs: str = "destination: cloudwatch") -> str:
    text = THREE_TIER.replace("tags: {Environment: Production}", f"tags: {tags}")
    return text.replace("destination: cloudwatch", flow_logs)


def test_tag_characters_where_iam_cloudwatch_or_s3_carry_the_tags() -> None:
    assert _codes(_tags("{'cost#center': x}")) == ["tag-characters"]
    assert _codes(_tags("{Owner: 'a,b'}")) == ["tag-characters"]
    assert _codes(_tags("{Owner: '😀'}", "destination: s3")) == ["tag-characters"]
    # Letters of any script, digits, spaces (any separator) and _ . : / = + - @ are fine.
    _ok(_tags("{'Cost Center': 'Zürich 東京 ١٢ a_b.c:d/e=f+g-h@i', 'a\u00a0b': ''}"))
    # EC2 resources alone accept any character: without flow logs (or into an existing
    # bucket, where only the flow log itself carries them) the tags are not restricted.
    text = _tags("{'cost#center': '<x>'}")
    without_logs = text[:text.index("flow_logs:")] + text[text.index("tags:"):]
    assert "cost#center" in without_logs
    _ok(without_logs)
    _ok(_tags("{'cost#center': '<x>'}",
              "destination: s3\n  bucket_arn: arn:aws:s3:::logs-bucket"))


def test_tag_keys_equal_but_for_case_where_iam_carries_them() -> None:
    assert _codes(_tags("{Environment: a, environment: b}")) == ["tag-case"]
    assert _codes(_tags("{name: x}")) == ["tag-case"]  # the role also carries Name
    _ok(_tags("{Environment: a, environment: b}", "destination: s3"))


def test_at_most_50_tags_with_name_and_tier() -> None:
    many = ", ".join(f"k{i}: v" for i in range(48))
    _ok(_tags("{" + many + "}"))
    assert _codes(_tags("{" + many + ", k48: v}")) == ["tag-count"]
    # Name and Tier given by the blueprint are the same tags (Tierform's values win).
    _ok(_tags("{" + ", ".join(f"k{i}: v" for i in range(47)) + ", Name: n, Tier: t}"))


def test_derived_bucket_name_avoids_s3_reserved_prefixes() -> None:
    for prefix in ("xn--", "sthree-", "amzn-s3-demo-"):
        text = _tags("{}", "destination: s3").replace("name: three-tier", f"name: {prefix}net")
        assert _codes(text) == ["bucket-name"], prefix
        # Into an existing bucket, or to CloudWatch, no bucket is named after the module.
        _ok(text.replace("destination: s3", "destination: s3\n  bucket_arn: "
                                            "arn:aws:s3:::logs-bucket"))
        _ok(text.replace("destination: s3", "destination: cloudwatch"))
    # Upper case cannot reach a bucket name: the module name is lower case.
    assert _codes(_tags("{}", "destination: s3").replace("name: three-tier",
                                                         "name: Three")) == ["bad-name"]


def test_a_misspelt_flow_end_is_one_finding_not_also_an_unused_vpn() -> None:
    """Found by hypothesis (test_load.py): `from: crop` also reported corp's VPN unused."""
    text = (Path(__file__).parent / "corpus" / "vpn-unused.yaml").read_text("utf-8")
    used = text.replace("{from: lab, to: mgmt", "{from: corp, to: mgmt")
    _ok(used)
    assert _codes(used.replace("{from: corp, to: mgmt", "{from: crop, to: mgmt")) == [
        "flow-unknown-endpoint"]
    assert _codes(text) == ["vpn-unused"]
