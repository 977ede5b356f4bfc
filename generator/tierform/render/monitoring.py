"""The alarm resources' HCL values (``templates/monitoring.tf.j2``): each metric filter's
pattern and each saved query as an HCL string, with the NAT gateways' addresses
interpolated (they are known after apply only)."""

from __future__ import annotations

from dataclasses import dataclass

from tierform.layout import Layout
from tierform.layout.monitoring import (
    BROKEN,
    UNINTENDED,
    MonitoringPlan,
    insights_query,
    monitoring_of,
    pattern_text,
)
from tierform.render.filters import hcl_string

__all__ = ["FilterText", "MonitoringContext", "monitoring_context"]

_SENTINEL = "\x00nat:"


@dataclass(frozen=True)
class FilterText:
    key: str
    metric: str
    pattern: str
    """HCL string expression."""
    about: str


@dataclass(frozen=True)
class MonitoringContext:
    plan: MonitoringPlan
    filters: tuple[FilterText, ...]
    broken_query: str
    unintended_query: str
    broken: str
    unintended: str


def _hcl(text: str) -> str:
    """``text`` as an HCL string, its NAT placeholders as interpolations."""
    quoted = hcl_string(text)
    # hcl_string writes the placeholder's NUL as \u0000; put the interpolation there.
    marker = "\\u0000nat:"
    while marker in quoted:
        start = quoted.index(marker)
        end = quoted.index("\\u0000", start + len(marker))
        name = quoted[start + len(marker):end]
        quoted = (quoted[:start] + "${aws_nat_gateway." + name + ".private_ip}"
                  + quoted[end + len("\\u0000"):])
    return quoted


def _nat(name: str) -> str:
    return f"{_SENTINEL}{name}\x00"


def monitoring_context(layout: Layout) -> MonitoringContext | None:
    """What the alarm template prints, or None when the blueprint asks for no alarms."""
    plan = monitoring_of(layout)
    if plan is None:
        return None
    filters = tuple(FilterText(f.key, f.metric, _hcl(pattern_text(f, plan.fields, _nat)),
                               f.about) for f in plan.filters)
    return MonitoringContext(plan, filters, _hcl(insights_query(plan, BROKEN, _nat)),
                             _hcl(insights_query(plan, UNINTENDED, _nat)), BROKEN,
                             UNINTENDED)
