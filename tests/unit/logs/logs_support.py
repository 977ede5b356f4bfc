"""Shared set-up of the flow-log tests: shipped blueprints laid out, samples written."""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

from tierform import workflow
from tierform.workflow import Checked

ROOT = Path(__file__).resolve().parents[3]
BLUEPRINTS = ROOT / "blueprints"
SHIPPED = ("three-tier", "four-tier", "two-tier")


@cache
def checked(name: str) -> Checked:
    return workflow.check(workflow.load(BLUEPRINTS / f"{name}.yaml"))


def key(record: dict[str, Any]) -> tuple[str, ...]:
    """A record's identity in a sample (start times are distinct per record there)."""
    return tuple(str(record.get(f, "-")) for f in ("srcaddr", "dstaddr", "srcport", "dstport",
                                                   "action", "start"))


def labelled(sample: Any) -> Counter[tuple[tuple[str, ...], str]]:
    """The sample's records with the class each was made to have."""
    return Counter((key(r), label) for r, label in zip(sample.records, sample.labels,
                                                        strict=True))


def classified(rows: list[dict[str, Any]]) -> Counter[tuple[tuple[str, ...], str]]:
    def text(value: Any) -> str:
        return "-" if value is None else str(value)

    return Counter((tuple(text(r[f]) for f in ("srcaddr", "dstaddr", "srcport", "dstport",
                                                "action", "start")), r["class"]) for r in rows)
