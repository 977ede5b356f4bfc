"""`logs check --live` against a real emulator: the NAT gateway's private address and the
Amazon-provided IPv6 blocks come from DescribeNatGateways, DescribeVpcs and
DescribeSubnets of the VPC tagged with the blueprint's name, and place the records."""

from __future__ import annotations

import json
import urllib.request
from ipaddress import IPv4Address, IPv4Network, IPv6Network
from pathlib import Path
from typing import Any

import pytest

from cli_support import failed, tierform
from tierform import workflow
from tierform.localaws import LocalAWS, client
from tierform.logs.athena import VIEW, athena_sql, ddl, report_query, view_sql
from tierform.logs.check import AGGREGATE_COLUMNS, check_sources
from tierform.logs.intent import rules_of
from tierform.logs.report import summarize
from tierform.logs.rules import Block6
from tierform.logs.synthetic import generate, write_text

pytestmark = pytest.mark.e2e

REGION = "us-east-1"
ROOT = Path(__file__).resolve().parents[2]
BP = ROOT / "blueprints" / "dual-stack.yaml"


def _tags(resource: str, **tags: str) -> list[dict[str, Any]]:
    return [{"ResourceType": resource,
             "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


def test_live_read_places_nat_and_ipv6_records(local_aws: LocalAWS, tmp_path: Path) -> None:
    ec2 = client("ec2", local_aws.endpoint, REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True,
                         TagSpecifications=_tags("vpc", Name="dual-stack"))["Vpc"]
    described = ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"][0]
    block56 = IPv6Network(described["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"])
    sixes = list(block56.subnets(new_prefix=64))
    subnets = {}
    for n, (tier, cidr) in enumerate((("web", "10.0.1.0/24"), ("app", "10.0.11.0/24"))):
        subnets[tier] = ec2.create_subnet(
            VpcId=vpc["VpcId"], CidrBlock=cidr, Ipv6CidrBlock=str(sixes[n + 1]),
            AvailabilityZone="us-east-1a",
            TagSpecifications=_tags("subnet", Name=f"dual-stack-{tier}", Tier=tier))["Subnet"]
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnets["web"]["SubnetId"], AllocationId=eip)
    private = nat["NatGateway"]["NatGatewayAddresses"][0]["PrivateIp"]
    web6, app6 = (str(sixes[i][0x10]) for i in (1, 2))
    fields = workflow.load(BP).blueprint.flow_logs.fields  # type: ignore[union-attr]
    rows = [("198.51.100.7", "10.0.1.10", 50000, 443, "ACCEPT"),   # intended
            ("10.0.11.20", private, 43000, 443, "ACCEPT"),         # app -> its NAT
            (private, "203.0.113.9", 43000, 443, "ACCEPT"),        # NAT -> internet
            ("2001:db8:1::7", web6, 50001, 443, "ACCEPT"),         # intended, IPv6
            (app6, "2606:4700::1111", 43001, 443, "ACCEPT"),       # egress-only, IPv6
            ("2001:db8::5", app6, 44000, 8080, "ACCEPT")]          # finding, IPv6
    lines = [" ".join(fields)]
    for n, (src, dst, sport, dport, action) in enumerate(rows):
        values = {"srcaddr": src, "dstaddr": dst, "srcport": sport, "dstport": dport,
                  "protocol": 6, "packets": 3, "bytes": 300, "start": 1000 + n,
                  "end": 1060 + n, "action": action, "log-status": "OK"}
        lines.append(" ".join(str(values.get(f, "-")) for f in fields))
    records = tmp_path / "live.log"
    records.write_text("\n".join(lines) + "\n")

    done = tierform("logs", "check", str(BP), str(records), "--live", "--endpoint",
                    local_aws.endpoint, "--format", "json", quiet=True)
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    assert doc["classes"] == {"intended_accept": 5, "unintended_accept": 1,
                              "rejected_intended": 0, "expected_reject": 0, "unmapped": 0}
    assert not any("--live" in n for n in doc["notes"])
    # `logs athena --live`: the same read feeds the same rules into the SQL.
    sql = tierform("logs", "athena", str(BP), "--account", "123456789012", "--bucket", "b",
                   "--live", "--endpoint", local_aws.endpoint, quiet=True)
    assert sql.returncode == 0, sql.stderr
    laid = workflow.check(workflow.load(BP)).layout
    read = rules_of(laid, [IPv4Address(private)], [
        Block6(block56, None), Block6(sixes[1], "web"), Block6(sixes[2], "app")])
    assert view_sql(read, fields) in sql.stdout
    assert view_sql(rules_of(laid), fields) not in sql.stdout
    # Without the live read every IPv6 record is unmapped, and the NAT's address is only an
    # address of the web tier's subnet: AWS (and the emulator, motoserver.py) gives a NAT
    # gateway one of its own subnet's addresses, so both of its legs are placed as web's.
    done = tierform("logs", "check", str(BP), str(records), "--format", "json", quiet=True)
    unmapped = json.loads(done.stdout)["unmapped"]
    assert unmapped.pop("IPv6, the VPC's IPv6 blocks not known (give --state or --live)") == 3
    assert IPv4Address(private) in IPv4Network(subnets["web"]["CidrBlock"]), private
    assert unmapped == {}
    # A VPC the read cannot find is said so, exit 2.
    failed(tierform("logs", "check", str(BP), str(records), "--live", "--endpoint",
                    local_aws.endpoint, "--vpc-id", "vpc-00000000000000000", quiet=True), 2,
           "describe_vpcs")
    failed(tierform("logs", "check", str(BP), str(records), "--live", "--endpoint",
                    local_aws.endpoint, "--region", "eu-west-1", quiet=True), 2,
           "no VPC tagged Name=dual-stack")


def test_athena_run_sends_the_recipe_and_prints_athena_s_report(local_aws: LocalAWS,
                                                                tmp_path: Path) -> None:
    """`logs athena --run`: the table DDL, the classified view and the report query go to
    Athena in that order (StartQueryExecution, awaited), and the report query's result
    rows (GetQueryResults) are printed as `logs check` prints its own.

    The emulator's Athena evaluates no SQL: it answers with canned results. So this
    proves the call sequence, the statements sent and the reading of the result pages
    (here the local check's rows, queued as Athena would return them). The emulator hands
    queued results to executions in the order they start: the report printed from the
    third proves the report query ran last and its rows were the ones read. That Athena's
    answer equals the local one is proved on DuckDB (tests/unit/logs/test_check.py)."""
    checked = workflow.check(workflow.load(BP))
    rules = rules_of(checked.layout)
    fields = checked.loaded.blueprint.flow_logs.fields  # type: ignore[union-attr]
    sample = generate(checked.layout, 600, seed=4)
    records = write_text(sample, tmp_path / "sample.log.gz", fields)
    local_rows = check_sources(rules, [records], fields).rows
    header = {"Data": [{"VarCharValue": c} for c in AGGREGATE_COLUMNS]}
    body = [{"Data": [{} if r[c] is None else {"VarCharValue": str(r[c])}
                      for c in AGGREGATE_COLUMNS]} for r in local_rows]
    canned = {"account_id": "123456789012", "region": REGION, "results": [
        {"rows": []}, {"rows": []}, {"rows": [header, *body]}]}
    request = urllib.request.Request(f"{local_aws.endpoint}/moto-api/static/athena/"
                                     "query-results", data=json.dumps(canned).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 201
    done = tierform("logs", "athena", str(BP), "--account", "123456789012", "--bucket",
                    "flow-logs", "--run", "--output-location", "s3://athena-results/q/",
                    "--endpoint", local_aws.endpoint, "--format", "json", quiet=True)
    assert done.returncode == (1 if sample.injected else 0), done.stderr
    assert json.loads(done.stdout) == json.loads(json.dumps(summarize(local_rows)))
    athena = client("athena", local_aws.endpoint, REGION)
    ids = athena.list_query_executions()["QueryExecutionIds"]
    sent = [athena.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]
    recipe = athena_sql(rules, fields, bucket="flow-logs", account="123456789012",
                        region=REGION)
    assert sorted(q["Query"] for q in sent) == sorted([
        ddl(fields, bucket="flow-logs", account="123456789012", region=REGION),
        f"CREATE OR REPLACE VIEW {VIEW} AS\n{view_sql(rules, fields)}", report_query()])
    assert all(q["Query"] in recipe for q in sent)
    # Athena (and the emulator) name the result file under the location given.
    assert all(q["ResultConfiguration"]["OutputLocation"].startswith("s3://athena-results/q/")
               for q in sent)
    # No output location: said so before anything is sent, exit 2.
    failed(tierform("logs", "athena", str(BP), "--account", "123456789012", "--bucket", "b",
                    "--run", "--endpoint", local_aws.endpoint, quiet=True), 2,
           "--output-location s3://")
    assert len(athena.list_query_executions()["QueryExecutionIds"]) == len(ids)
