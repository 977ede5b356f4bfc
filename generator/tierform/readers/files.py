"""Read a Network from a plan or state JSON file (``terraform show -json``), whichever it is.

The one reader of such files (``tierform reach``/``verify``, the pytest helpers): every
unusable file ends as a ReadError (exit 2) that says what to give instead, never as a
traceback from deep inside a reader.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from tierform.errors import ReadError
from tierform.network.model import Network
from tierform.network.tags import TIER_TAG
from tierform.readers.plan import network_from_plan
from tierform.readers.state import network_from_state
from tierform.readers.terraform_json import load_document

__all__ = ["DocumentKind", "detect_kind", "network_from_json_file", "read_network"]

DocumentKind = Literal["plan", "state"]


def detect_kind(document: Mapping[str, Any]) -> DocumentKind:
    """``"plan"`` or ``"state"`` for ``terraform show -json`` output; ReadError otherwise."""
    if "planned_values" in document or "resource_changes" in document:
        return "plan"
    if isinstance(document.get("values"), Mapping) or (
            "format_version" in document and "terraform_version" in document
            and "resources" not in document):
        return "state"
    if "resources" in document and "version" in document:
        raise ReadError("this is a raw terraform.tfstate file; run `terraform show -json` "
                        "and read its output instead")
    raise ReadError("neither a plan nor a state JSON: expected `terraform show -json` output "
                    "(a plan has planned_values, a state has values)")


def read_network(path: Path, *, named_networks: Mapping[str, Any] | None = None,
                 tier_tag: str = TIER_TAG,
                 config_dir: Path | None = None) -> tuple[DocumentKind, Network]:
    """What the file is, and the Network it describes.

    ``config_dir``: the plan's configuration directory (root module; its modules found
    by local paths or ``.terraform/modules/modules.json``). The plan's wiring is then
    evaluated from its HCL; without it, or where the HCL is not this plan's, it is read
    from the plan's references. A state needs none.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ReadError(f"{path}: cannot read: no such file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ReadError(f"{path}: cannot read: {exc}") from exc
    document = load_document(text, str(path))
    if not isinstance(document, dict):
        raise ReadError(f"{path}: expected a JSON object from `terraform show -json`")
    try:
        kind = detect_kind(document)
    except ReadError as exc:
        if str(exc).startswith(f"{path}: "):
            raise
        raise ReadError(f"{path}: {exc}") from None
    nets = dict(named_networks or {})
    try:
        if kind == "plan":
            return "plan", network_from_plan(document, tier_tag=tier_tag, named_networks=nets,
                                             config_dir=config_dir)
        if not isinstance(document.get("values"), dict):
            raise ReadError(f"{path}: the state is empty (nothing applied yet)")
        return "state", network_from_state(document, tier_tag=tier_tag, named_networks=nets)
    except ReadError as exc:
        if str(exc).startswith(f"{path}: "):
            raise
        raise ReadError(f"{path}: {exc}") from None
    except RecursionError:
        raise ReadError(f"{path}: malformed `terraform show -json` output ({kind}): nested "
                        "deeper than can be read; regenerate it with terraform show "
                        "-json") from None
    except (KeyError, TypeError, AttributeError, ValueError, IndexError,
            OverflowError) as exc:
        raise ReadError(f"{path}: malformed `terraform show -json` output ({kind}): "
                        f"{type(exc).__name__}: {exc}; regenerate it with terraform "
                        "show -json") from exc


def network_from_json_file(path: Path | str, *,
                           named_networks: Mapping[str, Any] | None = None,
                           tier_tag: str = TIER_TAG,
                           config_dir: Path | str | None = None) -> Network:
    """The Network of a plan or state JSON file (see :func:`read_network`)."""
    return read_network(Path(path), named_networks=named_networks, tier_tag=tier_tag,
                        config_dir=Path(config_dir) if config_dir is not None else None)[1]
