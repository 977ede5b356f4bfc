"""Blueprint format: schema (pydantic), YAML loading with line/column, semantic checks."""

from __future__ import annotations

from tierform.blueprint.model import Blueprint, FlowLogsSpec, FlowSpec, Limits, TierSpec, VpcSpec

__all__ = ["Blueprint", "FlowLogsSpec", "FlowSpec", "Limits", "TierSpec", "VpcSpec"]
