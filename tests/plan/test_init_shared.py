"""The plan cache's init dir is keyed by what init installs: a changed module never inits again.

Terraform runs are counted by a wrapper ``terraform`` first on PATH that logs its verb
and execs the real binary, so every run is seen, whoever starts it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tierform.terraform.cache import plan_files
from tierform.terraform.runner import module_files, resolve_binary

pytestmark = pytest.mark.terraform

TINY = Path(__file__).resolve().parent / "fixtures" / "tiny"
_EXTRA_SUBNET = b"""
resource "aws_subnet" "app_a" {
  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, 11)
  availability_zone = "us-east-1a"
  tags              = { Name = "tiny-app-a", Tier = "app" }
}
"""
_CHILD_CALL = b"""
module "extra" {
  source = "./extra"
  vpc_id = aws_vpc.this.id
}
"""
_CHILD = b"""variable "vpc_id" {
  type = string
}

resource "aws_subnet" "this" {
  vpc_id     = var.vpc_id
  cidr_block = "10.9.99.0/24"
  tags       = { Name = "tiny-extra", Tier = "extra" }
}
"""


@pytest.fixture
def wrapper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A ``terraform`` on PATH that appends its verb to a log, then runs the real one."""
    real = resolve_binary()
    folder, log = tmp_path / "bin", tmp_path / "verbs.log"
    folder.mkdir()
    script = folder / "terraform"
    script.write_text(f'#!/bin/sh\necho "$1" >> "{log}"\nexec "{real}" "$@"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("TIERFORM_TERRAFORM", raising=False)
    assert shutil.which("terraform") == str(script)
    return script, log


def _verbs(log: Path) -> list[str]:
    return log.read_text().split() if log.exists() else []


def test_two_different_modules_run_init_once(tmp_path: Path, wrapper: tuple[Path, Path]) -> None:
    _script, log = wrapper
    cache = tmp_path / "cache"
    first = module_files(TINY)
    second = {**first, "main.tf": first["main.tf"] + _EXTRA_SUBNET}
    third = {**first, "main.tf": first["main.tf"] + _CHILD_CALL, "extra/main.tf": _CHILD}

    plans = [plan_files(files, cache_dir=cache) for files in (first, second)]
    assert _verbs(log).count("init") == 1, _verbs(log)
    assert _verbs(log).count("plan") == 2
    # Each plan is its own module's: the shared providers did not blur the configurations.
    assert [len(p.resources("aws_subnet")) for p in plans] == [2, 3]
    assert plans[0].config_dir != plans[1].config_dir
    assert (plans[1].config_dir / "main.tf").read_bytes() == second["main.tf"]

    # A local child module installs no provider: its dir gets `get`, not `init`.
    child = plan_files(third, cache_dir=cache)
    verbs = _verbs(log)
    assert verbs.count("init") == 1 + 1, verbs  # the child's folder names a provider of its own
    assert verbs.count("get") == 1
    assert [r.address for r in child.resources("aws_subnet") if "extra" in r.address] == [
        "module.extra.aws_subnet.this"]

    # A fourth module like the third, changed: no init at all.
    fourth = {**third, "extra/main.tf": _CHILD.replace(b"10.9.99.0/24", b"10.9.98.0/24")}
    plan_files(fourth, cache_dir=cache)
    assert _verbs(log).count("init") == 2
    assert _verbs(log).count("get") == 2


def test_linked_providers_that_do_not_fit_are_initialised_alone(
        tmp_path: Path, wrapper: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A lock file whose checksums the linked providers fail: init runs in the plan dir
    (never in the shared dir) and the plan succeeds."""
    _script, log = wrapper
    # Terraform checks the lock file of the providers it starts, not of reattached ones.
    monkeypatch.setenv("TIERFORM_REATTACH", "0")
    cache = tmp_path / "cache"
    plan_files(module_files(TINY), cache_dir=cache)
    shared = next((cache / "init").glob("*/.terraform/providers"))
    before = sorted(p.relative_to(shared).as_posix() for p in shared.rglob("*"))
    # Break the shared lock file: the next module's copy no longer fits its providers.
    lock = shared.parent.parent / ".terraform.lock.hcl"
    lock.write_text(lock.read_text().replace("h1:", "h1:broken"))
    changed = {**module_files(TINY), "main.tf": module_files(TINY)["main.tf"] + _EXTRA_SUBNET}
    plan = plan_files(changed, cache_dir=cache)
    assert len(plan.resources("aws_subnet")) == 3
    assert _verbs(log).count("init") == 2
    assert sorted(p.relative_to(shared).as_posix() for p in shared.rglob("*")) == before
    assert not (plan.config_dir / ".terraform" / "providers").is_symlink()
