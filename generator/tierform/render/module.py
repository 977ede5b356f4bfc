"""Render a Layout into a Terraform module: relative path -> file content.

A pure function of the ``Layout`` (which carries its blueprint): same input, same bytes.
Every resource comes from ``tierform.layout.plan_layout``, so the HCL and the derived
``Network`` name the same addresses. The templates print what this context holds; the
choices (wording, encodings, the module's interface) are made in Python.
"""

from __future__ import annotations

from typing import Any

from tierform.aws import DEFAULT_EPHEMERAL
from tierform.layout import Layout
from tierform.layout.load_balancer import load_balancer_id
from tierform.layout.model import INTERNET_RULES
from tierform.ports import PortSet
from tierform.render.diagram import diagram_of_layout, mermaid
from tierform.render.environment import environment
from tierform.render.filters import hcl_identifier, hcl_string
from tierform.render.flow_logs import flow_log_of
from tierform.render.hclfmt import align_equals, tidy
from tierform.render.inspection import endpoint_expression, inspection_context
from tierform.render.interface import outputs_of, variables_of
from tierform.render.load_balancer import OFFLINE_CERTIFICATE, load_balancer_views
from tierform.render.monitoring import monitoring_context
from tierform.render.native_tests import (
    TEST_FILE,
    TEST_REQUIRED_VERSION,
    native_asserts,
    offline_provider_lines,
)
from tierform.render.routes import default_route_text, route_tables_of

__all__ = ["MODULE_FILES", "endpoint_policy", "render_context", "render_module"]

MODULE_FILES = (
    "versions.tf",
    "variables.tf",
    "vpc.tf",
    "subnets.tf",
    "routes.tf",
    "prefix_lists.tf",
    "nat.tf",
    "nacls.tf",
    "security_groups.tf",
    "endpoints.tf",
    "load_balancer.tf",
    "transit.tf",
    "inspection.tf",
    "flow_logs.tf",
    "monitoring.tf",
    "outputs.tf",
    "README.md",
    "example/main.tf",
    TEST_FILE,
)


def render_context(layout: Layout) -> dict[str, Any]:
    """Everything the templates read: the layout and what Python decided from it."""
    bp = layout.blueprint
    return {
        "bp": bp,
        "layout": layout,
        "module_name": hcl_identifier(bp.name),
        "blueprint_tags": sorted(bp.tags.items()),
        "variables": variables_of(layout),
        "outputs": outputs_of(layout),
        "flow_log": flow_log_of(layout),
        "monitoring": monitoring_context(layout),
        "route_tables": route_tables_of(layout),
        "inspection": inspection_context(layout),
        "firewall_endpoint": endpoint_expression,
        "default_routes": {tier: default_route_text(layout, tier) for tier in layout.tiers},
        "ephemeral_ports": str(PortSet.range(*DEFAULT_EPHEMERAL)),
        "internet_rules": INTERNET_RULES,
        "ipv4_only_tiers": [t for t in layout.tiers
                            if all(s.ipv6_index is None for s in layout.subnets_of(t))],
        "diagram": mermaid(diagram_of_layout(layout)),
        "native_asserts": native_asserts(layout),
        "offline_provider": offline_provider_lines(bp.region),
        "test_required_version": ".".join(map(str, TEST_REQUIRED_VERSION)),
        "test_file": TEST_FILE,
        "endpoint_policies": {e.service: endpoint_policy(layout) for e in
                              layout.interface_endpoints if e.policy},
        "internet_reasons": {flow.flow_id: flow.internet_reason for flow in bp.flows
                             if flow.internet_reason is not None},
        "load_balancers": load_balancer_views(layout),
        "certificate_needed": any(lb.certificate for lb in layout.load_balancers),
        "offline_certificate": OFFLINE_CERTIFICATE,
        "lb_reasons": {load_balancer_id(lb.tier): f"the load balancer of tier {lb.tier} "
                       "listens on this port for the internet (its listeners)."
                       for lb in layout.load_balancers},
    }


def endpoint_policy(layout: Layout) -> str:
    """The interface endpoints' policy as an HCL object (for ``jsonencode``): any action,
    only where every condition ``interface_endpoints.policy`` sets holds."""
    spec = layout.blueprint.interface_endpoints
    policy = spec.policy if spec is not None else None
    conditions = []
    if policy is not None and policy.source_vpc:
        conditions.append('"aws:SourceVpc" = aws_vpc.this.id')
    if policy is not None and policy.principal_org_id is not None:
        conditions.append(f'"aws:PrincipalOrgID" = {hcl_string(policy.principal_org_id)}')
    condition = (f", Condition = {{ StringEquals = {{ {', '.join(conditions)} }} }}"
                 if conditions else "")
    return ('{ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = "*", '
            f'Action = "*", Resource = "*"{condition} }}] }}')


def render_module(layout: Layout) -> dict[str, str]:
    """Relative path -> content (UTF-8 text, LF endings, ``terraform fmt`` clean)."""
    env = environment()
    context = render_context(layout)
    files: dict[str, str] = {}
    for path in MODULE_FILES:
        text = env.get_template(path + ".j2").render(context)
        if path.endswith((".tf", ".hcl")):
            text = align_equals(text)
        text = tidy(text)
        if path.endswith(".tf") and not text.strip():
            continue
        files[path] = text
    return dict(sorted(files.items()))
