"""`--provider-mirror` sets the variable terraform.cliconfig reads, for one command only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tierform import cli
from tierform.terraform.cliconfig import PROVIDER_MIRROR_ENV


def test_the_flag_names_the_variable_cliconfig_reads() -> None:
    assert cli._MIRROR_ENV == PROVIDER_MIRROR_ENV


def test_the_flag_holds_for_the_command_and_is_restored(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str | None] = []
    monkeypatch.setitem(cli.COMMANDS, "plan", lambda args: seen.append(
        os.environ.get(PROVIDER_MIRROR_ENV)) or 0)
    monkeypatch.setenv(PROVIDER_MIRROR_ENV, "/before")
    assert cli.main(["plan", "bp.yaml", "--provider-mirror", str(tmp_path)]) == 0
    assert seen == [str(tmp_path)]
    assert os.environ[PROVIDER_MIRROR_ENV] == "/before"
    monkeypatch.delenv(PROVIDER_MIRROR_ENV)
    assert cli.main(["plan", "bp.yaml", "--provider-mirror", "rel"]) == 0
    assert seen[-1] == os.path.abspath("rel")
    assert PROVIDER_MIRROR_ENV not in os.environ
