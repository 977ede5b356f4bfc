"""The one part of ``terraform fmt`` templates cannot do by hand: aligning ``=``.

Mirrors hclwrite's rule: consecutive lines that each hold a whole ``key = value``
(brackets balanced on the line) form a chain, and their ``=`` signs line up one space
after the longest key. Any other line (blank, comment, block header, a line opening
a multi-line value) ends the chain.
"""

from __future__ import annotations

__all__ = ["align_equals", "tidy"]

_OPEN = "([{"
_CLOSE = ")]}"


def _split_assignment(line: str) -> tuple[str, str, bool] | None:
    """``(lead, rhs, whole)`` when the line assigns; ``whole``: brackets balance on it."""
    in_string = False
    escaped = False
    equal_at = -1
    depth = 0
    for index, ch in enumerate(line):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch == "#" or line.startswith("//", index):
            break
        elif equal_at < 0 and ch == "=":
            before = line[index - 1] if index else ""
            after = line[index + 1:index + 2]
            if before not in "=!<>" and after not in "=>" and line[:index].strip():
                equal_at = index
        elif equal_at >= 0 and ch in _OPEN:
            depth += 1
        elif equal_at >= 0 and ch in _CLOSE:
            depth -= 1
    if equal_at < 0:
        return None
    return line[:equal_at].rstrip(), line[equal_at + 1:].strip(), depth == 0


def align_equals(text: str) -> str:
    """Align ``=`` over chains of single-line assignments, as ``terraform fmt`` does."""
    lines = text.split("\n")
    out: list[str] = []
    chain: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(lead) for lead, _ in chain), default=0)
        out.extend(f"{lead.ljust(width)} = {rhs}" for lead, rhs in chain)
        chain.clear()

    for line in lines:
        parts = _split_assignment(line)
        if parts is not None and parts[2]:
            chain.append((parts[0], parts[1]))
            continue
        flush()
        if parts is not None:
            # Opens a multi-line value: not aligned, one space each side of "=".
            out.append(f"{parts[0]} = {parts[1]}")
        else:
            out.append(line)
    flush()
    return "\n".join(out)


def tidy(text: str) -> str:
    """Trailing spaces off, runs of blank lines collapsed, one newline at the end."""
    lines = [line.rstrip() for line in text.split("\n")]
    kept: list[str] = []
    for line in lines:
        if not line and (not kept or not kept[-1]):
            continue
        kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept) + "\n"
