"""Run terraform (or OpenTofu): one verb per method, every command through ``Runner.execute``.

``execute`` runs the binary in its own process group with a time limit (tftest's
``execute_command`` had none, and a hung terraform hung Tierform): on expiry the whole
group is killed and the error names the command and ``TIERFORM_TERRAFORM_TIMEOUT``. On top
we add the error mapping, logging on our own logger, counters and the version check. A
plan, apply or destroy given an ``events`` callback runs with ``-json`` and is read line by
line instead, each UI message passed on as it comes (progress), its error diagnostics
turned back into text; the same time limit holds.
tftest's higher-level verbs are not used: they build arguments we need to control
(``-lock=false``, ``-var-file``, exit codes of ``fmt -check``), and its pickle cache is
replaced by ``tierform.terraform.cache``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tierform.errors import ReadError, TerraformError, TerraformSetupError
from tierform.readers.terraform_json import load_document
from tierform.render.writer import write_module
from tierform.terraform.cliconfig import OFFLINE_PROVIDER_FILE, offline_provider_hcl, terraform_env

__all__ = [
    "COUNTERS",
    "DEFAULT_TIMEOUTS",
    "MIN_VERSION",
    "TIMEOUT_ENV",
    "CommandResult",
    "Runner",
    "TerraformVersion",
    "module_files",
    "record_event",
    "resolve_binary",
    "timeout_for",
]

Events = Callable[[Mapping[str, Any]], None]
"""Receives each message of Terraform's ``-json`` UI stream (a parsed line)."""

LOG = logging.getLogger("tierform.terraform")
# Library loggers stay silent unless the application configures logging: Python's last-resort
# handler would print Terraform's output on stderr a second time beside the TerraformError
# that already carries it.
LOG.addHandler(logging.NullHandler())

COUNTERS: dict[str, int] = {}
"""Terraform invocations in this process, by verb (``{"init": 1, "plan": 1, ...}``), and
``provider``: provider processes started for reattach (``tierform.terraform.reattach``)."""

MIN_VERSION = (1, 5)
"""Oldest Terraform accepted: ``import``/``check`` blocks and the plan JSON we read are 1.5+."""

_LOG_ENV = "TIERFORM_TERRAFORM_LOG"
_BINARY_ENV = "TIERFORM_TERRAFORM"
TIMEOUT_ENV = "TIERFORM_TERRAFORM_TIMEOUT"
"""Seconds any one terraform command may run (every verb); unset: ``DEFAULT_TIMEOUTS``."""
DEFAULT_TIMEOUTS: Mapping[str, float] = {"apply": 1800.0, "destroy": 1800.0, "test": 1800.0}
"""Generous limits by verb: creating NAT gateways takes minutes; other verbs get 600 s."""
_DEFAULT_TIMEOUT = 600.0
_REAP_SECONDS = 10.0


def timeout_for(verb: str, environ: Mapping[str, str] | None = None) -> float:
    """The time limit of one ``verb`` in seconds: ``$TIERFORM_TERRAFORM_TIMEOUT`` when set
    (a positive number), else ``DEFAULT_TIMEOUTS`` (600 s for verbs not listed)."""
    raw = (os.environ if environ is None else environ).get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUTS.get(verb, _DEFAULT_TIMEOUT)
    try:
        seconds = float(raw)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds < 10**7:  # also refuses nan and inf
        raise TerraformSetupError(
            f"{TIMEOUT_ENV}={raw!r} is not a number of seconds.\nWhat to do: set it to a "
            f"positive number (e.g. {TIMEOUT_ENV}=3600), or unset it for the defaults "
            f"(600 s; apply and destroy 1800 s)."
        )
    return seconds

# What `terraform init` prints when it cannot install a provider (no registry, no mirror).
_INSTALL_FAILURES = (
    "Failed to query available provider packages",
    "Failed to install provider",
    "Failed to resolve provider packages",
    "Could not retrieve the list of available versions",
    "Required plugins are not installed",
    "Inconsistent dependency lock file",
    "Incompatible provider version",
    "could not connect to registry",
)

# Not module source: Terraform's working state, and hidden files (Terraform itself skips
# configuration files whose names start with "."), except the dependency lock file.
_NOT_SOURCE = re.compile(r"(^|/)(\.(?!terraform\.lock\.hcl$)|terraform\.tfstate)")


@dataclass(frozen=True)
class CommandResult:
    """One finished command: its argv, exit code and both streams."""

    command: tuple[str, ...]
    returncode: int
    out: str
    err: str


@dataclass(frozen=True)
class TerraformVersion:
    """What ``version -json`` says: program (terraform or tofu), version and chosen providers."""

    binary: str
    program: str
    version: str
    providers: Mapping[str, str] = field(default_factory=dict)

    @property
    def parts(self) -> tuple[int, ...]:
        return tuple(int(p) for p in re.findall(r"\d+", self.version)[:3])

    def __str__(self) -> str:
        return f"{self.program} {self.version}"


def resolve_binary(binary: str | None = None) -> str:
    """The executable to run: ``binary``, else ``$TIERFORM_TERRAFORM``, else ``terraform``."""
    name = binary or os.environ.get(_BINARY_ENV) or "terraform"
    found = shutil.which(name)
    if found is None:
        raise TerraformSetupError(
            f"terraform executable {name!r} not found.\n"
            "What to do: install Terraform >= 1.5 (or OpenTofu) and put it on PATH, or name the "
            f"binary with {_BINARY_ENV}=/path/to/terraform (pytest: --tierform-terraform)."
        )
    return found


def module_files(module_dir: Path) -> dict[str, bytes]:
    """A module's source files (relative POSIX path -> bytes), without Terraform's working state."""
    if not module_dir.is_dir():
        raise TerraformSetupError(f"{module_dir}: not a directory holding a Terraform module")
    files: dict[str, bytes] = {}
    for path in sorted(module_dir.rglob("*")):
        relative = path.relative_to(module_dir).as_posix()
        if path.is_file() and not _NOT_SOURCE.search(relative):
            files[relative] = path.read_bytes()
    return files


def record_event(verb: str, detail: str) -> None:
    """Count ``verb`` and append ``verb<TAB>pid<TAB>detail`` to ``$TIERFORM_TERRAFORM_LOG``."""
    COUNTERS[verb] = COUNTERS.get(verb, 0) + 1
    log_file = os.environ.get(_LOG_ENV)
    if log_file:
        # One short O_APPEND write per line: lines from parallel processes do not interleave.
        with open(log_file, "a", encoding="utf-8") as handle:
            handle.write(f"{verb}\t{os.getpid()}\t{detail}\n")


def _count(verb: str, workdir: Path) -> None:
    record_event(verb, str(workdir))


def _summary(text: str, limit: int = 40) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if len(lines) > limit:
        lines = [*lines[:limit], f"... ({len(lines) - limit} more lines)"]
    return "\n".join(lines)


class Runner:
    """Terraform commands in one working directory."""

    def __init__(self, workdir: Path, *, binary: str | None = None,
                 env: Mapping[str, str] | None = None) -> None:
        self.workdir = Path(workdir).resolve()
        self.binary = resolve_binary(binary)
        # TF_LOG would interleave Terraform's debug log with the JSON documents we read.
        self._env = {k: v for k, v in os.environ.items() if k != "TF_LOG"} | terraform_env(env)

    @classmethod
    def for_module(cls, module_dir: Path, workdir: Path, *, region: str = "us-east-1",
                   endpoint: str | None = None, binary: str | None = None,
                   env: Mapping[str, str] | None = None) -> Runner:
        """Copy a provider-less module into ``workdir`` with the offline/emulator provider.

        Through ``write_module``: a rerun into the same ``workdir`` keeps its state and
        ``.terraform/``, and a directory that is not Tierform's is refused.
        """
        write_module(module_files(module_dir), workdir,
                     extra={OFFLINE_PROVIDER_FILE: offline_provider_hcl(region, endpoint)})
        return cls(workdir, binary=binary, env=env)

    # -- the one place commands run -------------------------------------------------------

    def execute(self, verb: str, *args: str, ok_codes: tuple[int, ...] = (0,),
                events: Events | None = None) -> CommandResult:
        """Run ``<binary> <verb> <args>``; log it, count it, raise TerraformError on failure.

        With ``events`` the command is expected to print Terraform's ``-json`` UI stream:
        each message goes to ``events`` as it comes.
        """
        command = (self.binary, verb, *args)
        LOG.info("%s (in %s)", " ".join(command), self.workdir)
        _count(verb, self.workdir)
        timeout = timeout_for(verb)
        with self._environment(verb) as env:
            result = (self._streamed(verb, command, events, timeout, env) if events is not None
                      else self._run(verb, command, timeout, env))
        for line in result.out.splitlines():
            LOG.debug("%s: %s", verb, line)
        for line in result.err.splitlines():
            LOG.log(logging.WARNING if result.returncode not in ok_codes else logging.DEBUG,
                    "%s: %s", verb, line)
        if result.returncode not in ok_codes:
            self._fail(verb, result)
        return result

    @contextlib.contextmanager
    def _environment(self, verb: str) -> Iterator[Mapping[str, str]]:
        """The environment of one ``verb`` command, for as long as it runs (a subclass may
        hold a resource for it: ``reattach.ReattachedRunner`` a shared provider)."""
        yield self._env

    def _streamed(self, verb: str, command: tuple[str, ...], events: Events,
                  timeout: float, env: Mapping[str, str]) -> CommandResult:
        """Run a ``-json`` command, passing each UI message on; errors as text in ``err``.
        In a process group of its own, killed whole when ``timeout`` expires."""
        lines: list[str] = []
        errors: list[str] = []
        try:
            process = subprocess.Popen(
                command, cwd=self.workdir, env=dict(env), stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                errors="replace", start_new_session=True)
        except OSError as exc:
            raise TerraformSetupError(
                f"cannot run {self.binary}: {exc.strerror or exc}.\nWhat to do: name a working "
                f"terraform with {_BINARY_ENV}=/path/to/terraform.") from None
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, expire)
        timer.daemon = True
        timer.start()
        try:
            assert process.stdout is not None
            assert process.stderr is not None
            stderr = process.stderr
            err_parts: list[str] = []
            # stderr read beside stdout, so that neither pipe can fill up and stall terraform.
            reader = threading.Thread(target=lambda: err_parts.append(stderr.read()), daemon=True)
            reader.start()
            for line in process.stdout:
                lines.append(line)
                try:
                    message = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if not isinstance(message, dict):
                    continue
                if message.get("type") == "diagnostic":
                    diagnostic = message.get("diagnostic") or {}
                    if diagnostic.get("severity") == "error":
                        errors.append(_diagnostic_text(diagnostic))
                events(message)
            code = process.wait()
            reader.join()
            err = "".join(err_parts)
        except BaseException:
            self._kill(process)
            raise
        finally:
            timer.cancel()
            for pipe in (process.stdout, process.stderr):
                if pipe is not None:
                    pipe.close()
        if expired.is_set():
            raise self._timed_out(verb, command, timeout)
        return CommandResult(command, code, "".join(lines), "\n".join([*errors, err.strip()])
                             .strip())

    def _run(self, verb: str, command: tuple[str, ...], timeout: float,
             env: Mapping[str, str]) -> CommandResult:
        """Run ``command`` in a process group of its own, killed whole on expiry (Terraform
        starts provider plugins as children) or when Tierform itself is interrupted."""
        try:
            process = subprocess.Popen(
                command, cwd=self.workdir, env=dict(env), stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                errors="replace", start_new_session=True)
        except OSError as exc:
            raise TerraformSetupError(
                f"cannot run {self.binary}: {exc.strerror or exc}.\nWhat to do: name a working "
                f"terraform with {_BINARY_ENV}=/path/to/terraform.") from None
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._kill(process)
            raise self._timed_out(verb, command, timeout) from None
        except BaseException:
            self._kill(process)
            raise
        return CommandResult(command, process.returncode, out or "", err or "")

    def _timed_out(self, verb: str, command: tuple[str, ...], timeout: float) -> TerraformError:
        return TerraformError(
            f"terraform {verb} did not finish within {timeout:g} s in {self.workdir}: "
            f"stopped (its process group was killed).\nCommand: {' '.join(command)}\n"
            f"What to do: if it was only slow, allow more time with {TIMEOUT_ENV}=SECONDS "
            f"(now {timeout:g}); if it hangs, run it by hand to see where: "
            f"terraform -chdir={self.workdir} {verb}",
            command=list(command), stderr="")

    @staticmethod
    def _kill(process: subprocess.Popen[str]) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.communicate(timeout=_REAP_SECONDS)

    def _fail(self, verb: str, result: CommandResult) -> None:
        detail = _summary(result.err) or _summary(result.out)
        if verb == "init" and any(p in result.err + result.out for p in _INSTALL_FAILURES):
            raise TerraformSetupError(
                f"{self.binary} init could not install the providers in {self.workdir}.\n"
                "What to do: allow access to registry.terraform.io, or name a provider mirror "
                "or plugin directory (--provider-mirror DIR or TIERFORM_PROVIDER_MIRROR), or "
                "configure one in Terraform's CLI configuration (TF_CLI_CONFIG_FILE, "
                "~/.terraformrc: provider_installation { filesystem_mirror { ... } }, "
                f"plugin_cache_dir, TF_PLUGIN_CACHE_DIR).\nTerraform said:\n{detail}"
            )
        raise TerraformError(
            f"terraform {verb} failed (exit {result.returncode}) in {self.workdir}:\n{detail}\n"
            "What to do: fix what Terraform names above (a TF_VAR_* or -var value, or the "
            f"module's files); to see it again: terraform -chdir={self.workdir} {verb}",
            command=list(result.command), stderr=result.err,
        )

    # -- verbs ----------------------------------------------------------------------------

    def version(self) -> TerraformVersion:
        """The binary's version; TerraformSetupError when older than MIN_VERSION."""
        result = self.execute("version", "-json")
        try:
            data = load_document(result.out, f"{self.binary} version -json", "")
        except ReadError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("terraform_version"), str) \
                or not isinstance(data.get("provider_selections") or {}, dict):
            raise TerraformSetupError(
                f"{self.binary} does not understand `version -json` (it printed "
                f"{_summary(result.out, 3)[:200]!r}): Terraform >= "
                f"{'.'.join(map(str, MIN_VERSION))} is required. What to do: upgrade Terraform, "
                f"or name a real terraform with {_BINARY_ENV}."
            )
        program = "tofu" if "tofu" in Path(self.binary).name.lower() else "terraform"
        version = TerraformVersion(self.binary, program, str(data.get("terraform_version", "")),
                                   dict(data.get("provider_selections") or {}))
        if version.parts[:2] < MIN_VERSION:
            raise TerraformSetupError(
                f"{self.binary} is {version}; Terraform >= {'.'.join(map(str, MIN_VERSION))} "
                "is required. What to do: upgrade Terraform (or use OpenTofu), or name another "
                f"binary with {_BINARY_ENV}."
            )
        return version

    def init(self, *, upgrade: bool = False) -> str:
        """Install providers; TerraformSetupError when they cannot be installed."""
        args = ["-input=false", "-no-color"]
        if upgrade:
            args.append("-upgrade")
        return self.execute("init", *args).out

    def get(self) -> str:
        """Install the module calls (``.terraform/modules``); providers are left alone."""
        return self.execute("get", "-no-color").out

    def validate(self) -> dict[str, Any]:
        """``validate -json``: the diagnostics document; TerraformError when invalid."""
        result = self.execute("validate", "-json", "-no-color", ok_codes=(0, 1))
        # The JSON document may follow other lines (e.g. warnings printed before it).
        start = result.out.find("{")
        try:
            report = json.loads(result.out[start:]) if start >= 0 else None
        except json.JSONDecodeError:
            report = None
        if not isinstance(report, dict):
            raise TerraformError(
                f"terraform validate -json gave no JSON report in {self.workdir} "
                f"(exit {result.returncode}):\n{(result.err or result.out).strip()}",
                command=list(result.command), stderr=result.err or result.out,
            )
        if not report.get("valid", False):
            problems = [f"{d.get('severity')}: {d.get('summary')}: {d.get('detail', '')}"
                        for d in report.get("diagnostics", [])]
            raise TerraformError(
                f"terraform validate failed in {self.workdir}:\n" + "\n".join(problems),
                command=list(result.command), stderr=result.err or result.out,
            )
        return report

    def plan(self, out: Path | None = None, variables: Mapping[str, object] | None = None, *,
             destroy: bool = False, events: Events | None = None) -> Path:
        """Save a plan to ``out`` (default ``<workdir>/tierform.tfplan``); return its path."""
        out = Path(out) if out is not None else self.workdir / "tierform.tfplan"
        # No state to protect in an offline plan; -lock=false lets parallel plans share a dir.
        args = ["-input=false", _ui(events), "-lock=false", f"-out={out}"]
        if destroy:
            args.append("-destroy")
        with _var_file(variables, out.parent) as var_file:
            if var_file is not None:
                args.append(f"-var-file={var_file}")
            self.execute("plan", *args, events=events)
        return out

    def show(self, plan_file: Path | None = None) -> dict[str, Any]:
        """``show -json`` of a saved plan, or of the state when ``plan_file`` is None."""
        args = ["-json", "-no-color"]
        if plan_file is not None:
            args.append(str(plan_file))
        result = self.execute("show", *args)
        what = f"terraform show -json {plan_file or '(state)'} in {self.workdir}"
        try:
            document = load_document(result.out, what, "Terraform prints one JSON document")
        except ReadError as exc:
            raise TerraformError(
                f"{exc}\nWhat to do: check that {self.binary} is Terraform (not a wrapper that "
                "prints other text on stdout), then plan again.",
                command=list(result.command), stderr=result.err) from None
        if not isinstance(document, dict):
            raise TerraformError(
                f"{what}: printed JSON that is not a plan or state object.\nWhat to do: check "
                f"that {self.binary} is Terraform, then plan again.",
                command=list(result.command), stderr=result.err)
        return document

    def apply(self, plan_file: Path | None = None,
              variables: Mapping[str, object] | None = None, *,
              events: Events | None = None, arguments: Sequence[str] = ()) -> str:
        """Apply a saved plan, or plan-and-apply with ``variables`` and ``arguments`` (the
        user's own ``-var``/``-var-file`` options, after ours: the later value wins)."""
        args = ["-input=false", _ui(events), "-auto-approve"]
        if plan_file is not None:
            return self.execute("apply", *args, str(plan_file), events=events).out
        with _var_file(variables, self.workdir) as var_file:
            if var_file is not None:
                args.append(f"-var-file={var_file}")
            return self.execute("apply", *args, *arguments, events=events).out

    def destroy(self, variables: Mapping[str, object] | None = None, *,
                events: Events | None = None) -> str:
        args = ["-input=false", _ui(events), "-auto-approve"]
        with _var_file(variables, self.workdir) as var_file:
            if var_file is not None:
                args.append(f"-var-file={var_file}")
            return self.execute("destroy", *args, events=events).out

    def output(self) -> dict[str, Any]:
        """Root outputs after apply: name -> value."""
        raw: dict[str, Any] = json.loads(self.execute("output", "-json", "-no-color").out or "{}")
        return {name: item.get("value") for name, item in raw.items()}

    def fmt_check(self) -> list[str]:
        """Files ``terraform fmt`` would change (empty when all are formatted)."""
        # Exit 3: some files are not formatted; the list is on stdout.
        result = self.execute("fmt", "-check", "-list=true", "-recursive", "-no-color",
                              ok_codes=(0, 3))
        return [line.strip() for line in result.out.splitlines() if line.strip()]


def _ui(events: Events | None) -> str:
    """``-json`` (the machine-readable UI stream, never coloured) when someone listens."""
    return "-no-color" if events is None else "-json"


def _diagnostic_text(diagnostic: Mapping[str, Any]) -> str:
    """A ``-json`` error diagnostic as the human UI prints it: summary, where, detail."""
    where = diagnostic.get("range") or {}
    place = ""
    if where.get("filename"):
        place = f" (at {where['filename']}:{(where.get('start') or {}).get('line', '?')})"
    detail = str(diagnostic.get("detail") or "").strip()
    return (f"Error: {diagnostic.get('summary', '')}{place}" + (f"\n{detail}" if detail else ""))


@contextlib.contextmanager
def _var_file(variables: Mapping[str, object] | None, folder: Path) -> Iterator[Path | None]:
    """A temporary ``*.tfvars.json`` for ``variables`` (JSON keeps lists and maps typed)."""
    if not variables:
        yield None
        return
    handle, name = tempfile.mkstemp(suffix=".tfvars.json", dir=folder)
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(dict(variables), stream, sort_keys=True)
        yield path
    finally:
        path.unlink(missing_ok=True)
