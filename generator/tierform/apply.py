"""Apply and destroy a rendered module against an AWS emulator.

A work directory per network (the CLI's default is ``.tierform/apply/<name>``) holds the
module, the emulator's provider file and the Terraform state, so a failed apply can
simply be run again. The module is written by ``render.writer.write_module`` (the same
ownership rule as ``render``: a user's files are kept, a directory that is not
Tierform's is refused) under the directory's lock, which is held for the whole command:
two applies into one work directory run one after the other, and two ``--local`` runs
share one emulator (``tierform.localaws.detached``). An emulator that answers HTTP 5xx
is retried a few times, since a rerun continues from the state. Terraform's commands run
on this process's long-lived provider (``terraform.reattach.ReattachedRunner``) unless
``TIERFORM_REATTACH=0``: an apply would otherwise start the 700 MB provider several times.
"""

from __future__ import annotations

import logging
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

from tierform.errors import TerraformError, TierformError
from tierform.localaws import detached
from tierform.localaws.provider import provider_hcl
from tierform.render.writer import check_writable, locked, write_module
from tierform.terraform.cliconfig import OFFLINE_PROVIDER_FILE
from tierform.terraform.reattach import ReattachedRunner, reattachable
from tierform.terraform.runner import Runner

__all__ = ["ATTEMPTS", "Progress", "apply_module", "apply_root", "destroy_module", "quietly",
           "throwaway_workdir"]

LOG = logging.getLogger("tierform.apply")

Events = Callable[[Mapping[str, Any]], None]
"""Terraform's ``-json`` UI messages of a step, one at a time (what progress counts)."""

Progress = Callable[[str], AbstractContextManager[Events | None]]
"""How a step in progress is shown: ``with progress("terraform apply ...") as events: ...``;
``events`` (when not None) is fed Terraform's ``-json`` UI messages of the step."""

ATTEMPTS = 3
"""Runs of ``terraform apply``/``destroy`` while the emulator answers HTTP 5xx."""

_RETRY_PAUSE = 2.0  # seconds between runs: long enough for an emulator's hiccup to pass
# The AWS SDK's words for a server-side error (v2 "StatusCode: 500", v1 "status code: 503").
_SERVER_ERROR = re.compile(r"status ?code:? 5\d\d\b", re.IGNORECASE)
_WORKDIR_HINT = ("Give another --workdir (an empty or new directory), or move those files "
                 "away.")

T = TypeVar("T")


@contextmanager
def quietly(message: str) -> Iterator[None]:
    """The default ``progress``: a log line, nothing on the terminal, no events read."""
    LOG.info("%s", message)
    yield None


def apply_module(files: Mapping[str, str], *, name: str, region: str, workdir: Path,
                 local: bool = False, endpoint: str | None = None,
                 terraform: str | None = None, progress: Progress = quietly,
                 attempts: int = ATTEMPTS) -> dict[str, Any]:
    """Write ``files`` (a rendered module) into ``workdir``, init, apply; return the outputs.

    ``local`` starts (or reuses) an emulator that outlives this call; ``endpoint`` names
    one that runs already. The state stays in ``workdir``.
    """
    with _locked(workdir, progress):
        url = _endpoint(workdir, local=local, endpoint=endpoint, progress=progress)
        runner = _prepared(files, workdir, url, region, terraform, progress,
                           allow_remote=bool(endpoint))
        try:
            with progress(f"terraform apply {name} -> {url}") as events:
                _retrying("apply", lambda: runner.apply(events=events), attempts, progress)
        except TierformError as error:
            raise type(error)(
                f"{error}\nThe state is kept in {workdir}: fix the cause (is the emulator at "
                f"{url} still running?) and run the same command again to finish.",
                exit_code=error.exit_code) from error
        return runner.output()


def destroy_module(files: Mapping[str, str], *, name: str, region: str, workdir: Path,
                   local: bool = False, endpoint: str | None = None,
                   terraform: str | None = None, progress: Progress = quietly,
                   attempts: int = ATTEMPTS) -> None:
    """Destroy what ``apply_module`` built in ``workdir``; with ``local``, stop its emulator."""
    _check_recorded(workdir, local=local)  # before the lock, which creates a missing workdir
    with _locked(workdir, progress):
        _check_recorded(workdir, local=local)  # again: a destroy may have run meanwhile
        url = _endpoint(workdir, local=local, endpoint=endpoint, progress=progress)
        runner = _prepared(files, workdir, url, region, terraform, progress,
                           allow_remote=bool(endpoint))
        try:
            with progress(f"terraform destroy {name}") as events:
                _retrying("destroy", lambda: runner.destroy(events=events), attempts, progress)
        except TierformError as error:
            raise type(error)(
                f"{error}\nThe state is kept in {workdir}: fix the cause and run the same "
                "command again to finish.", exit_code=error.exit_code) from error
        if local:
            detached.stop(workdir)


@contextmanager
def throwaway_workdir(prefix: str, command: str) -> Iterator[Path]:
    """A new temporary work directory: removed when the block finishes, kept and named on
    stderr when it fails or is interrupted (its module, state and logs explain why)."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield workdir
    except BaseException:
        sys.stderr.write(f"{command}: did not finish; its work directory (the module, the "
                         f"Terraform state and logs of the run) is kept in {workdir}\n")
        raise
    shutil.rmtree(workdir, ignore_errors=True)


def apply_root(root: Path, *, endpoint: str, terraform: str | None = None,
               arguments: Sequence[str] = (), progress: Progress = quietly,
               attempts: int = ATTEMPTS) -> dict[str, Any]:
    """Init and apply the root module already in ``root`` (a copy, with the emulator's
    provider in place) against ``endpoint``; return ``terraform show -json`` of its state.

    ``arguments``: the user's ``-var``/``-var-file`` options, passed to apply as given.
    """
    runner = _runner(root, terraform, endpoint)
    with progress(f"terraform init ({root})"):
        runner.init()
    with progress(f"terraform apply {root.name} -> {endpoint}") as events:
        _retrying("apply", lambda: runner.apply(events=events, arguments=arguments),
                  attempts, progress)
    with progress("terraform show -json (the state)"):
        return runner.show()


def _check_recorded(workdir: Path, *, local: bool) -> None:
    if local and detached.recorded(workdir) is None:
        raise TierformError(f"no local emulator recorded in {workdir}: nothing was applied "
                            "there with --local (or it was destroyed already)")


@contextmanager
def _locked(workdir: Path, progress: Progress) -> Iterator[None]:
    """The work directory's lock, refusing a directory that is not Tierform's first."""
    check_writable(workdir, hint=_WORKDIR_HINT)  # before anything is created or started

    def waiting() -> None:
        with progress(f"waiting for another tierform command in {workdir}"):
            pass

    with locked(workdir, on_wait=waiting):
        check_writable(workdir, hint=_WORKDIR_HINT)  # again, now that it is ours alone
        yield


def _endpoint(workdir: Path, *, local: bool, endpoint: str | None, progress: Progress) -> str:
    if endpoint:
        return endpoint
    if local:
        running = detached.reusable(workdir)
        if running is not None:
            return running
        with progress("starting the local AWS emulator"):
            return detached.start(workdir)
    raise TierformError("say where to apply: --local (start an emulator) or --endpoint URL")


def _prepared(files: Mapping[str, str], workdir: Path, url: str, region: str,
              terraform: str | None, progress: Progress, *, allow_remote: bool) -> Runner:
    """The module and the emulator's provider block in ``workdir``, initialised once."""
    provider = provider_hcl(url, region, allow_remote=allow_remote)
    # The example root would be a second configuration in this directory.
    module = {path: text for path, text in files.items() if not path.startswith("example/")}
    # force: the directory was checked under the lock; the only file in it that the
    # marker does not list yet may be the emulator record written just now.
    write_module(module, workdir, extra={OFFLINE_PROVIDER_FILE: provider}, force=True,
                 hint=_WORKDIR_HINT)
    runner = _runner(workdir, terraform, url)
    if not (workdir / ".terraform").is_dir() or not (workdir / ".terraform.lock.hcl").is_file():
        # The module only ever needs hashicorp/aws: once installed, a rerun or a
        # destroy in the same work directory does not need init again.
        with progress(f"terraform init ({workdir})"):
            runner.init()
    return runner


def _runner(workdir: Path, terraform: str | None, endpoint: str) -> Runner:
    """Commands in ``workdir`` against ``endpoint``: on a reattached provider where it may be."""
    kind = ReattachedRunner if reattachable(endpoint) else Runner
    return kind(workdir, binary=terraform)


def _retrying(verb: str, action: Callable[[], T], attempts: int, progress: Progress) -> T:
    """Run ``action``; again (up to ``attempts`` runs) while the emulator answers HTTP 5xx."""
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except TerraformError as error:
            transient = bool(_SERVER_ERROR.search(f"{error}\n{error.stderr}"))
            if transient and attempt < attempts:
                LOG.warning("terraform %s: the emulator answered HTTP 5xx; run %d of %d next",
                            verb, attempt + 1, attempts)
                with progress(f"the emulator answered with a server error (HTTP 5xx); "
                              f"running terraform {verb} again ({attempt + 1} of {attempts})"):
                    time.sleep(_RETRY_PAUSE)
                continue
            if attempt == 1:
                raise
            how = "every time" if transient else "each time but the last"
            raise TerraformError(
                f"{error}\n(terraform {verb} ran {attempt} times; the emulator answered with a "
                f"server error (HTTP 5xx) {how})",
                command=error.command, stderr=error.stderr, exit_code=error.exit_code,
            ) from error
    raise AssertionError("unreachable: the last run returns or raises")
