"""ReattachedRunner hands ``TF_REATTACH_PROVIDERS`` to the verbs that start providers only,
restarts its provider when the AWS_* variables change, and is a plain Runner when turned
off. Shell scripts stand in for terraform (it prints the value it got) and for a provider
binary in debug mode (it prints its value with its pid, then waits)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tierform.terraform import reattach
from tierform.terraform.reattach import ReattachedRunner

_PROVIDER = """#!/bin/sh
echo "TF_REATTACH_PROVIDERS='{\\"registry.terraform.io/hashicorp/aws\\":{\\"Pid\\":$$}}'"
exec sleep 600
"""


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ReattachedRunner]:
    monkeypatch.setenv(reattach.REATTACH_ENV, "1")
    folder = (tmp_path / ".terraform" / "providers" / "registry.terraform.io" / "hashicorp"
              / "aws" / "9.9.9" / "linux_amd64")
    folder.mkdir(parents=True)
    provider = folder / "terraform-provider-aws_v9.9.9"
    provider.write_text(_PROVIDER, encoding="utf-8")
    provider.chmod(0o755)
    terraform = tmp_path / "terraform"
    terraform.write_text('#!/bin/sh\necho "${TF_REATTACH_PROVIDERS:-none}"\n', encoding="utf-8")
    terraform.chmod(0o755)
    reattach.stop_all()
    yield ReattachedRunner(tmp_path, binary=str(terraform))
    reattach.stop_all()


def _pid(runner: ReattachedRunner, verb: str) -> int | None:
    """The provider pid terraform was told to reattach to for ``verb`` (None: not told)."""
    out = runner.execute(verb).out.strip()
    if out == "none":
        return None
    value: int = json.loads(out)["registry.terraform.io/hashicorp/aws"]["Pid"]
    return value


def _gone(pid: int) -> bool:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except FileNotFoundError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.1)
    return False


def test_provider_verbs_get_the_shared_provider_the_others_do_not(
        runner: ReattachedRunner) -> None:
    pid = _pid(runner, "apply")
    assert pid is not None
    assert pid in reattach.running().values()
    for verb in ("destroy", "show", "refresh", "plan"):
        assert _pid(runner, verb) == pid  # one process for all of them
    for verb in ("init", "output", "version", "fmt"):
        assert _pid(runner, verb) is None  # these start no provider


def test_new_aws_variables_start_a_new_provider_and_stop_the_old(
        runner: ReattachedRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _pid(runner, "apply")
    assert first is not None
    monkeypatch.setenv("PYTEST_UNRELATED_VARIABLE", "x")  # not one the provider reads
    assert _pid(runner, "show") == first
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "9")
    second = _pid(runner, "show")
    assert second not in (None, first)
    assert _gone(first)
    assert list(reattach.running().values()) == [second]


def test_turned_off_it_is_a_plain_runner(runner: ReattachedRunner,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(reattach.REATTACH_ENV, "0")
    monkeypatch.delenv("TF_REATTACH_PROVIDERS", raising=False)
    assert _pid(runner, "apply") is None
    assert reattach.running() == {}
    assert os.environ.get("TF_REATTACH_PROVIDERS") is None
