"""What ``terraform init`` installs for a module, read from its files without running it.

The shared init directory of the plan cache is keyed by this, not by the module's
content: two modules that require the same providers share one ``init``. What init
installs is decided by the ``required_providers`` blocks, the providers the module
names (``provider "x"`` blocks, the ``x_`` prefix of every resource and data type),
each per folder, and a dependency lock file the module ships; local module calls
install no provider (``terraform get`` records them in each plan dir). We keep
those parts, comments stripped, as text: a key that says more than needed only costs
an extra ``init``, one that says less would let a plan run with the wrong providers.

Modules that only ``init`` itself can resolve (a module call that is not a local path
inside the module, a ``.tf.json`` file) give ``None``: the caller keys those by content.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["has_module_calls", "install_inputs"]

_LOCK_FILE = ".terraform.lock.hcl"
_TYPED_BLOCK = re.compile(r'(?m)^\s*(resource|data|ephemeral)\s+"([^"_]+)_')
_PROVIDER_BLOCK = re.compile(r'(?m)^\s*provider\s+"([^"]+)"')
_MODULE_BLOCK = re.compile(r'(?m)^\s*module\s+"[^"]+"\s*\{')
_SOURCE = re.compile(r'(?m)^\s*source\s*=\s*"([^"]*)"')
_REQUIRED = re.compile(r"\brequired_providers\s*\{")


def _strip_comments(text: str) -> str:
    """``text`` without ``#``, ``//`` and ``/* */`` comments; string contents are kept."""
    out: list[str] = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        char = text[i]
        if in_string:
            out.append(char)
            if char == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if char == '"':
                in_string = False
            i += 1
        elif char == '"':
            in_string = True
            out.append(char)
            i += 1
        elif char == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _block_body(text: str, open_brace: int) -> str:
    """The text from the ``{`` at ``open_brace`` to its matching ``}`` (strings skipped)."""
    depth, i, in_string = 0, open_brace, False
    while i < len(text):
        char = text[i]
        if in_string:
            if char == "\\":
                i += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[open_brace:i + 1]
        i += 1
    return text[open_brace:]  # unbalanced: keep all of it (a longer key, never a shorter one)


def _module_sources(text: str) -> list[str]:
    """The ``source`` of every ``module`` block (empty string when it has none we can read)."""
    sources = []
    for match in _MODULE_BLOCK.finditer(text):
        body = _block_body(text, match.end() - 1)
        found = _SOURCE.search(body)
        sources.append(found.group(1) if found else "")
    return sources


def _local_inside(source: str, folder: str) -> bool:
    """A ``./`` or ``../`` source that stays inside the module (its files are in the set)."""
    if not source.startswith(("./", "../")):
        return False
    parts = [p for p in folder.split("/") if p]
    for part in source.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return False
            parts.pop()
        else:
            parts.append(part)
    return True


def install_inputs(files: Mapping[str, str | bytes]) -> str | None:
    """The parts of ``files`` that decide what ``init`` installs, as canonical text.

    None when only ``init`` can tell (a remote or outside module source, a ``.tf.json``).
    """
    parts: set[str] = set()  # per folder: which file holds a block does not matter to init
    for relative in sorted(files):
        content = files[relative]
        text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
        if relative.endswith(".tf.json"):
            return None
        if relative == _LOCK_FILE:
            parts.add(f"lock {text}")
            continue
        if not relative.endswith(".tf"):
            continue
        code = _strip_comments(text)
        folder = relative.rpartition("/")[0]
        # A local call installs no provider (its files are in the set, read here too);
        # ``terraform get`` records it in each plan dir.
        if any(not _local_inside(source, folder) for source in _module_sources(code)):
            return None
        for match in _REQUIRED.finditer(code):
            parts.add(f"required {folder}:{' '.join(_block_body(code, match.end() - 1).split())}")
        names = {m.group(2) for m in _TYPED_BLOCK.finditer(code)}
        names |= {m.group(1) for m in _PROVIDER_BLOCK.finditer(code)}
        parts.update(f"provider {folder}:{name}" for name in names)
    return "\n".join(sorted(parts))


def has_module_calls(files: Mapping[str, str | bytes]) -> bool:
    """True when a ``.tf`` file of the root folder calls a module (the plan dir then needs
    ``terraform get``, which also installs the calls of the called modules).

    Terraform reads only the root folder's files: a subfolder's calls (the ``example/``
    of a shipped module, which calls ``../``) matter only when the root calls that folder.
    """
    for relative, content in files.items():
        if relative.endswith(".tf") and "/" not in relative:
            text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
            if _MODULE_BLOCK.search(_strip_comments(text)):
                return True
    return False
