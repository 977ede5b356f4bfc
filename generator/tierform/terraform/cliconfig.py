"""Terraform's environment: the offline provider block, and what of the user's set-up we honour.

Product code never names a machine path: provider installation is whatever the
user's Terraform is configured for (TF_CLI_CONFIG_FILE or ~/.terraformrc, plugin
cache, filesystem mirrors), unless the user names a provider mirror or plugin
directory (``--provider-mirror DIR`` or ``$TIERFORM_PROVIDER_MIRROR``): then Tierform
writes the CLI configuration of its own runs, installing every provider from that
directory and none from the network (air-gapped). We read these settings to
fingerprint them, so a changed mirror or cache leads to a fresh ``terraform init``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from tierform.errors import TerraformSetupError
from tierform.localaws.provider import provider_hcl
from tierform.render.filters import hcl_string
from tierform.render.native_tests import offline_provider_lines

__all__ = [
    "GO_GC",
    "OFFLINE_PROVIDER_FILE",
    "PROVIDER_MIRROR_ENV",
    "cli_config_path",
    "environment_fingerprint",
    "go_gc_env",
    "install_env",
    "mirror_cli_config",
    "offline_provider_hcl",
    "terraform_env",
]

PROVIDER_MIRROR_ENV = "TIERFORM_PROVIDER_MIRROR"
"""A provider mirror or plugin directory every Tierform terraform run installs from."""

OFFLINE_PROVIDER_FILE = "_tierform_provider.tf"
"""Name of the provider file the runner adds beside a module's own files."""

GO_GC = "400"
"""``GOGC`` of the terraform commands Tierform runs, unless the user sets ``GOGC``: terraform
decodes the AWS provider's whole schema in every command (about 2 CPU-seconds at Go's
default 100); collecting garbage less often cuts plan and show CPU by a quarter for about
170 MiB more peak memory (measured on three-tier, issue 13). The result is the same."""

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


def mirror_cli_config(mirror: Path) -> str:
    """The CLI configuration that installs every provider from ``mirror`` and none from
    the network: what a user writes for ``terraform init`` air-gapped (README)."""
    path = str(mirror).replace("\\", "/")
    return "\n".join([
        "provider_installation {",
        "  filesystem_mirror {",
        f"    path = {hcl_string(path)}",
        "  }",
        "}",
    ]) + "\n"


def _checked_mirror(raw: str) -> Path:
    """The named directory, absolute, once it is seen to hold providers."""
    mirror = Path(raw).expanduser().absolute()
    what = f"provider mirror {raw} ({PROVIDER_MIRROR_ENV} or --provider-mirror)"
    if not mirror.is_dir():
        raise TerraformSetupError(
            f"{what}: no such directory. What to do: give the directory "
            "`terraform providers mirror DIR` wrote, or a plugin directory laid out "
            "HOSTNAME/NAMESPACE/TYPE/VERSION/OS_ARCH (registry.terraform.io/hashicorp/aws/...)")
    if not any(p.is_dir() for p in mirror.glob("*/*/*")):
        raise TerraformSetupError(
            f"{what}: holds no providers (no HOSTNAME/NAMESPACE/TYPE directories such as "
            "registry.terraform.io/hashicorp/aws). What to do: fill it with `terraform "
            "providers mirror DIR` on a machine with registry access, or name the right one")
    return mirror


def install_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The variables that point Terraform at the named mirror (empty when none is named).

    The CLI configuration is written once per content, at a path that depends only on it
    (under the temporary directory), so the init fingerprint stays stable across runs.
    """
    env = os.environ if environ is None else environ
    raw = env.get(PROVIDER_MIRROR_ENV, "")
    if not raw:
        return {}
    text = mirror_cli_config(_checked_mirror(raw))
    user = os.getuid() if hasattr(os, "getuid") else 0
    folder = Path(tempfile.gettempdir()) / f"tierform-{user}"
    config = folder / f"cli-{hashlib.sha256(text.encode()).hexdigest()[:16]}.tfrc"
    try:
        if not config.is_file() or config.read_text(encoding="utf-8") != text:
            folder.mkdir(mode=0o700, exist_ok=True)
            staged = folder / f".{config.name}.{os.getpid()}"
            staged.write_text(text, encoding="utf-8")
            os.replace(staged, config)
    except OSError as error:
        raise TerraformSetupError(f"cannot write Terraform's CLI configuration for the "
                                  f"provider mirror to {config}: {error.strerror or error}. "
                                  "What to do: set TMPDIR to a writable directory") from None
    return {"TF_CLI_CONFIG_FILE": str(config)}


def environment_fingerprint(environ: Mapping[str, str] | None = None) -> str:
    """A digest of the settings that decide provider installation.

    Part of the key of an initialised work dir: when the user points Terraform at
    another mirror or cache, the next plan initialises afresh instead of reusing.
    """
    env = {**(os.environ if environ is None else environ)}
    env.update(install_env(env))  # the configuration Tierform's runs really use
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
    env.update(install_env())
    env.update(go_gc_env())
    env.update(extra or {})
    return env


def go_gc_env(environ: Mapping[str, str] | None = None, value: str = GO_GC) -> dict[str, str]:
    """``{"GOGC": value}`` unless the environment already sets ``GOGC`` (the user's wins)."""
    env = os.environ if environ is None else environ
    return {} if env.get("GOGC") else {"GOGC": value}
