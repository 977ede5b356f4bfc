"""Plan a hand-written fixture module, optionally mutated, and read its network back."""

from __future__ import annotations

import re
from pathlib import Path

from tierform.network.model import Network
from tierform.readers.plan import network_from_plan
from tierform.terraform import plan_files
from tierform.terraform.runner import module_files

__all__ = ["planned_network"]


def planned_network(module: Path, cache: Path, terraform: str | None,
                    *edits: tuple[str, str], with_config: bool = True) -> Network:
    """The network of ``module``'s plan, each ``(pattern, replacement)`` of ``edits``
    applied once to its main.tf first (each must match: a mutant changes something);
    ``with_config``: read with the module's HCL, as the CLI does for a config dir."""
    files = module_files(module)
    text = files["main.tf"].decode()
    for old, new in edits:
        assert re.search(old, text), old  # the mutant must change something
        text = re.sub(old, new, text, count=1)
    plan = plan_files({**files, "main.tf": text.encode()}, region="us-east-1",
                      cache_dir=cache, terraform=terraform)
    return network_from_plan(plan.raw, config_dir=plan.config_dir if with_config else None)
