"""End-to-end set-up: one local AWS emulator (moto server) for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tierform.localaws import LocalAWS


@pytest.fixture(scope="session")
def local_aws() -> Iterator[LocalAWS]:
    """A moto server on a free loopback port, stopped at the end of the session."""
    with LocalAWS() as aws:
        yield aws
