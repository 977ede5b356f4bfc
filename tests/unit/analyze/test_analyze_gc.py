"""analyze() pauses the cyclic garbage collector for its run only (matrix.analyze): the
caller's setting comes back, also when the analysis raises, and the answer is the same
with the collector on or off."""

from __future__ import annotations

import gc

import pytest

from tierform.analyze import analyze, matrix
from tierform.network.model import Network
from unit.analyze.networks import flows, net


@pytest.mark.parametrize("enabled", [True, False])
def test_collector_setting_is_restored(enabled: bool) -> None:
    before = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        found = flows(net())
        assert gc.isenabled() is enabled
        broken = Network("plan", ())
        broken.subnets = None  # type: ignore[assignment]
        with pytest.raises((AttributeError, TypeError)):
            analyze(broken)
        assert gc.isenabled() is enabled
        assert flows(net()) == found
    finally:
        gc.enable() if before else gc.disable()


def test_collector_is_paused_during_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    real = matrix._family

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(matrix, "_family", spy)
    assert flows(net())
    assert seen
    assert not any(seen)
    assert gc.isenabled()
