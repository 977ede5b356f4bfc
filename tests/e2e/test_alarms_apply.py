"""The alarms on the emulator: tests/plan/fixtures/alarms.yaml applied to the moto
server, read back with boto3: every compiled metric filter on the flow-log group with its
pattern (the NAT gateways' real addresses in place), the two alarms on the summed
metrics notifying the created topic, the topic under its own KMS key. The saved Logs
Insights queries are plan-only (moto has no PutQueryDefinition): applied with
``alarm_queries = false`` and checked in tests/plan/test_alarms_plan.py. moto stores
patterns but never evaluates them: tests/unit/logs/test_alarm_patterns.py does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tierform import workflow
from tierform.apply import apply_module
from tierform.layout.monitoring import BROKEN, UNINTENDED, monitoring_of, pattern_text
from tierform.localaws import LocalAWS, client

pytestmark = [pytest.mark.e2e, pytest.mark.terraform]

BLUEPRINT = Path(__file__).resolve().parents[1] / "plan" / "fixtures" / "alarms.yaml"


@pytest.fixture(scope="module")
def applied(local_aws: LocalAWS, tmp_path_factory: pytest.TempPathFactory
            ) -> tuple[workflow.Checked, dict[str, Any]]:
    """The fixture applied; no destroy after (the module's emulator reset, conftest.py)."""
    checked = workflow.check(workflow.load(BLUEPRINT))
    workdir = tmp_path_factory.mktemp("apply-alarms")
    files = {k: v for k, v in workflow.render(checked).items() if not k.startswith("example/")}
    files["emulator.auto.tfvars"] = "alarm_queries = false\n"
    outputs = apply_module(files, name=checked.name, region=checked.region,
                           endpoint=local_aws.endpoint, workdir=workdir)
    return checked, outputs


def _clients(local_aws: LocalAWS, region: str) -> tuple[Any, Any, Any, Any, Any]:
    return tuple(client(name, local_aws.endpoint, region)  # type: ignore[return-value]
                 for name in ("logs", "cloudwatch", "sns", "ec2", "kms"))


def test_every_compiled_filter_is_on_the_flow_log_group(applied: Any,
                                                        local_aws: LocalAWS) -> None:
    checked, _ = applied
    logs, _, _, ec2, _ = _clients(local_aws, checked.region)
    group = next(g["logGroupName"] for g in logs.describe_log_groups(
        logGroupNamePrefix="/aws/vpc-flow-logs/alarms-")["logGroups"])
    found = {}
    for page in logs.get_paginator("describe_metric_filters").paginate(logGroupName=group):
        for f in page["metricFilters"]:
            found[f["filterName"]] = f
    plan = monitoring_of(checked.layout)
    assert plan is not None
    # NAT gateways by the subnet they sit in (the layout names a gateway after it).
    nats = {}
    for gateway in ec2.describe_nat_gateways()["NatGateways"]:
        tags = {t["Key"]: t["Value"] for t in gateway.get("Tags", [])}
        nats[tags["Name"]] = gateway["NatGatewayAddresses"][0]["PrivateIp"]
    by_name = {n.name: f"alarms-nat-{n.tier}-{n.suffix}" for n in checked.layout.nats}
    assert sorted(found) == sorted(f"alarms-{f.key}" for f in plan.filters)
    for f in plan.filters:
        got = found[f"alarms-{f.key}"]
        assert got["filterPattern"] == pattern_text(f, plan.fields,
                                                    lambda n: nats[by_name[n]])
        transform = got["metricTransformations"][0]
        assert (transform["metricName"], transform["metricNamespace"],
                transform["metricValue"]) == (f.metric, "Tierform/alarms", "1")


def test_two_alarms_notify_the_topic_encrypted_with_its_own_key(applied: Any,
                                                                local_aws: LocalAWS) -> None:
    checked, _ = applied
    _, cloudwatch, sns, _, kms = _clients(local_aws, checked.region)
    alarms = {a["AlarmName"]: a for a in cloudwatch.describe_alarms(
        AlarmNamePrefix="alarms-")["MetricAlarms"]}
    assert sorted(alarms) == ["alarms-broken-flows", "alarms-unintended-accepts"]
    topics = [t["TopicArn"] for t in sns.list_topics()["Topics"]
              if ":alarms-layer-alarms-" in t["TopicArn"]]
    assert len(topics) == 1
    for name, metric in (("alarms-broken-flows", BROKEN),
                         ("alarms-unintended-accepts", UNINTENDED)):
        alarm = alarms[name]
        assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"],
                alarm["Period"], alarm["Threshold"]) == \
            ("Tierform/alarms", metric, "Sum", 300, 1.0)
        assert alarm["AlarmActions"] == topics
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    attributes = sns.get_topic_attributes(TopicArn=topics[0])["Attributes"]
    key = kms.describe_key(KeyId=attributes["KmsMasterKeyId"])["KeyMetadata"]
    assert key["KeyState"] == "Enabled"
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"]
    assert "cloudwatch.amazonaws.com" in attributes["Policy"]
