"""Releases a team can pin: the version is written once (semver), the package metadata
reads it from there, `tierform --version` prints it, and the changelog has its sections."""

from __future__ import annotations

import re
import tomllib

from cli_support import ROOT, tierform
from tierform import __version__

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def test_version_is_semver_and_written_once() -> None:
    assert SEMVER.fullmatch(__version__)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    source = ROOT / project["tool"]["hatch"]["version"]["path"]
    assert re.findall(r'^__version__ = "([^"]+)"$', source.read_text(encoding="utf-8"),
                      re.M) == [__version__]


def test_cli_prints_the_version() -> None:
    result = tierform("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"tierform {__version__}"


def test_changelog_has_unreleased_and_dated_release_sections() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\](.*)$", text, re.M)
    assert headings[0][0] == "Unreleased"
    for version, rest in headings[1:]:
        assert SEMVER.fullmatch(version), version
        assert re.fullmatch(r" - \d{4}-\d{2}-\d{2}", rest), rest
    assert "Semantic Versioning" in text
    assert "### Added" in text.split("\n## [", 2)[1]  # the kit is in the Unreleased section


def test_readme_pins_the_released_version() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.findall(r"^  rev: (v\S+)$", text, re.M) == [f"v{__version__}"]
