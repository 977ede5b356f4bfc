"""The order e2e modules are handed to xdist workers (tests/e2e/conftest.py): long ones
first, so a long one-test module does not start last and run on alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_support import long_modules_first

ROOT = Path(__file__).resolve().parents[2]


class _Item:
    """What the ordering reads of a pytest item: its node id and its markers."""

    def __init__(self, nodeid: str, *, long: bool = False) -> None:
        self.nodeid = nodeid
        self.long = long

    def get_closest_marker(self, name: str) -> Any:
        return object() if self.long and name == "e2e_long" else None

    def __repr__(self) -> str:
        return self.nodeid


def test_long_modules_first_then_by_test_count_each_module_in_file_order() -> None:
    items = [_Item("a.py::one"), _Item("a.py::two"),
             _Item("b.py::one"), _Item("b.py::two"), _Item("b.py::three"),
             _Item("c.py::only", long=True),
             _Item("d.py::one", long=True), _Item("d.py::two", long=True)]
    ordered = long_modules_first(items)  # type: ignore[arg-type]
    assert [i.nodeid for i in ordered] == [
        "d.py::one", "d.py::two", "c.py::only",
        "b.py::one", "b.py::two", "b.py::three", "a.py::one", "a.py::two"]
    assert long_modules_first(ordered) == ordered  # type: ignore[arg-type]


def test_nox_keeps_that_order() -> None:
    """xdist's own reorder (on by default) would sort by test count alone again."""
    text = (ROOT / "noxfile.py").read_text(encoding="utf-8")
    e2e = text[text.index("def e2e("):text.index("def bench(")]
    assert '"--dist", "loadscope"' in e2e
    assert '"--no-loadscope-reorder"' in e2e
