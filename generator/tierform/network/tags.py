"""Tags of a resource, read one way by the plan, state and live readers and the typed Plan.

Terraform resources carry ``tags`` (set on the resource) and ``tags_all`` (those plus
the provider's ``default_tags``; the resource's own value wins on a shared key). What
AWS holds is ``tags_all``, so a known ``tags_all`` value wins; ``tags`` fills in the
keys ``tags_all`` does not show (unknown at plan time, or a hand-written fixture
without it). AWS describe calls give a ``Tags`` list of ``{"Key", "Value"}`` instead.
Values that are not strings (unknown, null) are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["TIER_TAG", "resource_tags", "tag"]

TIER_TAG = "Tier"
"""The tag that names a resource's tier, unless a reader is told another (``--tier-tag``)."""


def _known(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str)}


def resource_tags(values: Mapping[str, Any]) -> dict[str, str]:
    """Known tags of Terraform values (``tags_all`` over ``tags``) or an AWS item (``Tags``)."""
    aws = values.get("Tags")
    if isinstance(aws, list):
        return {str(t["Key"]): str(t.get("Value", "")) for t in aws
                if isinstance(t, Mapping) and "Key" in t}
    return {**_known(values.get("tags")), **_known(values.get("tags_all"))}


def tag(values: Mapping[str, Any], key: str) -> str | None:
    """One known tag value, or None."""
    return resource_tags(values).get(key)
