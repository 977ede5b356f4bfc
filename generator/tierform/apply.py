"""Apply and destroy a blueprint's module against an AWS emulator; read it back live.

A work directory per blueprint (default ``.tierform/apply/<name>``) holds the
rendered module, the emulator provider file and the Terraform state, so a failed
apply can simply be run again. ``--local`` starts a moto server on 127.0.0.1 that
outlives the command (recorded in ``emulator.json`` in the work directory), so that
``tierform verify --live`` and ``tierform destroy --local`` find the same network;
``destroy --local`` stops it.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tierform.errors import TierformError
from tierform.terraform.cliconfig import OFFLINE_PROVIDER_FILE

if TYPE_CHECKING:
    from tierform.blueprint.load import LoadedBlueprint
    from tierform.network.model import Network
    from tierform.terraform.runner import Runner
    from tierform.workflow import Checked

__all__ = [
    "apply_blueprint",
    "destroy_blueprint",
    "prepare_workdir",
    "progress",
    "read_live",
]

MANIFEST = ".tierform-files.json"
EMULATOR_RECORD = "emulator.json"


@contextmanager
def progress(message: str) -> Iterator[None]:
    """A spinner on a terminal; one line on stderr in CI or when piped."""
    quiet = os.environ.get("CI") or os.environ.get("TIERFORM_QUIET") or not sys.stderr.isatty()
    if quiet:
        if not os.environ.get("TIERFORM_QUIET"):
            sys.stderr.write(f"{message}...\n")
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(message):
        yield


def prepare_workdir(files: dict[str, str], workdir: Path, provider: str) -> None:
    """Write the module and the provider file; remove files an older render left behind.

    The state (terraform.tfstate) and .terraform/ are kept: a rerun continues.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    manifest = workdir / MANIFEST
    try:
        previous = set(json.loads(manifest.read_text()))
    except (OSError, ValueError):
        previous = set()
    for stale in sorted(previous - set(files)):
        (workdir / stale).unlink(missing_ok=True)
    for relative, text in sorted(files.items()):
        if relative.startswith("example/"):
            continue  # the example root would be a second configuration in this directory
        target = workdir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    (workdir / OFFLINE_PROVIDER_FILE).write_text(provider, encoding="utf-8")
    manifest.write_text(json.dumps(sorted(f for f in files if not f.startswith("example/"))))


def _answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(endpoint + "/moto-api/", timeout=2) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def _is_our_emulator(pid: int) -> bool:
    """Is ``pid`` still the emulator we started (and not a reused pid)?"""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return b"tierform.localaws.motoserver" in command


def _recorded(workdir: Path) -> tuple[str, int] | None:
    try:
        known = json.loads((workdir / EMULATOR_RECORD).read_text())
        return str(known["endpoint"]), int(known["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _start_detached(workdir: Path) -> str:
    """The endpoint of a moto server for ``apply --local`` that outlives this command."""
    from tierform.localaws.server import LocalAWS

    known = _recorded(workdir)
    if known is not None and _is_our_emulator(known[1]) and _answers(known[0]):
        return known[0]
    server = LocalAWS(detach=True).start()
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / EMULATOR_RECORD).write_text(
        json.dumps({"endpoint": server.endpoint, "pid": server.pid}))
    return server.endpoint


def _stop_detached(workdir: Path) -> None:
    """Stop the emulator ``apply --local`` left running, if it is still ours."""
    known = _recorded(workdir)
    if known is not None and _is_our_emulator(known[1]):
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(known[1], signal.SIGTERM)
    (workdir / EMULATOR_RECORD).unlink(missing_ok=True)


def _runner(checked: Checked, workdir: Path, endpoint: str, terraform: str | None,
            *, allow_remote: bool) -> Runner:
    from tierform.localaws.provider import provider_hcl
    from tierform.terraform.runner import Runner
    from tierform.workflow import render

    provider = provider_hcl(endpoint, checked.loaded.blueprint.region, allow_remote=allow_remote)
    prepare_workdir(render(checked), workdir, provider)
    runner = Runner(workdir, binary=terraform)
    if not (workdir / ".terraform").is_dir() or not (workdir / ".terraform.lock.hcl").is_file():
        # The module only ever needs hashicorp/aws: once installed, a rerun or a
        # destroy in the same work directory does not need init again.
        with progress(f"terraform init ({workdir})"):
            runner.init()
    return runner


def _endpoint(workdir: Path, *, local: bool, endpoint: str | None) -> str:
    if endpoint:
        return endpoint
    if local:
        return _start_detached(workdir)
    raise TierformError("say where to apply: --local (start an emulator) or --endpoint URL")


def apply_blueprint(checked: Checked, *, local: bool, endpoint: str | None, workdir: Path,
                    terraform: str | None = None) -> dict[str, Any]:
    """Render, init, apply; return the module's outputs. The state stays in ``workdir``."""
    url = _endpoint(workdir, local=local, endpoint=endpoint)
    runner = _runner(checked, workdir, url, terraform, allow_remote=bool(endpoint))
    try:
        with progress(f"terraform apply {checked.name} -> {url}"):
            runner.apply()
    except TierformError as error:
        raise type(error)(
            f"{error}\nThe state is kept in {workdir}: fix the cause (is the emulator at {url} "
            "still running?) and run the same command again to finish.",
            exit_code=error.exit_code) from error
    return runner.output()


def destroy_blueprint(checked: Checked, *, local: bool, endpoint: str | None, workdir: Path,
                      terraform: str | None = None) -> None:
    """Destroy what ``apply_blueprint`` built; with ``local``, stop its emulator too."""
    if local and not (workdir / EMULATOR_RECORD).exists():
        raise TierformError(f"no local emulator recorded in {workdir}: nothing was applied there "
                            "with --local (or it was destroyed already)")
    url = _endpoint(workdir, local=local, endpoint=endpoint)
    runner = _runner(checked, workdir, url, terraform, allow_remote=bool(endpoint))
    with progress(f"terraform destroy {checked.name}"):
        runner.destroy()
    if local:
        _stop_detached(workdir)


def read_live(loaded: LoadedBlueprint, *, endpoint: str | None, region: str | None,
              vpc_id: str | None, tier_tag: str = "Tier") -> Network:
    """The network as it exists now, through the AWS API (boto3 ``describe_*``)."""
    from tierform.readers.live import network_from_live

    region = region or loaded.blueprint.region
    if endpoint:
        from tierform.localaws.provider import client

        ec2 = client("ec2", endpoint, region, allow_remote=True)
    else:
        import boto3

        ec2 = boto3.client("ec2", region_name=region)
    tags = None if vpc_id else {"Name": loaded.blueprint.name}
    return network_from_live(ec2, vpc_id=vpc_id, tag_filters=tags, tier_tag=tier_tag,
                             named_networks=dict(loaded.blueprint.networks))
