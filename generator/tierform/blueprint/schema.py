"""JSON Schema of blueprint format 1, for editors and CI linters (``tierform schema``).

Generated from the pydantic models, so it cannot drift from what the loader accepts;
it describes shape (plus port syntax); cross-field rules (overlaps, flows, quotas) are
only in ``tierform.blueprint.checks``.
"""

from __future__ import annotations

from typing import Any

from tierform.blueprint.model import Blueprint
from tierform.ports import MAX_PORT, PORT_TEXT_PATTERN

__all__ = ["SCHEMA_ID", "blueprint_json_schema"]

SCHEMA_ID = "urn:tierform:blueprint:1"
_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def blueprint_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a blueprint; keys as written in YAML (``from``, ``to``)."""
    body = Blueprint.model_json_schema(by_alias=True, mode="validation")
    body.pop("title", None)
    body.pop("description", None)
    ports = body["$defs"]["FlowSpec"]["properties"]["ports"]
    for option in ports["anyOf"]:
        if option.get("type") == "array":
            # A port is a number 0-65535, a range "a-b" or "all" (tierform.ports parses it).
            option["items"] = {"anyOf": [
                {"type": "integer", "minimum": 0, "maximum": MAX_PORT},
                {"type": "string", "pattern": PORT_TEXT_PATTERN},
            ]}
    return {
        "$schema": _DIALECT,
        "$id": SCHEMA_ID,
        "title": "Tierform blueprint (format 1)",
        "description": (
            "A layered AWS network (SEC05-BP01): VPC, availability zones, tiers with their "
            "exposure (public, private, isolated), and the flows allowed between tiers, named "
            "networks and the internet. Everything not listed in flows is denied."
        ),
        **body,
    }
