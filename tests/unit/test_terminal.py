"""A terminal that talks: colour only where it belongs, progress from Terraform's ``-json``
UI stream (a live line on a TTY, periodic lines in CI), the plan summary by resource type
and tier, apply's outputs as a table, "no changes" when there are none."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from cli_support import ROOT, tierform
from tierform import report, ui

UI_STREAMS = ROOT / "tests" / "fixtures" / "terraform_ui"
"""``terraform apply|destroy -json`` of two-tier against the local emulator, recorded by
a real run (each line: ``t`` seconds since the command started, ``m`` the message)."""
TWO_TIER = str(ROOT / "blueprints" / "two-tier.yaml")
THREE_TIER = ROOT / "blueprints" / "three-tier.yaml"
ESCAPE = "\x1b["


def _recorded(name: str) -> list[dict[str, Any]]:
    lines = (UI_STREAMS / f"{name}-two-tier.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(autouse=True)
def _auto_colour() -> Iterator[None]:
    ui.configure("auto")
    yield
    ui.configure("auto")


# --------------------------------------------------------------------------- colour


def _in_pty(*args: str, env: dict[str, str]) -> str:
    """Run tierform with stdout and stderr on a pseudo-terminal; what it printed."""
    controller, terminal = pty.openpty()
    full = {k: v for k, v in os.environ.items()
            if k not in ("NO_COLOR", "FORCE_COLOR", "CI", "TIERFORM_QUIET")}
    full.update({"TERM": "xterm-256color", **env})
    process = subprocess.Popen([sys.executable, "-m", "tierform.cli", *args], cwd=ROOT,
                               stdout=terminal, stderr=terminal, env=full)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(controller)
    assert process.returncode == 0
    return b"".join(chunks).decode()


def test_colour_on_a_terminal_and_not_with_no_color() -> None:
    shown = _in_pty("validate", TWO_TIER, env={})
    assert f"{ESCAPE}32mvalid{ESCAPE}0m" in shown
    plain = _in_pty("validate", TWO_TIER, env={"NO_COLOR": "1"})
    assert "valid" in plain
    assert ESCAPE not in plain
    never = _in_pty("--help", env={}) + _in_pty("validate", TWO_TIER, "--color", "never", env={})
    assert ESCAPE not in never


def test_no_colour_when_piped_unless_forced() -> None:
    piped = tierform("validate", TWO_TIER, drop=("FORCE_COLOR", "NO_COLOR"))
    assert piped.returncode == 0
    assert ESCAPE not in piped.stdout + piped.stderr
    forced = tierform("validate", TWO_TIER, env={"FORCE_COLOR": "1"}, drop=("NO_COLOR",))
    assert f"{ESCAPE}32mvalid" in forced.stdout
    always = tierform("validate", TWO_TIER, "--color", "always", env={"NO_COLOR": "1"})
    assert f"{ESCAPE}32mvalid" in always.stdout  # the flag beats the environment


def test_colour_rules_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert ui.color_enabled(Tty())
    assert not ui.color_enabled(io.StringIO())
    monkeypatch.setenv("TERM", "dumb")
    assert not ui.color_enabled(Tty())
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("FORCE_COLOR", "0")  # "0" forces nothing
    assert not ui.color_enabled(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not ui.color_enabled(Tty())
    ui.configure("always")
    assert ui.color_enabled(io.StringIO())
    assert ui.style("x", "bad", io.StringIO()) == f"{ESCAPE}31;1mx{ESCAPE}0m"
    ui.configure("never")
    assert ui.style("x", "bad", Tty()) == "x"


def test_a_live_line_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal the step is a redrawn status line (rich), then one line of its result."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("TIERFORM_QUIET", raising=False)
    ui.configure("always")
    stream = io.StringIO()
    clock = iter(float(n) for n in range(1000))
    with ui.progress("terraform apply two-tier", stream=stream,
                     clock=lambda: next(clock)) as events:
        for line in _recorded("apply"):
            events(line["m"])
    text = stream.getvalue()
    assert "\r" in text or ESCAPE in text  # redrawn in place
    assert re.search(r"terraform apply two-tier: 42/42 resources, 2 min 1\d s", text)
    assert re.search(r"terraform apply two-tier: done in 2 min 1\d s \(42/42 resources\)", text)


# --------------------------------------------------------------------------- progress


def _replay(name: str, *, every: float = ui.EVERY_SECONDS) -> list[str]:
    """Feed a recorded stream through ``progress`` in a non-TTY run, on its own clock."""
    stream = io.StringIO()
    now = [0.0]
    with ui.progress(f"terraform {name} two-tier", stream=stream, clock=lambda: now[0],
                     every=every) as events:
        for line in _recorded(name):
            now[0] = float(line["t"])
            events(line["m"])
    return stream.getvalue().splitlines()


@pytest.fixture
def _not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv("TIERFORM_QUIET", raising=False)


@pytest.mark.usefixtures("_not_a_terminal")
def test_apply_progress_in_ci_every_tenth_and_every_ten_seconds() -> None:
    lines = _replay("apply")
    assert lines[0] == "terraform apply two-tier..."
    assert lines[-1] == "terraform apply two-tier: done in 32 s (42/42 resources)"
    counted = [re.fullmatch(r"terraform apply two-tier: (\d+)/42 resources, (\d+) s", line)
               for line in lines[1:-1]]
    done = [int(m.group(1)) for m in counted if m]
    # A line as each tenth of the 42 resources completes (4.2, 8.4, ... 42), none twice.
    assert [n * 10 // 42 for n in done if n * 10 // 42 > 0] == list(range(1, 11))
    assert done == sorted(done)
    # While Terraform plans (12 s with no resource done), a line after 10 s says it is alive.
    waiting = [line for line in lines[1:-1] if not re.search(r"\d+/42 resources", line)]
    assert waiting == ["terraform apply two-tier: 1 change planned so far, 11 s"], lines


@pytest.mark.usefixtures("_not_a_terminal")
def test_destroy_progress_counts_what_its_plan_announced() -> None:
    lines = _replay("destroy")
    assert lines[-1] == "terraform destroy two-tier: done in 1 min 27 s (42/42 resources)"
    # Terraform said nothing for 45 s (the emulator was busy): the first message after the
    # silence prints a line with the time (in a real run a timer prints every 10 s).
    assert lines[1] == "terraform destroy two-tier: 45 s"
    done = [int(m.group(1)) for line in lines
            if (m := re.search(r": (\d+)/42 resources, 1 min 2\d s$", line))]
    assert done[0] == 0
    assert done[-1] == 42


def test_counts_of_a_reapply_say_no_changes() -> None:
    again = ui.TerraformProgress()
    for line in _recorded("reapply"):
        again.feed(line["m"])
    assert again.no_changes
    assert (again.total, again.done) == (0, 0)
    first = ui.TerraformProgress()
    for line in _recorded("apply"):
        first.feed(line["m"])
    assert not first.no_changes
    assert (first.total, first.done, first.summary) == (
        42, 42, {"add": 42, "change": 0, "import": 0, "operation": "apply", "remove": 0})


def test_quiet_shows_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIERFORM_QUIET", "1")
    stream = io.StringIO()
    with ui.progress("terraform apply two-tier", stream=stream) as events:
        for line in _recorded("apply"):
            events(line["m"])
    assert stream.getvalue() == ""


# --------------------------------------------------------------------------- summaries


def test_replace_update_and_delete_are_counted_apart() -> None:
    changes = [("aws_subnet", "web", ("delete", "create")), ("aws_subnet", "web", ("update",)),
               ("aws_route", None, ("delete",)), ("aws_vpc", None, ("no-op",)),
               ("aws_route", "app", ("create", "delete"))]
    by_type, by_tier = report.change_counts(changes)
    assert by_type == {"aws_route": {"create": 0, "update": 0, "replace": 1, "delete": 1},
                       "aws_subnet": {"create": 0, "update": 1, "replace": 1, "delete": 0}}
    assert list(by_tier) == ["app", "web", "(no tier)"]
    text = report.changes_table("x", changes)
    assert text.splitlines()[0] == "x: plan: 1 to update, 2 to replace, 1 to delete"
    assert report.changes_table("x", [("aws_vpc", None, ("no-op",))]) == "x: plan: no changes"


def test_outputs_are_a_table_of_leaves() -> None:
    outputs = {"vpc_id": "vpc-1",
               "subnet_ids": {"web": {"us-east-1a": "subnet-1", "us-east-1b": "subnet-2"}},
               "nat_public_ips": ["1.2.3.4", "5.6.7.8"], "flow_log": None,
               "groups": [{"id": "sg-1"}]}
    lines = report.outputs_table(outputs).splitlines()
    assert lines[0].split() == ["output", "value"]
    rows = [line.split() for line in lines[1:]]
    assert rows == [["flow_log", "null"], ["groups[0].id", "sg-1"],
                    ["nat_public_ips", "1.2.3.4,", "5.6.7.8"],
                    ["subnet_ids.web.us-east-1a", "subnet-1"],
                    ["subnet_ids.web.us-east-1b", "subnet-2"], ["vpc_id", "vpc-1"]]
    assert max(len(line) for line in lines) < 60
    assert report.outputs_table({}) == "(no outputs)"
