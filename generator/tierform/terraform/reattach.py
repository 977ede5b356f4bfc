"""Long-lived provider processes that Terraform reattaches to (``TF_REATTACH_PROVIDERS``).

Without them Terraform starts the 700 MB AWS provider three times per ``plan`` and once
per ``show``, and loads its schema each time: most of an offline plan's cost. A provider
started with ``-debug`` serves any number of commands and prints the value that tells
Terraform where it listens. What had to be right (measured, issue 13):

- the provider's environment has no ``AWS_CA_BUNDLE``: with it, every run after the first
  fails (offline plans never reach AWS, so the bundle is not needed there);
- one command at a time per process: two plans with different provider settings at once
  mixed their ``tags_all`` (``reattached`` holds a lock for the plan and its show; each
  Python process, e.g. each pytest-xdist worker, has its own providers);
- its debug log is heavy: ``TF_LOG=off`` and the rest to a file in a private temp dir;
- it runs with ``GOGC=400`` unless the user sets ``GOGC`` (``cliconfig.GO_GC``): serving the
  schema to every command costs a quarter less CPU;
- a dead provider is started again, and none outlives this process (own process group,
  stopped at exit; on Linux the kernel also stops it when its parent dies).

``TIERFORM_REATTACH=0`` turns it off: Terraform then starts its providers itself.

Applies against an emulator use them too (``ReattachedRunner``: apply, destroy, show,
refresh; measured in README's benchmark section). Terraform configures the provider anew
on every command, so one process serves emulators at different endpoints one after the
other; what the provider reads from its *own* environment (``AWS_*``, proxies) is fixed
when it starts, so it is started again when those variables change. An ``https`` endpoint
that needs ``AWS_CA_BUNDLE`` is not reattached (``reattachable``).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from tierform.terraform.cliconfig import go_gc_env
from tierform.terraform.runner import Runner, record_event

__all__ = [
    "PROVIDER_VERBS",
    "REATTACH_ENV",
    "ProviderProcess",
    "ReattachedRunner",
    "any_dead",
    "enabled",
    "provider_binaries",
    "reattachable",
    "reattached",
    "running",
    "stop_all",
]

LOG = logging.getLogger("tierform.terraform")

REATTACH_ENV = "TIERFORM_REATTACH"
_VALUE_PREFIX = "TF_REATTACH_PROVIDERS='"
_START_TIMEOUT = 180.0  # seconds: a cold 700 MB binary on a loaded 2-core machine
_STOP_TIMEOUT = 10.0
# Not handed to the provider: AWS_CA_BUNDLE breaks every run after the first (see above).
_DROPPED_ENV = ("AWS_CA_BUNDLE", "TF_REATTACH_PROVIDERS")

# What the AWS provider reads from its own environment (the rest is Terraform's business):
# a provider started with other values of these is started again.
_PROVIDER_ENV_PREFIXES = ("AWS_",)
_PROVIDER_ENV_NAMES = frozenset({"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
                                 "SSL_CERT_FILE", "SSL_CERT_DIR", "HOME",
                                 "TF_APPEND_USER_AGENT"})

PROVIDER_VERBS = frozenset({"plan", "apply", "destroy", "show", "refresh", "import",
                            "validate", "console", "state"})
"""Terraform verbs that start providers (``init``, ``output``, ``version``, ``fmt`` do not)."""

_GUARD = threading.RLock()  # one terraform command (set) at a time on our providers
_PROCESSES: dict[Path, ProviderProcess] = {}
_UNSUPPORTED: set[Path] = set()  # binaries that did not start in debug mode


def enabled() -> bool:
    """False when ``TIERFORM_REATTACH=0`` (or ``false``/``no``/``off``)."""
    return os.environ.get(REATTACH_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def _provider_environment() -> tuple[tuple[str, str], ...]:
    """The variables a started provider has read already (see ``_PROVIDER_ENV_NAMES``)."""
    return tuple(sorted(
        (k, v) for k, v in os.environ.items()
        if k not in _DROPPED_ENV and (k.upper() in _PROVIDER_ENV_NAMES
                                      or k.upper().startswith(_PROVIDER_ENV_PREFIXES))))


def reattachable(endpoint: str | None = None) -> bool:
    """Whether commands against ``endpoint`` may use a reattached provider: turned on, and
    not an ``https`` endpoint while ``AWS_CA_BUNDLE`` is set (the provider runs without it)."""
    if not enabled():
        return False
    return not (endpoint and endpoint.lower().startswith("https:")
                and os.environ.get("AWS_CA_BUNDLE"))


def provider_binaries(workdir: Path) -> list[Path]:
    """The provider executables ``init`` installed for ``workdir`` (symlinks resolved)."""
    root = Path(workdir) / ".terraform" / "providers"
    found = set()
    # <host>/<namespace>/<type>/<version>/<os_arch>/terraform-provider-<type>_<version>...
    for path in root.glob("*/*/*/*/*/terraform-provider-*"):
        real = path.resolve()
        if real.is_file() and os.access(real, os.X_OK):
            found.add(real)
    return sorted(found)


def _parent_death_signal() -> Callable[[], None] | None:
    """On Linux, from the main thread: a pre-exec hook that makes the kernel stop the child
    when this process dies (PR_SET_PDEATHSIG fires when the forking *thread* ends)."""
    if not sys.platform.startswith("linux") or threading.current_thread() is not \
            threading.main_thread():
        return None
    import ctypes  # optional: Linux only; loaded before the fork, called in the child

    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def hook() -> None:  # pragma: no cover - runs in the child before exec
        prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

    return hook


class ProviderProcess:
    """One provider binary running in debug mode; ``reattach`` is its part of the value."""

    def __init__(self, binary: Path) -> None:
        self.binary = Path(binary)
        self.folder = Path(tempfile.mkdtemp(prefix="tierform-provider-"))
        self.environment = _provider_environment()
        env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
        env.update({"TF_LOG": "off", "TF_LOG_PROVIDER": "off", "TF_LOG_SDK": "off"})
        env.update(go_gc_env())  # a quarter less CPU per schema served, ~140 MiB more peak
        with open(self.folder / "stdout", "wb") as out, open(self.folder / "stderr", "wb") as err:
            self.process = subprocess.Popen(
                [str(self.binary), "-debug"], stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                env=env, cwd=self.folder, start_new_session=True,
                preexec_fn=_parent_death_signal(),
            )
        self.reattach: dict[str, Any] = self._wait_for_value()

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def _wait_for_value(self) -> dict[str, Any]:
        deadline = time.monotonic() + _START_TIMEOUT
        stdout = self.folder / "stdout"
        while True:
            text = stdout.read_text(encoding="utf-8", errors="replace")
            start = text.find(_VALUE_PREFIX)
            if start >= 0:
                end = text.find("'", start + len(_VALUE_PREFIX))
                if end >= 0:
                    value: dict[str, Any] = json.loads(text[start + len(_VALUE_PREFIX):end])
                    return value
            if not self.alive or time.monotonic() > deadline:
                detail = (self.folder / "stderr").read_text(encoding="utf-8", errors="replace")
                self.stop()
                raise OSError(f"{self.binary} -debug printed no {_VALUE_PREFIX[:-2]}: "
                              f"{(text + detail).strip()[-500:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the process group and remove the temp dir; safe to call twice."""
        if self.alive:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        else:
            self.process.poll()
        shutil.rmtree(self.folder, ignore_errors=True)


def _ensure(binary: Path) -> ProviderProcess | None:
    """The running process for ``binary``: started, or started again when it died."""
    process = _PROCESSES.get(binary)
    if process is not None and process.alive and process.environment == _provider_environment():
        return process
    if process is not None:
        if process.alive:
            LOG.info("provider %s (pid %d): its AWS_*/proxy variables changed; starting it "
                     "again", binary, process.pid)
        else:
            LOG.warning("provider %s (pid %d) died; starting it again", binary, process.pid)
        process.stop()
        del _PROCESSES[binary]
    if binary in _UNSUPPORTED:
        return None
    try:
        process = ProviderProcess(binary)
    except (OSError, ValueError) as exc:
        LOG.warning("provider %s cannot be reattached, Terraform starts it itself: %s",
                    binary, exc)
        _UNSUPPORTED.add(binary)
        return None
    _PROCESSES[binary] = process
    record_event("provider", f"{process.pid} {binary}")
    LOG.info("provider %s started for reattach (pid %d)", binary, process.pid)
    return process


@contextlib.contextmanager
def reattached(workdir: Path) -> Iterator[dict[str, str]]:
    """The environment for terraform commands in ``workdir``: ``TF_REATTACH_PROVIDERS`` for
    its providers, held by this block alone (one plan at a time per process).

    Empty when turned off, or when no provider of ``workdir`` starts in debug mode.
    """
    if not enabled():
        yield {}
        return
    with _GUARD:
        value: dict[str, Any] = {}
        for binary in provider_binaries(workdir):
            process = _ensure(binary)
            if process is not None:
                value.update(process.reattach)
        yield {"TF_REATTACH_PROVIDERS": json.dumps(value, sort_keys=True)} if value else {}


class ReattachedRunner(Runner):
    """A ``Runner`` whose provider-starting commands (``PROVIDER_VERBS``) run on this
    process's long-lived providers, each command holding them alone while it runs.

    For applies against an emulator: an apply is refresh + plan + apply, three provider
    starts without this. When reattach is off (``TIERFORM_REATTACH=0``) it is a ``Runner``.
    A provider that dies during a command fails that command (an apply is not run again
    behind the user's back: it may have created what the state does not record); the next
    command starts it again.
    """

    @contextlib.contextmanager
    def _environment(self, verb: str) -> Iterator[Mapping[str, str]]:
        if verb not in PROVIDER_VERBS:
            yield self._env
            return
        with reattached(self.workdir) as extra:
            yield {**self._env, **extra}


def any_dead() -> bool:
    """True when a started provider has exited (the next ``reattached`` starts it again)."""
    with _GUARD:
        return any(not process.alive for process in _PROCESSES.values())


def running() -> dict[Path, int]:
    """Binary -> pid of the providers this process keeps."""
    with _GUARD:
        return {binary: p.pid for binary, p in _PROCESSES.items() if p.alive}


def stop_all() -> None:
    """Stop every provider this process started (also run at exit)."""
    with _GUARD:
        for process in _PROCESSES.values():
            process.stop()
        _PROCESSES.clear()


atexit.register(stop_all)
