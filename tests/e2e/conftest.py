"""End-to-end set-up: one local AWS emulator (moto server) per worker, emptied per module.

Fixtures, for test files of their own (their names are stable):

- ``local_aws`` (session): the worker's ``LocalAWS``; ``local_aws.endpoint`` is the URL for
  the provider (``localaws.provider_hcl``) and boto3 (``localaws.client``).
- Every test module starts on an empty emulator: after a module's last test (and its
  module-scoped fixtures' teardown) the emulator is reset (moto's reset API, a fraction
  of a second) instead of destroying what the module applied. So a fixture or test needs
  no ``terraform destroy`` in its clean-up; destroy only where a test asserts what the
  destroy does. A network must not be expected to outlive its module.
- Grouping (CI runs ``-n 3 --dist loadscope --no-loadscope-reorder``): the tests of one
  module stay on one worker, so a module-scoped apply is built once. Modules marked
  ``e2e_long`` (several applies and destroys: minutes each) are handed out first, then the
  rest by test count, most first: xdist's own reorder sorts by test count alone, which
  left a long one-test module to start last and run on alone after the others finished.
  (``--dist loadgroup`` would not keep them together here: xdist 3.8 marks a group by
  rewriting ``item._nodeid``, which pytest 9.2 no longer reads, so every test becomes a
  group of its own.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from e2e_support import long_modules_first

from tierform.localaws import LocalAWS

_STARTED: list[LocalAWS] = []
"""The worker's session emulator, once a test asked for it (none: nothing to reset)."""


@pytest.fixture(scope="session")
def local_aws() -> Iterator[LocalAWS]:
    """A moto server on a free loopback port, stopped at the end of the session."""
    with LocalAWS() as aws:
        _STARTED.append(aws)
        try:
            yield aws
        finally:
            _STARTED.remove(aws)


@pytest.fixture(scope="module", autouse=True)
def _empty_emulator_per_module() -> Iterator[None]:
    """Reset the session emulator after each module (set up first, so torn down last:
    after the module's own fixtures). Starts nothing a module did not ask for."""
    yield
    for aws in _STARTED:
        if aws.running:
            aws.reset()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Long modules first (e2e_support.long_modules_first): the order xdist hands them out."""
    items[:] = long_modules_first(items)
