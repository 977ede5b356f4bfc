"""pytest plugin (entry point ``pytest11: tierform``): render, plan and emulate from any project.

Fixtures:

- ``tierform_render(blueprint) -> Path``: the rendered module in a temporary folder.
- ``tierform_plan(blueprint_or_module, variables=None) -> Plan``: an offline plan,
  cached by content, so unchanged inputs never run terraform again.
- ``tierform_local_aws``: the endpoint URL of a local AWS emulator, one per session.

Terraform that is missing or too old is an error with what to do, never a skip: a
skipped plan test would pass CI without proving anything.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from tierform.localaws import LocalAWS
from tierform.render.writer import write_module
from tierform.terraform.cache import CACHE_ENV, DEFAULT_CACHE_DIR, PlanCache, plan_module
from tierform.terraform.plan import Plan
from tierform.workflow import plan_blueprint, render_blueprint

__all__ = [
    "PlanFactory",
    "RenderFactory",
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "tierform_cache_dir",
    "tierform_local_aws",
    "tierform_plan",
    "tierform_render",
    "tierform_terraform",
]

PlanFactory = Callable[..., Plan]
RenderFactory = Callable[[Path | str], Path]

_BLUEPRINT_SUFFIXES = (".yaml", ".yml")
_PLAN_FIXTURES = {"tierform_plan"}
_E2E_FIXTURES = {"tierform_local_aws"}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tierform", "tierform: render, plan and test layered networks")
    group.addoption("--tierform-terraform", default=None, metavar="BINARY",
                    help="terraform or tofu executable (default: $TIERFORM_TERRAFORM or terraform)")
    group.addoption("--tierform-cache-dir", default=None, metavar="DIR",
                    help=f"plan cache folder (default: ${CACHE_ENV} or <rootdir>/"
                         f"{DEFAULT_CACHE_DIR})")
    group.addoption("--tierform-clear-cache", action="store_true", default=False,
                    help="empty the plan cache before the session")


def _cache_dir(config: pytest.Config) -> Path:
    option = config.getoption("--tierform-cache-dir")
    if option:
        return Path(option).resolve()
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).resolve()
    return Path(config.rootpath) / DEFAULT_CACHE_DIR


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "terraform: needs the terraform binary and the AWS provider")
    config.addinivalue_line("markers", "e2e: applies to the local AWS emulator")
    # Under pytest-xdist only the controller (no `workerinput`) clears, before workers start.
    if config.getoption("--tierform-clear-cache", default=False) and not hasattr(
            config, "workerinput"):
        PlanCache(_cache_dir(config)).clear()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by the fixtures they use, so ``-m "not terraform"`` selects fast tests."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & _PLAN_FIXTURES:
            item.add_marker(pytest.mark.terraform)
        if names & _E2E_FIXTURES:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def tierform_cache_dir(pytestconfig: pytest.Config) -> Path:
    """The plan cache folder of this session."""
    return _cache_dir(pytestconfig)


@pytest.fixture(scope="session")
def tierform_terraform(pytestconfig: pytest.Config) -> str | None:
    """The terraform binary chosen by ``--tierform-terraform`` (None: the default)."""
    value: str | None = pytestconfig.getoption("--tierform-terraform")
    return value


@pytest.fixture
def tierform_render(tmp_path_factory: pytest.TempPathFactory) -> RenderFactory:
    """Callable: blueprint path -> folder holding its rendered module (fresh per call)."""

    def render(blueprint: Path | str) -> Path:
        files, _region = render_blueprint(Path(blueprint))
        target = tmp_path_factory.mktemp(Path(blueprint).stem)
        write_module(files, target)
        return target

    return render


@pytest.fixture(scope="session")
def tierform_plan(tierform_cache_dir: Path, tierform_terraform: str | None) -> PlanFactory:
    """Callable: blueprint file or module folder (+ variables) -> Plan, cached by content."""

    def plan(source: Path | str, variables: Mapping[str, object] | None = None, *,
             region: str | None = None) -> Plan:
        path = Path(source)
        if path.is_file() and path.suffix in _BLUEPRINT_SUFFIXES:
            return plan_blueprint(path, variables, region=region, cache_dir=tierform_cache_dir,
                                  terraform=tierform_terraform)
        return plan_module(path, variables, region=region or "us-east-1",
                           cache_dir=tierform_cache_dir, terraform=tierform_terraform)

    return plan


@pytest.fixture(scope="session")
def tierform_local_aws() -> Iterator[str]:
    """The endpoint URL of a local AWS emulator (moto server), running for the session."""
    with LocalAWS() as local:
        yield str(local.endpoint)
