"""Blueprint -> Layout: every resource name, rule number and route, and every quota check.

``plan_layout`` (plan.py) is a pure function of the blueprint and its subnet allocation;
rule numbers come from flow ids (numbering.py), names are injective (names.py);
``check_layout`` refuses what AWS or Terraform would (quotas.py counts what will be
rendered, names.py finds addresses two resources would share); ``network_of``
(network.py) turns the layout into the intended ``Network`` that the analyzer can check.
"""

from __future__ import annotations

from tierform.blueprint.checks import Locator
from tierform.blueprint.model import Blueprint
from tierform.errors import Finding
from tierform.layout.model import Layout
from tierform.layout.monitoring import check_monitoring, monitoring_warnings
from tierform.layout.names import check_names
from tierform.layout.network import derive, network_of
from tierform.layout.plan import plan_layout
from tierform.layout.quotas import Unlocated, check_quotas

__all__ = ["Layout", "check_layout", "check_names", "check_quotas", "derive",
           "monitoring_warnings", "network_of", "plan_layout"]


def check_layout(bp: Blueprint, layout: Layout, source_map: Locator | None = None,
                 file: str = "<blueprint>") -> list[Finding]:
    """What only the layout can tell: names two resources would share, then AWS quotas
    (the alarms' metric filters among them)."""
    return [*check_names(bp, layout, source_map, file),
            *check_quotas(bp, layout, source_map, file),
            *check_monitoring(bp, layout, source_map or Unlocated(), file)]
