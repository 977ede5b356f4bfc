"""Blueprint -> Layout: every resource name, rule number and route, and every quota check.

``plan_layout`` (plan.py) is a pure function of the blueprint and its subnet allocation;
``check_quotas`` (quotas.py) counts what will be rendered; ``network_of`` (network.py)
turns the layout into the intended ``Network`` that the analyzer can check.
"""

from __future__ import annotations

from tierform.layout.model import Layout
from tierform.layout.network import derive, network_of
from tierform.layout.plan import plan_layout
from tierform.layout.quotas import check_quotas

__all__ = ["Layout", "check_quotas", "derive", "network_of", "plan_layout"]
