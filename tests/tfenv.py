"""Test tooling: point Terraform at a provider mirror on this machine.

Product code honours only Terraform's own settings (TF_CLI_CONFIG_FILE, plugin
cache, mirrors). This repository's tests and nox sessions find a filesystem
mirror that holds hashicorp/aws and write their own CLI configuration for it,
so a fresh machine of our CI kind needs no extra steps. Machine paths live here
(test tooling), never in ``generator/``.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

__all__ = ["configure_terraform_env", "find_provider_mirror"]

# Places a filesystem mirror may be: Terraform's implied mirror directories first,
# then common system locations (our CI image keeps it under /opt).
_CANDIDATES = (
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
    "/opt/tf-plugins",
    "/opt/terraform/plugins",
)
_PROVIDER = "registry.terraform.io/hashicorp/aws"


def find_provider_mirror() -> Path | None:
    """The first directory that holds ``registry.terraform.io/hashicorp/aws``."""
    explicit = os.environ.get("TIERFORM_TEST_PROVIDER_MIRROR")
    if explicit:
        return Path(explicit)
    for candidate in _CANDIDATES:
        path = Path(candidate).expanduser()
        if (path / _PROVIDER).is_dir():
            return path
    try:
        found = subprocess.run(
            ["find", "/", "-xdev", "-name", "terraform-provider-aws_*", "-path",
             f"*{_PROVIDER}*"],
            capture_output=True, text=True, timeout=60, check=False,
        ).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return None
    for hit in sorted(found):
        head, sep, _ = hit.partition(_PROVIDER)
        if sep:
            return Path(head)
    return None


def configure_terraform_env(state_dir: Path) -> dict[str, str]:
    """Write a CLI config for the mirror under ``state_dir``; return the env to export.

    Keeps an existing, readable TF_CLI_CONFIG_FILE. The plugin cache sits beside
    the config so that repeated inits link instead of copying the 700 MB provider.
    """
    current = os.environ.get("TF_CLI_CONFIG_FILE")
    if current and Path(current).is_file():
        return {}
    state_dir.mkdir(parents=True, exist_ok=True)
    cache = state_dir / "plugin-cache"
    cache.mkdir(exist_ok=True)
    mirror = find_provider_mirror()
    lines = []
    if mirror is not None:
        lines += [
            "provider_installation {",
            "  filesystem_mirror {",
            f'    path    = "{mirror}"',
            '    include = ["registry.terraform.io/*/*"]',
            "  }",
            "  direct {",
            '    exclude = ["registry.terraform.io/*/*"]',
            "  }",
            "}",
        ]
    lines.append(f'plugin_cache_dir = "{cache}"')
    lines.append("plugin_cache_may_break_dependency_lock_file = true")
    config = state_dir / "terraform.tfrc"
    config.write_text("\n".join(lines) + "\n")
    env = {"TF_CLI_CONFIG_FILE": str(config), "TF_IN_AUTOMATION": "1"}
    if mirror is not None:
        env["TIERFORM_TEST_PROVIDER_MIRROR"] = str(mirror)
    return env
