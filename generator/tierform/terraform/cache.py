"""Plans cached by content: unchanged inputs never run terraform again.

Key: sha256 over the module's files (sorted relative path + bytes), the variables
(canonical JSON), the terraform version, the provider lock file and the offline
provider block. Layout under the cache folder (default ``.tierform-cache``, or
``$TIERFORM_CACHE_DIR``)::

    plans/<key>.json       terraform show -json of the saved plan (atomic writes)
    plans/<key>.lock       flock: one process plans a key, the others wait and read
    init/<id>/             where `terraform init` ran, once per install key (flock: <id>.lock)
    work/<id>/             the module + provider file, linked to init/<id>'s providers and lock
    versions.json          `terraform version` per binary (path, mtime, size)

Safe under pytest-xdist: every writer holds a file lock (``fcntl.flock``) and
publishes with ``os.replace``. The init dir is keyed by what ``init`` installs
(``tierform.terraform.install``: required providers, the provider block, the terraform
version, the user's CLI configuration), so a changed module never runs ``init`` again;
the work dir by the module's content too, so the plan key can include the lock file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from tierform.errors import TerraformError
from tierform.render.writer import write_module
from tierform.terraform.cliconfig import (
    OFFLINE_PROVIDER_FILE,
    environment_fingerprint,
    offline_provider_hcl,
)
from tierform.terraform.install import has_module_calls, install_inputs
from tierform.terraform.plan import Plan
from tierform.terraform.reattach import any_dead, reattached
from tierform.terraform.runner import Events, Runner, module_files, resolve_binary

try:  # POSIX; elsewhere the cache still works, without cross-process exclusion.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "CACHE_ENV",
    "DEFAULT_CACHE_DIR",
    "PlanCache",
    "cache_key",
    "clear",
    "default_cache_dir",
    "plan_files",
    "plan_module",
    "prepare_workdir",
]

LOG = logging.getLogger("tierform.terraform")

CACHE_ENV = "TIERFORM_CACHE_DIR"
DEFAULT_CACHE_DIR = ".tierform-cache"
_READY = ".tierform-ready"
_LOCK_FILE = ".terraform.lock.hcl"
# What terraform says when the providers in .terraform/ are not the ones the module needs.
_INSTALL_MISMATCH = ("Inconsistent dependency lock file", "Required plugins are not installed",
                     "Module not installed", "missing or corrupted provider plugins",
                     "Failed to load plugin schemas")


def default_cache_dir() -> Path:
    """``$TIERFORM_CACHE_DIR``, else ``.tierform-cache`` in the current directory."""
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE_DIR).resolve()


def _files_digest(files: Mapping[str, str | bytes]) -> hashlib._Hash:
    digest = hashlib.sha256()
    for relative in sorted(files):
        content = files[relative]
        data = content.encode() if isinstance(content, str) else content
        # Length-prefixed so that no two file sets can hash alike by shifting bytes.
        digest.update(f"{len(relative)}:{relative}:{len(data)}:".encode())
        digest.update(data)
    return digest


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def cache_key(files: Mapping[str, str | bytes], variables: Mapping[str, object] | None, *,
              terraform_version: str, provider_hcl: str, lock_file: str,
              environment: Mapping[str, str] | None = None) -> str:
    """The content hash that names a cached plan.

    ``environment`` holds the ``TF_VAR_*`` settings: Terraform reads variables from
    the environment too, so they are inputs of the plan like the variables file.
    """
    digest = _files_digest(files)
    for part in ("variables", _canonical(dict(variables or {})), "terraform", terraform_version,
                 "lock", lock_file, "provider", provider_hcl,
                 "environment", _canonical(dict(environment or {}))):
        digest.update(f"{len(part)}:{part}".encode())
    return digest.hexdigest()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing) for the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


class PlanCache:
    """The cache folder: plans by key, initialised work dirs, terraform versions."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root).resolve() if root is not None else default_cache_dir()
        self.plans = self.root / "plans"
        self.work = self.root / "work"

    def plan_path(self, key: str) -> Path:
        return self.plans / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        path = self.plan_path(key)
        try:
            raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, json.JSONDecodeError):
            LOG.warning("ignoring unreadable cached plan %s", path)
            return None
        return raw

    def put(self, key: str, raw: Mapping[str, Any]) -> None:
        _write_atomic(self.plan_path(key), json.dumps(raw, sort_keys=True))

    def clear(self) -> None:
        """Forget every plan, work dir and version; keep the folder itself."""
        for child in (self.plans, self.work):
            shutil.rmtree(child, ignore_errors=True)
        (self.root / "versions.json").unlink(missing_ok=True)

    def terraform_version(self, binary: str) -> str:
        """``program version`` of ``binary``, remembered by its path, mtime and size."""
        stat = Path(binary).stat()
        ident = f"{binary}|{stat.st_mtime_ns}|{stat.st_size}"
        memo = self.root / "versions.json"
        try:
            known: dict[str, str] = json.loads(memo.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            known = {}
        if ident not in known:
            self.root.mkdir(parents=True, exist_ok=True)
            known[ident] = str(Runner(self.root, binary=binary).version())
            _write_atomic(memo, json.dumps(known, sort_keys=True))
        return known[ident]

    def workdir(self, files: Mapping[str, str | bytes], *, provider_hcl: str, version: str,
                binary: str, region: str) -> Path:
        """A copy of the module for these inputs, linked to the shared providers; once per id.

        ``init`` runs once per install key (``install_dir``), not per module: the work dir
        links that dir's ``.terraform/providers`` and copies its lock file, and runs
        ``terraform get`` only when the module calls (local) modules. Modules whose
        providers only ``init`` can tell (``install_inputs`` is None) are initialised here.
        """
        digest = _files_digest(files)
        for part in (provider_hcl, version, environment_fingerprint()):
            digest.update(f"{len(part)}:{part}".encode())
        workdir = self.work / digest.hexdigest()[:32]
        if (workdir / _READY).exists():
            return workdir
        with _locked(self.work / f"{workdir.name}.lock"):
            if not (workdir / _READY).exists():
                shutil.rmtree(workdir, ignore_errors=True)
                write_module(files, workdir,
                             extra={OFFLINE_PROVIDER_FILE: offline_provider_hcl(region)})
                inputs = install_inputs(files)
                runner = Runner(workdir, binary=binary)
                if inputs is None:
                    runner.init()
                else:
                    shared = self.install_dir(files, inputs, provider_hcl=provider_hcl,
                                              version=version, binary=binary, region=region)
                    _link_install(shared, workdir)
                    if has_module_calls(files):
                        runner.get()
                (workdir / _READY).write_text(version + "\n")
        return workdir

    def install_dir(self, files: Mapping[str, str | bytes], inputs: str, *, provider_hcl: str,
                    version: str, binary: str, region: str) -> Path:
        """The dir where ``init`` ran for this install key (inputs, provider block, terraform
        version, CLI configuration); initialised from the first module that needed it."""
        digest = hashlib.sha256()
        for part in (inputs, provider_hcl, version, environment_fingerprint()):
            digest.update(f"{len(part)}:{part}".encode())
        shared = self.root / "init" / digest.hexdigest()[:32]
        if (shared / _READY).exists():
            return shared
        with _locked(self.root / "init" / f"{shared.name}.lock"):
            if not (shared / _READY).exists():
                shutil.rmtree(shared, ignore_errors=True)
                write_module(files, shared,
                             extra={OFFLINE_PROVIDER_FILE: offline_provider_hcl(region)})
                Runner(shared, binary=binary).init()
                (shared / _READY).write_text(version + "\n")
        return shared


def _link_install(shared: Path, workdir: Path) -> None:
    """Give ``workdir`` the providers ``init`` installed in ``shared``, and its lock file."""
    dot = workdir / ".terraform"
    dot.mkdir(exist_ok=True)
    providers = shared / ".terraform" / "providers"
    if providers.is_dir():
        (dot / "providers").symlink_to(providers, target_is_directory=True)
    lock = shared / _LOCK_FILE
    if lock.is_file():
        shutil.copyfile(lock, workdir / _LOCK_FILE)


def prepare_workdir(files: Mapping[str, str | bytes], *, region: str = "us-east-1",
                    cache_dir: Path | None = None, terraform: str | None = None) -> Path:
    """An initialised, shared work dir holding the module and the offline provider.

    Read-only use only (validate, plan with ``-lock=false``): other processes share it.
    """
    cache = PlanCache(cache_dir)
    binary = resolve_binary(terraform)
    version = cache.terraform_version(binary)
    return cache.workdir(files, provider_hcl=offline_provider_hcl(region), version=version,
                         binary=binary, region=region)


def plan_files(files: Mapping[str, str | bytes], variables: Mapping[str, object] | None = None,
               *, region: str = "us-east-1", cache_dir: Path | None = None,
               terraform: str | None = None, events: Events | None = None) -> Plan:
    """Plan a provider-less module given as files (relative path -> text), offline, cached.

    ``events`` gets Terraform's ``-json`` UI messages of a plan that runs (none on a hit)."""
    cache = PlanCache(cache_dir)
    binary = resolve_binary(terraform)
    version = cache.terraform_version(binary)
    provider_hcl = offline_provider_hcl(region)
    workdir = cache.workdir(files, provider_hcl=provider_hcl, version=version, binary=binary,
                            region=region)
    lock_path = workdir / _LOCK_FILE
    lock_text = lock_path.read_text(encoding="utf-8") if lock_path.exists() else ""
    tf_vars = {k: v for k, v in os.environ.items() if k.startswith("TF_VAR_")}
    key = cache_key(files, variables, terraform_version=version, provider_hcl=provider_hcl,
                    lock_file=lock_text, environment=tf_vars)
    raw = cache.get(key)
    if raw is not None:
        LOG.debug("plan cache hit %s", key)
        return Plan(raw, config_dir=workdir)
    with _locked(cache.plans / f"{key}.lock"):
        raw = cache.get(key)  # another process may have planned it while we waited
        if raw is None:
            LOG.info("plan cache miss %s: planning in %s", key, workdir)
            raw = _plan_and_show(workdir, workdir / f"{key}.tfplan", variables, binary, files,
                                 events=events)
            cache.put(key, raw)
    return Plan(raw, config_dir=workdir)


def _plan_and_show(workdir: Path, plan_file: Path, variables: Mapping[str, object] | None,
                   binary: str, files: Mapping[str, str | bytes], *,
                   events: Events | None = None) -> dict[str, Any]:
    """``plan -out`` then ``show -json``, on reattached providers when they are on.

    A provider that died mid-plan is started again and the plan retried once; a work dir
    whose linked providers do not fit its module (``init`` would have chosen others) is
    initialised on its own and the plan retried once.
    """
    for attempt in (1, 2):
        try:
            with reattached(workdir) as env:
                runner = Runner(workdir, binary=binary, env=env)
                runner.plan(plan_file, variables, events=events)
                try:
                    return runner.show(plan_file)
                finally:
                    plan_file.unlink(missing_ok=True)
        except TerraformError as exc:
            if attempt == 2:
                raise
            text = str(exc) + (exc.stderr or "")
            if any_dead():
                LOG.warning("a reattached provider died during the plan in %s; retrying", workdir)
            elif any(sign in text for sign in _INSTALL_MISMATCH) and \
                    (workdir / ".terraform" / "providers").is_symlink():
                LOG.warning("the shared providers do not fit %s; running init there", workdir)
                shutil.rmtree(workdir / ".terraform")  # the link only, never the shared dir
                own_lock = files.get(_LOCK_FILE)  # the module's own, else init writes one
                if own_lock is None:
                    (workdir / _LOCK_FILE).unlink(missing_ok=True)
                else:
                    (workdir / _LOCK_FILE).write_bytes(
                        own_lock.encode() if isinstance(own_lock, str) else own_lock)
                Runner(workdir, binary=binary).init()
            else:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def plan_module(module_dir: Path, variables: Mapping[str, object] | None = None, *,
                region: str = "us-east-1", cache_dir: Path | None = None,
                terraform: str | None = None) -> Plan:
    """Plan a module directory offline (the module has no provider block), cached by content."""
    return plan_files(module_files(Path(module_dir)), variables, region=region,
                      cache_dir=cache_dir, terraform=terraform)


def clear(cache_dir: Path | None = None) -> None:
    """Empty the plan cache (``cache_dir`` or the default)."""
    PlanCache(cache_dir).clear()
