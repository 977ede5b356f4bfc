"""Read the Network Firewalls of some VPCs live (R15): ListFirewalls, DescribeFirewall,
DescribeFirewallPolicy, DescribeRuleGroup -> the model's firewalls, policies and groups.

The API's documents are turned into Terraform's names and read by the one reader of rule
groups (``network/firewall_rules.py``), so plan, state and live read a rule alike. What a
call refuses (access denied, a policy deleted meanwhile) is left out: the analyzer then
answers unknown for what it would decide, never blocked.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from tierform.network.firewall_rules import policy_variables, rule_group
from tierform.network.model import Firewall, FirewallPolicy, FirewallRuleGroup

__all__ = ["LiveFirewalls", "read_firewalls"]

LiveFirewalls = tuple[dict[str, Firewall], dict[str, FirewallPolicy],
                      dict[str, FirewallRuleGroup]]


def _call(client: Any, operation: str, **kwargs: Any) -> Mapping[str, Any] | None:
    # botocore is a dependency of boto3 only where the live reader runs.
    from botocore.exceptions import BotoCoreError, ClientError
    try:
        answer: Mapping[str, Any] = getattr(client, operation)(**kwargs)
    except (ClientError, BotoCoreError):
        return None
    return answer


def _firewall_arns(client: Any, vpc_ids: Collection[str]) -> list[str]:
    arns: list[str] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"VpcIds": sorted(vpc_ids)}
        if token:
            kwargs["NextToken"] = token
        page = _call(client, "list_firewalls", **kwargs)
        if page is None:
            return arns
        arns += [str(f["FirewallArn"]) for f in page.get("Firewalls") or [] if
                 f.get("FirewallArn")]
        token = page.get("NextToken")
        if not token:
            return arns


def _terraform_group(answer: Mapping[str, Any]) -> dict[str, Any]:
    """DescribeRuleGroup's document in ``aws_networkfirewall_rule_group``'s names."""
    group = answer.get("RuleGroup") or {}
    source = group.get("RulesSource") or {}
    listing = source.get("RulesSourceList")
    rules = [{"action": r.get("Action", ""),
              "header": [{"protocol": h.get("Protocol", ""), "source": h.get("Source", ""),
                          "source_port": h.get("SourcePort", ""),
                          "direction": h.get("Direction", ""),
                          "destination": h.get("Destination", ""),
                          "destination_port": h.get("DestinationPort", "")}
                         for h in [r.get("Header") or {}]],
              "rule_option": [{"keyword": o.get("Keyword", ""), "settings": o.get("Settings")}
                              for o in r.get("RuleOptions") or []]}
             for r in source.get("StatefulRules") or []]
    ip_sets = (group.get("RuleVariables") or {}).get("IPSets") or {}
    return {
        "type": (answer.get("RuleGroupResponse") or {}).get("Type", ""),
        "rule_group": [{
            "rules_source": [{
                "rules_string": source.get("RulesString"),
                "rules_source_list": [{"generated_rules_type": listing.get(
                    "GeneratedRulesType"), "targets": listing.get("Targets"),
                    "target_types": listing.get("TargetTypes")}] if listing else [],
                "stateful_rule": rules,
                "stateless_rules_and_custom_actions": [
                    source["StatelessRulesAndCustomActions"]]
                if source.get("StatelessRulesAndCustomActions") else [],
            }],
            "rule_variables": [{"ip_sets": [
                {"key": name, "ip_set": [{"definition": (value or {}).get("Definition")}]}
                for name, value in sorted(ip_sets.items())]}],
            "stateful_rule_options": [{"rule_order": (group.get("StatefulRuleOptions") or {})
                                       .get("RuleOrder")}],
        }],
    }


def _policy(arn: str, answer: Mapping[str, Any]) -> FirewallPolicy:
    body = answer.get("FirewallPolicy") or {}

    def groups(name: str) -> tuple[str, ...]:
        refs = sorted(body.get(name) or [], key=lambda r: int(r.get("Priority") or 0))
        return tuple(str(r["ResourceArn"]) for r in refs if r.get("ResourceArn"))

    name = (answer.get("FirewallPolicyResponse") or {}).get("FirewallPolicyName")
    return FirewallPolicy(
        arn, tuple(body.get("StatelessDefaultActions") or ("aws:forward_to_sfe",)),
        tuple(body.get("StatelessFragmentDefaultActions") or ("aws:forward_to_sfe",)),
        groups("StatelessRuleGroupReferences"), groups("StatefulRuleGroupReferences"),
        tuple(body.get("StatefulDefaultActions") or ()),
        (body.get("StatefulEngineOptions") or {}).get("RuleOrder") == "STRICT_ORDER",
        f"{arn} ({name})" if name else arn,
        policy_variables({"rule_variables": [
            {"key": key, "ip_set": [{"definition": (value or {}).get("Definition")}]}
            for key, value in sorted(((body.get("PolicyVariables") or {}).get("RuleVariables")
                                      or {}).items())]}))


def read_firewalls(client: Any, vpc_ids: Collection[str]) -> LiveFirewalls:
    """The firewalls of ``vpc_ids`` with their endpoints per AZ (``SyncStates``), and the
    policies and rule groups they use, keyed by ARN (a firewall by its ARN too)."""
    firewalls: dict[str, Firewall] = {}
    policies: dict[str, FirewallPolicy] = {}
    groups: dict[str, FirewallRuleGroup] = {}
    for arn in _firewall_arns(client, vpc_ids):
        answer = _call(client, "describe_firewall", FirewallArn=arn)
        if answer is None:
            continue
        raw = answer.get("Firewall") or {}
        states = (answer.get("FirewallStatus") or {}).get("SyncStates") or {}
        endpoints = tuple(sorted((str(az), str((s.get("Attachment") or {})["EndpointId"]))
                                 for az, s in states.items()
                                 if (s.get("Attachment") or {}).get("EndpointId")))
        subnets = tuple(sorted((str(az), str((s.get("Attachment") or {})["SubnetId"]))
                               for az, s in states.items()
                               if (s.get("Attachment") or {}).get("SubnetId")))
        policy = str(raw.get("FirewallPolicyArn") or "") or None
        name = raw.get("FirewallName")
        summary = (answer.get("FirewallStatus") or {}).get("ConfigurationSyncStateSummary")
        if policy is not None and summary not in (None, "IN_SYNC"):
            # The endpoints still enforce an earlier revision of the policy: not read.
            firewalls[arn] = Firewall(
                arn, subnets, endpoints, f"{policy} as the firewall still enforces it "
                f"(its configuration is {summary}, not IN_SYNC)",
                f"{arn} ({name})" if name else arn, str(raw.get("VpcId") or "") or None)
            continue
        firewalls[arn] = Firewall(arn, subnets, endpoints, policy,
                                  f"{arn} ({name})" if name else arn,
                                  str(raw.get("VpcId") or "") or None)
        if policy is None or policy in policies:
            continue
        described = _call(client, "describe_firewall_policy", FirewallPolicyArn=policy)
        if described is None:
            continue
        policies[policy] = _policy(policy, described)
        for group_arn in (*policies[policy].stateful_groups,
                          *policies[policy].stateless_groups):
            if group_arn in groups:
                continue
            got = _call(client, "describe_rule_group", RuleGroupArn=group_arn)
            if got is not None:
                groups[group_arn] = rule_group(group_arn, _terraform_group(got), group_arn)
    return firewalls, policies, groups
