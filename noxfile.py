"""Nox sessions. `nox` with no arguments runs every session not marked `default=False`,
in the order below: exactly what CI runs.

Terraform's provider comes from whatever mirror this machine has: the sessions
write their own CLI configuration for it (tests/tfenv.py) and share one plugin
cache and one plan cache under .tierform-cache/.
"""

from __future__ import annotations

import sys
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


def _install(session: nox.Session, extras: str = "test") -> None:
    session.install("-e", f".[{extras}]")


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff and the import contracts over the code; terraform fmt -check over the modules."""
    session.install("ruff>=0.5", "import-linter>=2.1,<3")
    session.run("ruff", "check", "generator", "tests", "noxfile.py", "bench")
    # The pipeline's import contracts ([tool.importlinter] in pyproject.toml).
    session.run("lint-imports", env={"PYTHONPATH": str(ROOT / "generator")})
    session.run("terraform", "fmt", "-check", "-recursive", "-diff", "modules", external=True)


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy, strict on the package."""
    _install(session)
    session.install("mypy>=1.10", "types-PyYAML", "boto3-stubs[ec2]")
    session.run("mypy")


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Unit tests: no terraform."""
    _install(session)
    session.run("pytest", "tests/unit", "-q", "-n", "2", *session.posargs,
                env=_terraform_env())


@nox.session(python=PYTHON)
def render(session: nox.Session) -> None:
    """Drift check: re-rendering blueprints/ reproduces modules/ byte for byte."""
    _install(session)
    failed = []
    for blueprint in sorted((ROOT / "blueprints").glob("*.yaml")):
        target = ROOT / "modules" / blueprint.stem
        try:
            session.run("tierform", "render", str(blueprint), "-o", str(target), "--check")
        except nox.command.CommandFailed:
            failed.append(blueprint.name)
    if failed:
        session.error(f"modules/ drifted from blueprints/: {', '.join(failed)}; "
                      "run `tierform render blueprints/<name>.yaml -o modules/<name>`")


@nox.session(python=PYTHON)
def plan(session: nox.Session) -> None:
    """terraform validate + offline plan of every module, plan assertions, harness tests."""
    _install(session)
    session.run("pytest", "tests/plan", "tests/harness", "-q", "-n", "2", *session.posargs,
                env=_terraform_env())


@nox.session(python=PYTHON)
def security(session: nox.Session) -> None:
    """checkov over every module in modules/, in its own environment (it overwrites hcl2)."""
    session.install("checkov>=3.2,<4")
    session.run("checkov", "-d", "modules", "--framework", "terraform", "--skip-download",
                "--compact", "--quiet",
                env={"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE",
                     "LOG_LEVEL": "WARNING"})


@nox.session(python=PYTHON)
def e2e(session: nox.Session) -> None:
    """Apply every shipped blueprint to the local AWS emulator (moto server on loopback)."""
    _install(session)
    session.run("pytest", "tests/e2e", "-q", *session.posargs, env=_terraform_env())


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks: harness vs tftest's per-test pattern; analyzer scaling."""
    _install(session)
    env = _terraform_env()
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        session.run("python", str(script), *session.posargs, env=env)


@nox.session(python=PYTHON, default=False)
def demo(session: nox.Session) -> None:
    """The main job: `tierform demo` on blueprints/three-tier.yaml against a local emulator."""
    _install(session, extras="local")
    session.run("tierform", "demo", *session.posargs, env=_terraform_env())
