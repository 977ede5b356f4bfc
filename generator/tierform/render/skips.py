"""Checkov skips the renderer writes, each with the honest reason it applies.

Only three kinds of findings are expected on purpose: a blueprint flow that opens a
well-known port to the internet, NACL return legs (stateless, so replies on the
ephemeral ports 1024-65535 must be admitted from the peer, which for the internet is
0.0.0.0/0), and the all-traffic *deny* rules that keep the VPC and named networks out
of the internet rules (CKV_AWS_352 ignores ``rule_action``). Security group rules whose
peer is another tier's group are not open to 0.0.0.0/0 at all; checkov reports them as
if they were (it does not follow ``referenced_security_group_id``).

A flow from the internet that opens SSH, RDP, FTP or every port must carry an
``internet_reason`` (``tierform.blueprint.checks``): its skips give that reason, the
user's, not one of ours.
"""

from __future__ import annotations

from collections.abc import Mapping

from tierform.aws import ANYWHERE, ANYWHERE_V6
from tierform.layout.model import NaclRulePlan, SgRulePlan

__all__ = ["nacl_skips", "sg_skips"]

# check id -> port it is about
_SG_PORT_CHECKS = {"CKV_AWS_24": 22, "CKV_AWS_25": 3389, "CKV_AWS_260": 80}
_NACL_PORT_CHECKS = {"CKV_AWS_229": 21, "CKV_AWS_230": 20, "CKV_AWS_231": 3389,
                     "CKV_AWS_232": 22}


def _covers(low: int | None, high: int | None, port: int) -> bool:
    if low is None or high is None:  # protocol -1: every port
        return True
    return low <= port <= high


_NO_REASONS: Mapping[str, str] = {}


def _on_purpose(flow: str | None, reasons: Mapping[str, str]) -> str:
    """The reason of an internet rule: the flow's ``internet_reason`` when it has one."""
    given = reasons.get(flow) if flow is not None else None
    if given is not None:
        return f"Flow {flow}: {given.strip()}"
    return f"Flow {flow} opens this port to the internet on purpose."


def sg_skips(rule: SgRulePlan, reasons: Mapping[str, str] = _NO_REASONS) -> list[str]:
    """``#checkov:skip=...`` comment lines for one security group rule; ``reasons``: flow
    id -> its ``internet_reason``."""
    if rule.egress or rule.protocol == "icmp":
        return []
    if rule.peer_tier is not None:
        reason = (f"Peer is the {rule.peer_tier} tier's security group, not 0.0.0.0/0 "
                  f"(flow {rule.flow}).")
    elif rule.cidr in (ANYWHERE, ANYWHERE_V6):
        reason = _on_purpose(rule.flow, reasons)
    else:
        return []
    return [f"#checkov:skip={check}:{reason}" for check, port in _SG_PORT_CHECKS.items()
            if _covers(rule.from_port, rule.to_port, port)]


def nacl_skips(rule: NaclRulePlan, reasons: Mapping[str, str] = _NO_REASONS) -> list[str]:
    """``#checkov:skip=...`` comment lines for one NACL rule (ingress from anywhere, and
    the all-traffic denies that head the internet range)."""
    if rule.action == "deny":
        # CKV_AWS_352 flags any all-ports ingress rule without reading rule_action.
        return [] if rule.egress else [
            "#checkov:skip=CKV_AWS_352:This rule denies all traffic from the VPC or a named "
            "network (rule_action = deny); checkov does not read rule_action."]
    if rule.egress or rule.cidr not in (ANYWHERE, ANYWHERE_V6) or rule.protocol == "icmp":
        return []
    if rule.leg == "return":
        reason = (f"Return leg of flow {rule.flow}: a stateless ACL must admit replies "
                  "on ephemeral ports from the internet; the tier's security group admits no "
                  "inbound connections on them.")
    else:
        reason = _on_purpose(rule.flow, reasons)
    checks = [f"#checkov:skip={check}:{reason}" for check, port in _NACL_PORT_CHECKS.items()
              if _covers(rule.from_port, rule.to_port, port) or rule.protocol == "-1"]
    if rule.protocol == "-1" or (rule.from_port, rule.to_port) == (0, 65535):
        checks.append(f"#checkov:skip=CKV_AWS_352:{reason}")
    return checks
