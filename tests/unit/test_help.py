"""``--help`` describes every option of every command, with examples and exit codes, and
the README's command table lists exactly the parser's commands and options."""

from __future__ import annotations

import argparse
import re

import pytest

from cli_support import ROOT, tierform
from tierform.cli import COMMANDS, build_parser

COMMON = {"--help", "-h", "--color"}
"""Options every command has: described once under the README's table."""


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    found = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(found[0].choices) if found else {}


def _commands() -> dict[str, argparse.ArgumentParser]:
    return _subcommands(build_parser())


def _leaves() -> dict[str, argparse.ArgumentParser]:
    """Every command a user runs: ``logs check`` rather than ``logs``."""
    leaves: dict[str, argparse.ArgumentParser] = {}
    for name, command in _commands().items():
        nested = _subcommands(command)
        leaves.update({f"{name} {n}": c for n, c in nested.items()} or {name: command})
    return leaves


def _options(command: argparse.ArgumentParser) -> set[str]:
    return {flag for action in command._actions for flag in action.option_strings}


def test_every_command_is_in_the_parser_and_registered() -> None:
    assert set(_commands()) == set(COMMANDS)


@pytest.mark.parametrize("name", sorted(_leaves()))
def test_every_option_of_every_subcommand_is_described(name: str) -> None:
    for action in _leaves()[name]._actions:
        if not isinstance(action, argparse._HelpAction):
            assert action.help, f"{name} {action.option_strings or [action.dest]}: no help"


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_option_is_described_with_examples_and_exit_codes(name: str) -> None:
    command = _commands()[name]
    for action in command._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        what = action.option_strings or [action.dest]
        assert action.help, f"{name} {what}: no help"
        assert action.help != argparse.SUPPRESS, f"{name} {what}: help suppressed"
    epilog = command.epilog or ""
    assert "examples:\n  tierform " + name in epilog
    assert re.search(r"exit codes: 0\b", epilog)
    shown = command.format_help()
    for flag in _options(command) - {"-h"}:
        assert flag in shown, f"{name} --help does not show {flag}"


def test_the_wording_the_issue_named() -> None:
    shown = tierform("destroy", "--help")
    assert shown.returncode == 0
    text = shown.stdout
    assert "start" not in text.split("--local", 1)[1].split("--endpoint", 1)[0]
    assert "stop" in text


def _readme_rows() -> dict[str, set[str]]:
    """The README's command table: command -> every option its rows name."""
    readme = (ROOT / "README.md").read_text()
    table = readme.split("| command | what it does |", 1)[1].split("\n\n", 1)[0]
    rows: dict[str, set[str]] = {}
    for line in table.splitlines():
        match = re.match(r"\| `tierform ([a-z]+(?: [a-z]+)?)([^`]*)`", line)
        if match:
            found = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", match.group(2)))
            rows.setdefault(match.group(1), set()).update(found)
    return rows


def test_the_readme_table_lists_every_command_and_option_and_no_other() -> None:
    rows = _readme_rows()
    commands = _leaves()
    assert set(rows) == set(commands)
    for name, command in commands.items():
        assert rows[name] == _options(command) - COMMON, name
    readme = (ROOT / "README.md").read_text()
    assert "Every command takes `--color auto|always|never` and `--help`" in readme
