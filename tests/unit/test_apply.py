"""apply_module / destroy_module around terraform: the work directory's ownership and lock,
bounded retries of emulator server errors, one emulator for two ``--local`` runs.

A stand-in terraform (a script, as in test_runner) plays the verbs and fails on cue, so
these run without the AWS provider; the real thing is in tests/e2e (test_apply_retry,
test_cli_apply)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from contextlib import suppress
from pathlib import Path

import pytest

from cli_support import EMULATOR_TAG, emulators_tagged
from tierform import apply
from tierform.apply import apply_module, destroy_module
from tierform.errors import OutputError, TerraformError
from tierform.localaws import detached
from tierform.render.writer import MARKER

MODULE = {"main.tf": 'resource "aws_vpc" "this" {\n  cidr_block = "10.0.0.0/16"\n}\n',
          "outputs.tf": 'output "vpc_id" {\n  value = aws_vpc.this.id\n}\n',
          "example/main.tf": 'module "m" {\n  source = "../"\n}\n'}
ENDPOINT = "http://127.0.0.1:45999"  # never contacted: the stand-in terraform makes no calls
SERVER_ERROR = ("Error: creating EC2 VPC: operation error EC2: CreateVpc, exceeded maximum "
                "number of attempts, 3, https response error StatusCode: 500, RequestID: x, "
                "api error InternalError: boom")
CLIENT_ERROR = ("Error: creating EC2 VPC: operation error EC2: CreateVpc, https response "
                "error StatusCode: 400, RequestID: x, api error InvalidParameterValue: no")

_FAKE = textwrap.dedent('''\
    #!{python}
    """A terraform that plays each verb from a script: ok, or fail with a given message."""
    import json, os, sys, time
    from pathlib import Path
    control = Path({control!r})
    verb = sys.argv[1]
    started = time.time()
    script = json.loads((control / "script.json").read_text())
    counts_file = control / "counts.json"
    counts = json.loads(counts_file.read_text()) if counts_file.exists() else {{}}
    run = counts.get(verb, 0)
    counts[verb] = run + 1
    counts_file.write_text(json.dumps(counts))
    outcomes = script.get(verb, ["ok"])
    outcome = outcomes[min(run, len(outcomes) - 1)]
    if verb == "init":
        Path(".terraform").mkdir(exist_ok=True)
        Path(".terraform.lock.hcl").write_text("# lock\\n")
    if verb in ("apply", "destroy"):
        time.sleep(script.get("sleep", 0))
        provider = Path("_tierform_provider.tf").read_text()
        endpoint = provider.split('ec2 ')[1].split('"')[1] if 'ec2 ' in provider else ""
        with open(control / "runs.log", "a") as log:
            log.write(json.dumps([verb, started, time.time(), endpoint]) + "\\n")
        Path("terraform.tfstate").write_text('{{"version": 4}}')
    if verb == "output":
        print(json.dumps({{"vpc_id": {{"value": "vpc-123"}}}}))
    if outcome != "ok":
        sys.stderr.write(outcome + "\\n")
        sys.exit(1)
''')


class FakeTerraform:
    """The stand-in binary and its control folder (script in, runs out)."""

    def __init__(self, folder: Path) -> None:
        self.control = folder / "control"
        self.control.mkdir(parents=True)
        self.binary = folder / "terraform"
        self.binary.write_text(_FAKE.format(python=sys.executable, control=str(self.control)))
        self.binary.chmod(0o755)
        self.script({})

    def script(self, plays: dict[str, object]) -> None:
        (self.control / "script.json").write_text(json.dumps(plays))
        (self.control / "counts.json").unlink(missing_ok=True)

    def runs(self, verb: str | None = None) -> list[list[object]]:
        log = self.control / "runs.log"
        lines = log.read_text().splitlines() if log.exists() else []
        return [run for run in map(json.loads, lines) if verb is None or run[0] == verb]


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeTerraform:
    monkeypatch.setattr(apply, "_RETRY_PAUSE", 0.0)
    return FakeTerraform(tmp_path / "tf")


def _apply(workdir: Path, fake: FakeTerraform, messages: list[str] | None = None,
           **kwargs: object) -> dict[str, object]:
    from collections.abc import Iterator
    from contextlib import contextmanager

    @contextmanager
    def progress(message: str) -> Iterator[None]:
        if messages is not None:
            messages.append(message)
        yield

    return apply_module(MODULE, name="net", region="us-east-1", workdir=workdir,
                        endpoint=ENDPOINT, terraform=str(fake.binary), progress=progress,
                        **kwargs)  # type: ignore[arg-type]


# --- retries -------------------------------------------------------------------------------


def test_server_errors_are_retried(tmp_path: Path, fake: FakeTerraform) -> None:
    fake.script({"apply": [SERVER_ERROR, SERVER_ERROR, "ok"]})
    messages: list[str] = []
    assert _apply(tmp_path / "work", fake, messages) == {"vpc_id": "vpc-123"}
    assert len(fake.runs("apply")) == 3
    assert [m for m in messages if "again" in m] == [
        "the emulator answered with a server error (HTTP 5xx); running terraform apply "
        f"again ({n} of 3)" for n in (2, 3)]


def test_retries_are_bounded(tmp_path: Path, fake: FakeTerraform) -> None:
    fake.script({"apply": [SERVER_ERROR] * 5})
    with pytest.raises(TerraformError) as caught:
        _apply(tmp_path / "work", fake)
    assert len(fake.runs("apply")) == 3
    text = str(caught.value)
    assert caught.value.exit_code == 1
    assert "StatusCode: 500" in text
    assert "terraform apply ran 3 times; the emulator answered with a server error" in text
    assert f"The state is kept in {tmp_path / 'work'}" in text
    assert (tmp_path / "work" / "terraform.tfstate").is_file()


def test_other_errors_are_not_retried(tmp_path: Path, fake: FakeTerraform) -> None:
    fake.script({"apply": [CLIENT_ERROR, "ok"]})
    with pytest.raises(TerraformError, match="StatusCode: 400") as caught:
        _apply(tmp_path / "work", fake)
    assert len(fake.runs("apply")) == 1
    assert "ran" not in str(caught.value).split("StatusCode: 400")[1].split("\n")[0]
    # A server error, then another kind: the second is reported, with the count.
    fake.script({"apply": [SERVER_ERROR, CLIENT_ERROR]})
    with pytest.raises(TerraformError, match=r"ran 2 times.*each time but the last"):
        _apply(tmp_path / "work", fake)


def test_destroy_retries_server_errors(tmp_path: Path, fake: FakeTerraform) -> None:
    _apply(tmp_path / "work", fake)
    fake.script({"destroy": [SERVER_ERROR, "ok"]})
    destroy_module(MODULE, name="net", region="us-east-1", workdir=tmp_path / "work",
                   endpoint=ENDPOINT, terraform=str(fake.binary))
    assert len(fake.runs("destroy")) == 2


# --- the work directory --------------------------------------------------------------------


def test_a_foreign_work_directory_is_refused_before_anything_runs(tmp_path: Path,
                                                                  fake: FakeTerraform) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "main.tf").write_text("# the user's own configuration\n")
    with pytest.raises(OutputError, match=r"not written by tierform.*--workdir") as caught:
        _apply(work, fake)
    assert caught.value.exit_code == 2
    assert sorted(p.name for p in work.iterdir()) == ["main.tf"]
    assert (work / "main.tf").read_text() == "# the user's own configuration\n"
    assert fake.runs() == []
    assert not (fake.control / "counts.json").exists()  # not even init


def test_a_users_file_in_the_work_directory_is_kept(tmp_path: Path, fake: FakeTerraform) -> None:
    work = tmp_path / "work"
    _apply(work, fake)
    assert sorted(p.name for p in work.iterdir()) == sorted(
        [MARKER, ".terraform", ".terraform.lock.hcl", "_tierform_provider.tf", "main.tf",
         "outputs.tf", "terraform.tfstate"])  # no example/: a second configuration
    (work / "notes.txt").write_text("mine\n")
    (work / "override.tf").write_text("# mine too\n")
    _apply(work, fake)
    assert (work / "notes.txt").read_text() == "mine\n"
    assert (work / "override.tf").read_text() == "# mine too\n"
    assert len(fake.runs("apply")) == 2
    assert json.loads((fake.control / "counts.json").read_text())["init"] == 1  # .terraform kept


_CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from tierform import apply
    from tierform.apply import apply_module
    module = {"main.tf": "# m\\n"}
    local = sys.argv[3] == "local"
    out = apply_module(module, name="net", region="us-east-1", workdir=Path(sys.argv[1]),
                       local=local, endpoint=None if local else "http://127.0.0.1:45999",
                       terraform=sys.argv[2])
    print(out["vpc_id"], flush=True)
""")


def _children(work: Path, fake: FakeTerraform, mode: str, tag: str = "") -> None:
    env = {**os.environ, EMULATOR_TAG: tag}
    children = [subprocess.Popen([sys.executable, "-c", _CHILD, str(work), str(fake.binary),
                                  mode], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, env=env) for _ in range(2)]
    for child in children:
        out, err = child.communicate(timeout=180)
        assert child.returncode == 0, err
        assert out == "vpc-123\n"


def test_two_applies_into_one_work_directory_run_one_after_the_other(
        tmp_path: Path, fake: FakeTerraform) -> None:
    fake.script({"sleep": 1.0})
    _children(tmp_path / "work", fake, "endpoint")
    first, second = sorted(fake.runs("apply"), key=lambda run: float(run[1]))  # type: ignore[arg-type]
    assert float(first[2]) <= float(second[1]), "the two applies overlapped"  # type: ignore[arg-type]


def test_two_local_applies_share_one_emulator(tmp_path: Path, fake: FakeTerraform) -> None:
    work = tmp_path / "work"
    tag = f"{os.getpid()}-{tmp_path.name}"
    fake.script({"sleep": 0.5})
    try:
        _children(work, fake, "local", tag)
        record = detached.recorded(work)
        assert record is not None
        assert emulators_tagged(tag) == [record[1]], "the second apply started another emulator"
        assert {run[3] for run in fake.runs("apply")} == {record[0]}
        destroy_module({"main.tf": "# m\n"}, name="net", region="us-east-1", workdir=work,
                       local=True, terraform=str(fake.binary))
        assert detached.recorded(work) is None
        deadline = time.monotonic() + 15
        while emulators_tagged(tag) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert emulators_tagged(tag) == []
    finally:
        for pid in emulators_tagged(tag):  # whatever a failure left running
            with suppress(OSError):
                os.killpg(pid, signal.SIGTERM)
