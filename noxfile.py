"""Nox sessions. `nox` with no arguments runs every session not marked `default=False`,
in the order below: exactly what CI runs.

Terraform's provider comes from whatever mirror this machine has: the sessions
write their own CLI configuration for it (tests/tfenv.py) and share one plugin
cache and one plan cache under .tierform-cache/.

The sessions that need the package with its test extras share ONE virtualenv: they
`require` the `venv` session, which installs it once per nox run (not once per session),
and run its programs by path (venv_backend="none"). lint, security and demo keep their
own virtualenvs (ruff only; checkov overwrites hcl2; demo proves the `local` extra alone).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tests"))

from tfenv import configure_terraform_env  # noqa: E402

nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

PYTHON = "3.11"
CACHE = ROOT / ".tierform-cache"


def _terraform_env() -> dict[str, str]:
    env = configure_terraform_env(CACHE / "terraform")
    env.setdefault("TIERFORM_CACHE_DIR", str(CACHE / "plans"))
    return env


# "bin": the shared virtualenv's bin directory once the venv session ran (None: --no-venv).
_SHARED_VENV: dict[str, Path | None] = {}
_USES_SHARED_VENV = {"python": PYTHON, "venv_backend": "none", "requires": ["venv"]}


@nox.session(python=PYTHON, default=False)
def venv(session: nox.Session) -> None:
    """The virtualenv shared by typecheck, tests, render, plan, e2e and bench."""
    session.install("-e", ".[test]", "mypy>=1.10", "types-PyYAML", "boto3-stubs[ec2]")
    paths = session.bin_paths
    _SHARED_VENV["bin"] = Path(paths[0]) if paths else None


def _run(session: nox.Session, program: str, *args: str,
         env: dict[str, str] | None = None) -> None:
    """``program`` from the shared virtualenv, in that virtualenv's environment."""
    if "bin" not in _SHARED_VENV:
        session.error("the shared virtualenv is missing: run without --no-dependencies")
    bin_dir = _SHARED_VENV["bin"]
    if bin_dir is None:  # nox --no-venv: everything runs in nox's own environment
        session.run(program, *args, env=env)
        return
    session.run(str(bin_dir / program), *args,
                env={"VIRTUAL_ENV": str(bin_dir.parent),
                     "PATH": os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")]),
                     **(env or {})})


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff and the import contracts over the code; terraform fmt -check over the modules."""
    session.install("ruff>=0.5", "import-linter>=2.1,<3")
    session.run("ruff", "check", "generator", "tests", "noxfile.py", "bench")
    # The pipeline's import contracts ([tool.importlinter] in pyproject.toml).
    session.run("lint-imports", env={"PYTHONPATH": str(ROOT / "generator")})
    session.run("terraform", "fmt", "-check", "-recursive", "-diff", "modules", external=True)


@nox.session(**_USES_SHARED_VENV)
def typecheck(session: nox.Session) -> None:
    """mypy, strict on the package."""
    _run(session, "mypy")


@nox.session(**_USES_SHARED_VENV)
def tests(session: nox.Session) -> None:
    """Unit tests: no terraform."""
    _run(session, "pytest", "tests/unit", "-q", "-n", "2", *session.posargs,
         env=_terraform_env())


@nox.session(**_USES_SHARED_VENV)
def render(session: nox.Session) -> None:
    """Drift check: re-rendering blueprints/ reproduces modules/ byte for byte."""
    failed = []
    for blueprint in sorted((ROOT / "blueprints").glob("*.yaml")):
        target = ROOT / "modules" / blueprint.stem
        try:
            _run(session, "tierform", "render", str(blueprint), "-o", str(target), "--check")
        except nox.command.CommandFailed:
            failed.append(blueprint.name)
    if failed:
        session.error(f"modules/ drifted from blueprints/: {', '.join(failed)}; "
                      "run `tierform render blueprints/<name>.yaml -o modules/<name>`")


@nox.session(**_USES_SHARED_VENV)
def plan(session: nox.Session) -> None:
    """terraform validate + offline plan of every module, plan assertions, harness tests."""
    _run(session, "pytest", "tests/plan", "tests/harness", "-q", "-n", "2", *session.posargs,
         env=_terraform_env())


# Blueprints whose optional resources no shipped module has (alarms): checkov scans them too.
_SECURITY_FIXTURES = ("alarms.yaml", "inspected.yaml", "load-balanced.yaml", "vpn.yaml")


@nox.session(python=PYTHON, requires=["venv"])
def security(session: nox.Session) -> None:
    """checkov over every module in modules/ and over the rendered optional-resource fixtures.

    checkov has its own environment (it overwrites hcl2); the fixtures are rendered by the
    shared virtualenv's `tierform` into a scratch directory first.
    """
    session.install("checkov>=3.2,<4")
    env = {"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE",
           "LOG_LEVEL": "WARNING"}
    # One directory per run: checkov 3 given several `-d` reports the first one twice and
    # never the others. Not under .nox/: checkov skips directories below a hidden one.
    with tempfile.TemporaryDirectory(prefix="tierform-security-") as scratch:
        directories = [ROOT / "modules"]
        for name in _SECURITY_FIXTURES:
            target = Path(scratch) / Path(name).stem
            _run(session, "tierform", "render",
                 str(ROOT / "tests" / "plan" / "fixtures" / name), "-o", str(target))
            directories.append(target)
        for directory in directories:
            session.run("checkov", "-d", str(directory), "--framework", "terraform",
                        "--skip-download", "--compact", "--quiet", env=env)


@nox.session(**_USES_SHARED_VENV)
def e2e(session: nox.Session) -> None:
    """Apply every shipped blueprint to local AWS emulators (moto server on loopback).

    Three workers, one emulator each: e2e waits on the provider's polling far more than it
    computes (load stayed under 2.5 with two workers on two cores). The tests of one apply
    stay on one worker (loadscope: a module at a time, and every shipped blueprint has its
    own module; loadgroup does not group under pytest 9.2 with xdist 3.8, which sets a
    node id attribute pytest no longer reads). The order modules are handed out in is
    tests/e2e/conftest.py's (long modules first): xdist's reorder is off.
    """
    _run(session, "pytest", "tests/e2e", "-q", "-n", "3", "--dist", "loadscope",
         "--no-loadscope-reorder", *session.posargs, env=_terraform_env())


@nox.session(**_USES_SHARED_VENV, default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks: harness vs tftest's per-test pattern; analyzer scaling."""
    env = _terraform_env()
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        _run(session, "python", str(script), *session.posargs, env=env)


@nox.session(python=PYTHON, default=False)
def demo(session: nox.Session) -> None:
    """The main job: `tierform demo` on blueprints/three-tier.yaml against a local emulator."""
    session.install("-e", ".[local]")
    session.run("tierform", "demo", *session.posargs, env=_terraform_env())
