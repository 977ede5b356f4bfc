"""moto's server, with fixes where moto answers differently from AWS and Terraform notices.

Run as ``python -m tierform.localaws.motoserver -H 127.0.0.1 -p PORT`` (what ``LocalAWS``
starts). Each fix is small, checks that the code it replaces still looks as expected,
and is skipped (not forced) when a moto release changes it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["apply_fixes", "main"]


def _fix_group_rule_description() -> bool:
    """DescribeSecurityGroupRules drops the description of group-reference rules.

    moto 5.x reads a rule's description from its CIDR range only; AWS returns the
    description of every rule. Terraform's ``aws_vpc_security_group_*_rule`` with
    ``referenced_security_group_id`` and a ``description`` then diffs on every plan.
    """
    try:
        from moto.ec2.models.security_groups import SecurityGroupRule
    except ImportError:
        return False
    current = SecurityGroupRule.__dict__.get("description")
    if not isinstance(current, property):
        return False

    def description(self: Any) -> str | None:
        found: str | None = self.ip_range.get("Description")
        if found is None and isinstance(getattr(self, "source_group", None), dict):
            found = self.source_group.get("Description")
        return found

    SecurityGroupRule.description = property(description)  # type: ignore[method-assign,assignment]
    return True


def apply_fixes() -> list[str]:
    """Apply every fix that fits this moto version; the names of those applied."""
    applied = []
    if _fix_group_rule_description():
        applied.append("security group rule descriptions")
    return applied


def main(argv: list[str] | None = None) -> None:
    from moto.server import main as moto_main

    apply_fixes()
    moto_main(argv)


if __name__ == "__main__":
    main()
