"""Ground truth on demand (``verify --emulate DIR``, ``reach --emulate DIR``).

What the plan reader cannot resolve (data sources, wiring it does not evaluate), applying
can: the root module in DIR is copied into a throwaway work directory, pointed at a local
emulator started for this run (``tierform.localaws``), applied with the user's variables,
and its state read by the state reader, where every reference is an AWS id. The emulator
is always stopped (also on error and Ctrl-C); the work directory is removed after a clean
run and kept, and named, when the run fails (``apply.throwaway_workdir``, as for the demo).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tierform.apply import Progress, apply_root, quietly, throwaway_workdir
from tierform.errors import EXIT_BAD_INPUT, TierformError
from tierform.localaws.provider import provider_hcl
from tierform.localaws.server import LocalAWS
from tierform.network.model import Network
from tierform.network.tags import TIER_TAG
from tierform.readers.state import network_from_state

__all__ = [
    "EMULATED_SERVICES",
    "EMULATOR_FILE",
    "EMULATOR_OVERRIDE_FILE",
    "Emulation",
    "check_root",
    "emulate",
    "emulated_network",
    "prepare_copy",
    "var_arguments",
]

EMULATOR_FILE = "_tierform_emulator.tf"
"""The default ``provider "aws"`` block added to the copy when the root has none."""
EMULATOR_OVERRIDE_FILE = "_tierform_emulator_override.tf"
"""Terraform override file: the root's own ``aws`` provider blocks pointed at the emulator
(every argument given here wins, ``endpoints`` replaced) and the state kept locally."""

# Not copied: Terraform's working state and caches, and version control. Remote module
# sources (.terraform/modules, after `terraform init`) are copied on their own.
_NOT_COPIED = frozenset({".terraform", ".git", "terraform.tfstate", "terraform.tfstate.backup",
                         "terraform.tfstate.d", ".terraform.tfstate.lock.info"})
EMULATED_SERVICES = ("acm", "autoscaling", "cloudwatch", "dynamodb", "ec2", "ecs", "eks",
                     "elbv2", "iam", "kms", "lambda", "logs", "networkfirewall", "ram", "rds",
                     "route53", "s3", "secretsmanager", "sns", "sqs", "ssm", "sts")
"""Provider ``endpoints`` sent to the emulator: a user's root (and its data sources) may
touch more services than a rendered module; moto answers each of these on one port."""
_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*=")
_HINT = "give the root module (a directory of .tf files) you would run `terraform apply` in"


@dataclass(frozen=True)
class Emulation:
    """One applied root: its state (``terraform show -json``)."""

    root: Path
    state: Mapping[str, Any]


def check_root(path: Path, option: str = "--emulate") -> Path:
    """``path`` when it is a directory with ``.tf`` files; bad input (exit 2) otherwise."""
    if not path.exists():
        raise TierformError(f"{option} {path}: no such directory; {_HINT}")
    if not path.is_dir():
        raise TierformError(f"{option} {path}: not a directory; {_HINT}")
    if not any(path.glob("*.tf")) and not any(path.glob("*.tf.json")):
        raise TierformError(f"{option} {path}: no .tf files there; {_HINT}")
    return path


def var_arguments(variables: Sequence[str] = (), var_files: Sequence[str] = ()) -> list[str]:
    """``--var NAME=VALUE`` and ``--var-file FILE`` as Terraform's ``-var``/``-var-file``
    (files first, then single values: Terraform's own precedence among the two); a bad
    one is bad input (exit 2) before anything starts."""
    arguments = []
    for name in var_files:
        file = Path(name)
        if not file.is_file():
            raise TierformError(f"--var-file {name}: no such file; give a .tfvars or "
                                ".tfvars.json file")
        arguments.append(f"-var-file={file.resolve()}")
    for item in variables:
        if not _VAR.match(item):
            raise TierformError(f"--var {item!r} is not NAME=VALUE (as terraform's -var; "
                                "e.g. --var single_nat_gateway=true)")
        arguments.append(f"-var={item}")
    return arguments


def _aws_aliases(root: Path) -> list[str | None]:
    """The ``provider "aws"`` blocks of the root's ``.tf`` files, by alias (None: default)."""
    import hcl2  # only --emulate parses the root's provider blocks

    aliases: list[str | None] = []
    for file in sorted(root.glob("*.tf.json")):
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise TierformError(f"{file}: not valid JSON ({error}); fix the file "
                                "(`terraform validate` names the problem)") from None
        blocks = (document.get("provider") or {}).get("aws") if isinstance(document, dict) \
            else None
        for body in blocks if isinstance(blocks, list) else [blocks] if blocks else []:
            alias = body.get("alias") if isinstance(body, Mapping) else None
            aliases.append(str(alias) if alias is not None else None)
    for file in sorted(root.glob("*.tf")):
        try:
            document = hcl2.loads(file.read_text(encoding="utf-8"))
        except Exception as error:  # python-hcl2 raises lark's errors for bad HCL
            raise TierformError(f"{file}: not valid HCL ({type(error).__name__}: "
                                f"{str(error).splitlines()[0] if str(error) else ''}); fix "
                                "the file (`terraform validate` names the problem)") from None
        for block in document.get("provider", []) or []:
            for label, body in block.items():
                if label.strip('"') != "aws" or not isinstance(body, Mapping):
                    continue
                alias = body.get("alias")
                aliases.append(str(alias).strip('"') if alias is not None else None)
    return aliases


def prepare_copy(root: Path, target: Path, endpoint: str, region: str) -> None:
    """``root`` copied to ``target``, every ``aws`` provider pointed at ``endpoint``."""
    shutil.copytree(root, target, symlinks=False,
                    ignore=lambda _folder, names: [n for n in names if n in _NOT_COPIED])
    modules = root / ".terraform" / "modules"
    if modules.is_dir():
        shutil.copytree(modules, target / ".terraform" / "modules", symlinks=False)
    aliases = _aws_aliases(root)
    overrides = [provider_hcl(endpoint, region, alias=alias, services=EMULATED_SERVICES)
                 for alias in aliases]
    # Whatever backend the root names, this run's state stays in the throwaway copy.
    overrides.append('terraform {\n  backend "local" {}\n}\n')
    (target / EMULATOR_OVERRIDE_FILE).write_text("\n".join(overrides), encoding="utf-8")
    if None not in aliases:
        (target / EMULATOR_FILE).write_text(
            provider_hcl(endpoint, region, services=EMULATED_SERVICES), encoding="utf-8")


def emulate(root: Path, *, region: str, arguments: Sequence[str] = (),
            terraform: str | None = None, progress: Progress = quietly) -> Emulation:
    """Apply a copy of ``root`` to a local emulator started for this call; its state."""
    check_root(root)
    with throwaway_workdir(f"tierform-emulate-{root.resolve().name}-",
                           f"--emulate {root}") as workdir:
        with progress("starting the local AWS emulator"):
            aws = LocalAWS().start()
        try:
            copy = workdir / "root"
            prepare_copy(root, copy, aws.endpoint, region)
            try:
                state = apply_root(copy, endpoint=aws.endpoint, terraform=terraform,
                                   arguments=arguments, progress=progress)
            except TierformError as error:
                # The root or its variables are the user's input: a failed init or apply is
                # bad input (exit 2), told with the directory that is kept to look into.
                raise TierformError(f"--emulate {root}: {error}",
                                    exit_code=EXIT_BAD_INPUT) from error
        finally:
            aws.stop()
    return Emulation(root, state)


def emulated_network(root: Path, *, region: str, arguments: Sequence[str] = (),
                     tier_tag: str = TIER_TAG,
                     named_networks: Mapping[str, Any] | None = None,
                     terraform: str | None = None, progress: Progress = quietly) -> Network:
    """The network ``root`` builds, read from the state of applying it to an emulator."""
    done = emulate(root, region=region, arguments=arguments, terraform=terraform,
                   progress=progress)
    return network_from_state(done.state, tier_tag=tier_tag, named_networks=named_networks)
