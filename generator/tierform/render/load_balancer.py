"""What ``load_balancer.tf`` prints for each load balancer: the choices made in Python.

Checkov asks of an internet-facing load balancer things that are the application's, not
the network's (a WAF web ACL, HTTP-to-HTTPS redirects) or that this module cannot own
(deletion protection would stop ``destroy``; access logs need a bucket whose policy admits
the ELB service): each skip says which and why, as ``tierform.render.skips`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

from tierform.layout import Layout
from tierform.layout.load_balancer import CERTIFICATE_VARIABLE
from tierform.layout.model import LoadBalancerPlan, SgRulePlan

__all__ = ["OFFLINE_CERTIFICATE", "SSL_POLICY", "ListenerView", "LoadBalancerView",
           "load_balancer_views"]

SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
"""TLS 1.2 and 1.3 only (AWS's recommended policy; checkov CKV_AWS_103)."""

OFFLINE_CERTIFICATE = ("arn:aws:acm:us-east-1:123456789012:certificate/"
                       "00000000-0000-0000-0000-000000000000")
"""Any well-formed ARN: what offline plans (native tests, plan tests) pass; nothing is
applied with it."""


@dataclass(frozen=True)
class ListenerView:
    name: str
    port: int
    protocol: str
    ssl_policy: str | None
    certificate: str | None
    """The expression of the certificate ARN (``var.certificate_arn``), or None."""
    skips: tuple[str, ...]


@dataclass(frozen=True)
class LoadBalancerView:
    plan: LoadBalancerPlan
    skips: tuple[str, ...]
    listeners: tuple[ListenerView, ...]
    rules: tuple[SgRulePlan, ...]
    """The rules of the LB's own group (ingress from the internet, egress to the target)."""
    health_protocol: str


def _skip(check: str, reason: str) -> str:
    return f"#checkov:skip={check}:{reason}"


def _lb_skips(lb: LoadBalancerPlan) -> tuple[str, ...]:
    skips = [_skip("CKV_AWS_150", "Deletion protection is left to the caller: the module "
                   "must be destroyable as a whole (set it on the deployed LB if wanted).")]
    if lb.access_logs_bucket is None:
        skips.append(_skip("CKV_AWS_91", "The blueprint names no access_logs_bucket: access "
                           "logs need an existing bucket whose policy admits the ELB "
                           "service; the VPC flow logs record the LB's connections."))
    if lb.type == "application":
        skips.append(_skip("CKV2_AWS_28", "A WAF web ACL holds application rules: the caller "
                           "associates one with this ALB (aws_wafv2_web_acl_association)."))
        skips.append(_skip("CKV2_AWS_76", "A WAF web ACL (and its Log4j rule set) is the "
                           "caller's, associated with this ALB."))
    return tuple(skips)


def _listener(lb: LoadBalancerPlan, port: int, protocol: str) -> ListenerView:
    secure = protocol in ("HTTPS", "TLS")
    skips: tuple[str, ...] = ()
    if protocol == "HTTP":
        skips = (_skip("CKV_AWS_2", f"The blueprint lists an HTTP listener on {port} for "
                       f"the load balancer of tier {lb.tier}."),
                 _skip("CKV_AWS_103", "An HTTP listener has no TLS policy."),
                 _skip("CKV2_AWS_20", f"The blueprint lists an HTTP listener on {port}; a "
                       "redirect to HTTPS is the application's choice."))
    elif protocol == "TCP":
        skips = (_skip("CKV_AWS_2", f"The blueprint lists a TCP listener on {port} for the "
                       f"network load balancer of tier {lb.tier}."),
                 _skip("CKV_AWS_103", "A TCP listener has no TLS policy."))
    return ListenerView(f"{lb.name}_{port}", port, protocol, SSL_POLICY if secure else None,
                        f"var.{CERTIFICATE_VARIABLE}" if secure else None, skips)


def load_balancer_views(layout: Layout) -> tuple[LoadBalancerView, ...]:
    """One view per load balancer, in the layout's order."""
    views = []
    for lb in layout.load_balancers:
        health = lb.target_protocol
        if lb.type == "network":
            health = "TCP"  # an NLB checks a TLS target by a TCP handshake
        views.append(LoadBalancerView(
            lb, _lb_skips(lb),
            tuple(_listener(lb, port, protocol) for port, protocol in lb.listeners),
            tuple(r for r in layout.sg_rules if r.tier == lb.group), health))
    return tuple(views)
