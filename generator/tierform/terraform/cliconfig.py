"""Terraform's environment: the offline provider block, and what of the user's set-up we honour.

Product code never names a machine path: provider installation is whatever the
user's Terraform is configured for (TF_CLI_CONFIG_FILE or ~/.terraformrc, plugin
cache, filesystem mirrors). We only read those settings to fingerprint them, so a
changed mirror or cache leads to a fresh ``terraform init``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from tierform.localaws.provider import provider_hcl
from tierform.render.native_tests import offline_provider_lines

__all__ = [
    "OFFLINE_PROVIDER_FILE",
    "cli_config_path",
    "environment_fingerprint",
    "offline_provider_hcl",
    "terraform_env",
]

OFFLINE_PROVIDER_FILE = "_tierform_provider.tf"
"""Name of the provider file the runner adds beside a module's own files."""

# Environment that changes what `terraform init` installs or how it resolves providers.
_INSTALL_SETTINGS = ("TF_CLI_CONFIG_FILE", "TF_PLUGIN_CACHE_DIR",
                     "TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE")


def offline_provider_hcl(region: str, endpoint: str | None = None) -> str:
    """The ``provider "aws"`` block for offline plans, or for an emulator at ``endpoint``.

    The offline block is the one the module's native tests use
    (``tierform.render.native_tests.offline_provider_lines``). With an ``endpoint``, the block
    is the emulator's (``tierform.localaws.provider_hcl``): one definition, so apply
    tests and ``tierform apply`` cannot drift apart.
    """
    if endpoint is not None:
        return provider_hcl(endpoint, region, allow_remote=True)
    lines = ["# Added by tierform for offline plans; not part of the module.",
             *offline_provider_lines(region)]
    return "\n".join(lines) + "\n"


def cli_config_path(environ: Mapping[str, str] | None = None) -> Path | None:
    """The CLI configuration file Terraform reads, if there is one."""
    env = os.environ if environ is None else environ
    explicit = env.get("TF_CLI_CONFIG_FILE")
    if explicit:
        return Path(explicit)
    default = Path.home() / ".terraformrc"
    return default if default.is_file() else None


def environment_fingerprint(environ: Mapping[str, str] | None = None) -> str:
    """A digest of the settings that decide provider installation.

    Part of the key of an initialised work dir: when the user points Terraform at
    another mirror or cache, the next plan initialises afresh instead of reusing.
    """
    env = os.environ if environ is None else environ
    digest = hashlib.sha256()
    for name in _INSTALL_SETTINGS:
        digest.update(f"{name}={env.get(name, '')}\0".encode())
    config = cli_config_path(env)
    if config is not None:
        try:
            digest.update(config.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
    return digest.hexdigest()


def terraform_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Variables the runner adds to the inherited environment for every command."""
    env = {
        # Terraform then leaves out hints to run commands by hand, and never prompts.
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
    }
    env.update(extra or {})
    return env
