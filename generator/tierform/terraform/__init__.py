"""Terraform for tierform: a runner, a typed plan and a plan cache keyed by content."""

from __future__ import annotations

from tierform.terraform.cache import clear, plan_files, plan_module
from tierform.terraform.cliconfig import offline_provider_hcl
from tierform.terraform.plan import UNKNOWN, Plan, PlannedResource
from tierform.terraform.runner import COUNTERS, Runner, TerraformVersion

__all__ = [
    "COUNTERS",
    "UNKNOWN",
    "Plan",
    "PlannedResource",
    "Runner",
    "TerraformVersion",
    "clear",
    "offline_provider_hcl",
    "plan_files",
    "plan_module",
]
