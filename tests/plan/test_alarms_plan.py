"""The alarms block through a real terraform plan: one metric filter per compiled
pattern on the flow-log group (the patterns as ``tierform.layout.monitoring`` writes
them, NAT addresses known after apply), two alarms on the summed metrics to the topic,
the topic encrypted with its own rotating key, the saved queries; with an existing topic
ARN, no topic and no key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tierform.blueprint.load import load_blueprint
from tierform.layout import plan_layout
from tierform.layout.monitoring import BROKEN, UNINTENDED, monitoring_of, pattern_text
from tierform.render.module import render_module
from tierform.terraform import plan_files
from tierform.terraform.plan import UNKNOWN, Plan

pytestmark = pytest.mark.terraform

BLUEPRINT = Path(__file__).resolve().parent / "fixtures" / "alarms.yaml"
TOPIC = "arn:aws:sns:us-east-1:123456789012:ops-alarms"


def _plan(cache: Path, terraform: str | None, *, existing: bool) -> tuple[Plan, object]:
    loaded = load_blueprint(BLUEPRINT)
    bp = loaded.blueprint
    if existing:
        assert bp.monitoring is not None
        assert bp.monitoring.alarms is not None
        alarms = bp.monitoring.alarms.model_copy(update={"create_topic": False,
                                                          "sns_topic_arn": TOPIC})
        bp = bp.model_copy(update={"monitoring": bp.monitoring.model_copy(
            update={"alarms": alarms})})
    layout = plan_layout(bp, loaded.allocation)
    return plan_files(render_module(layout), region="us-east-1", cache_dir=cache,
                      terraform=terraform), layout


@pytest.fixture(scope="module")
def created(tierform_cache_dir: Path, tierform_terraform: str | None) -> tuple[Plan, object]:
    return _plan(tierform_cache_dir, tierform_terraform, existing=False)


def test_one_filter_per_compiled_pattern_on_the_flow_log_group(created: tuple[Plan, object]
                                                               ) -> None:
    planned, layout = created
    plan = monitoring_of(layout)  # type: ignore[arg-type]
    assert plan is not None
    filters = {r.index: r for r in planned.resources("aws_cloudwatch_log_metric_filter")}
    assert sorted(filters) == sorted(f.key for f in plan.filters)
    for f in plan.filters:
        resource = filters[f.key]
        assert resource["name"] == f"alarms-{f.key}"
        assert resource["metric_transformation"][0]["name"] == f.metric
        assert resource["metric_transformation"][0]["namespace"] == "Tierform/alarms"
        assert resource["metric_transformation"][0]["value"] == "1"
        assert planned.references(resource.address, "log_group_name") == \
            ["aws_cloudwatch_log_group.flow_logs"]
        if f.src.excluded or f.dst.excluded:
            assert resource["pattern"] is UNKNOWN  # the NAT gateway's address
        else:
            assert resource["pattern"] == pattern_text(f, plan.fields, str)
    assert {f.metric for f in plan.filters} == {BROKEN, UNINTENDED}


def test_two_alarms_on_the_summed_metrics_notify_the_encrypted_topic(
        created: tuple[Plan, object]) -> None:
    planned, _ = created
    for name, metric in (("broken_flows", BROKEN), ("unintended_accepts", UNINTENDED)):
        alarm = planned.resource(f"aws_cloudwatch_metric_alarm.{name}")
        alarm.assert_matches({
            "namespace": "Tierform/alarms", "metric_name": metric, "statistic": "Sum",
            "period": 300, "threshold": 1, "evaluation_periods": 1,
            "comparison_operator": "GreaterThanOrEqualToThreshold",
            "treat_missing_data": "notBreaching", "actions_enabled": True})
        assert planned.references(alarm.address, "alarm_actions") == ["aws_sns_topic.alarms"]
    assert planned.references("aws_sns_topic.alarms", "kms_master_key_id") == \
        ["aws_kms_key.alarms"]
    planned.resource("aws_kms_key.alarms").assert_matches({"enable_key_rotation": True})
    assert planned.references("aws_sns_topic_policy.alarms", "arn") == ["aws_sns_topic.alarms"]


def test_saved_queries_test_the_exact_cidrs(created: tuple[Plan, object]) -> None:
    planned, _ = created
    broken = planned.resource("aws_cloudwatch_query_definition.broken_flows[0]")
    unintended = planned.resource("aws_cloudwatch_query_definition.unintended_accepts[0]")
    text = broken["query_string"]
    for cidr in ("10.0.1.0/24", "10.0.12.0/24", "10.0.22.0/24"):
        assert f'isIpv4InSubnet(dstaddr, "{cidr}")' in text
    assert text.startswith('parse @message "* * * * * * * * * * * * *" as srcaddr, dstaddr')
    assert unintended["query_string"] is UNKNOWN  # excludes the NAT gateways' addresses
    assert planned.references(broken.address, "log_group_names") == \
        ["aws_cloudwatch_log_group.flow_logs"]


def test_an_existing_topic_arn_is_notified_and_nothing_is_created(
        tierform_cache_dir: Path, tierform_terraform: str | None) -> None:
    planned, _ = _plan(tierform_cache_dir, tierform_terraform, existing=True)
    assert not planned.resources("aws_sns_topic")
    assert not planned.resources("aws_kms_key")
    for name in ("broken_flows", "unintended_accepts"):
        assert planned.resource(f"aws_cloudwatch_metric_alarm.{name}")["alarm_actions"] == \
            [TOPIC]
