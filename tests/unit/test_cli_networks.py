"""``reach --network NAME=CIDR``: named networks for a plan or state read without a
blueprint are endpoints of the matrix and of queries; bad ones are usage errors (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_support import ROOT, tierform

STATE = ROOT / "tests" / "fixtures" / "handwritten" / "three-tier.state.json"
BLUEPRINT = ROOT / "blueprints" / "three-tier.yaml"


def test_a_named_network_is_a_row_a_column_and_a_query_end(tmp_path: Path) -> None:
    done = tierform("reach", str(STATE), "--network", "corp=192.168.0.0/16", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    header = next(line for line in done.stdout.splitlines() if line.startswith("from"))
    # Then the state's gateway endpoints' services (R5).
    assert header.split()[-4:] == ["corp", "internet", "aws:dynamodb", "aws:s3"]
    assert any(line.startswith("corp ") for line in done.stdout.splitlines())
    without = tierform("reach", str(STATE), "--from", "corp", "--to", "Web", "--port", "443",
                       cwd=tmp_path)
    assert without.returncode == 2
    assert "unknown endpoint 'corp'" in without.stderr
    query = tierform("reach", str(STATE), "--network", "corp=192.168.0.0/16", "--from", "corp",
                     "--to", "Web", "--port", "443", cwd=tmp_path)
    assert query.returncode == 1, query.stdout + query.stderr  # blocked, by a named rule
    assert query.stdout.startswith("corp -> Web tcp 443: blocked")


@pytest.mark.parametrize(("args", "message"), [
    (("--network", "corp"), "is not NAME=CIDR"),
    (("--network", "Corp=10.9.0.0/16"), "is not NAME=CIDR"),
    (("--network", "corp=10.9.0.0/33"), "is not an IPv4 or IPv6 network"),
    (("--network", "corp=192.168.0.0/16", "--network", "corp=192.168.0.0/16"), "given twice"),
    (("--network", "internet=192.168.0.0/16"), "'internet' is built in"),
    (("--network", "corp=10.0.5.0/24"), "overlaps the VPC (10.0.0.0/16)"),
])
def test_bad_named_networks_are_usage_errors(tmp_path: Path, args: tuple[str, ...],
                                             message: str) -> None:
    done = tierform("reach", str(STATE), *args, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_blueprint_names_its_own_networks(tmp_path: Path) -> None:
    done = tierform("reach", str(BLUEPRINT), "--network", "corp=192.168.0.0/16", cwd=tmp_path)
    assert done.returncode == 2
    assert "a blueprint names its networks itself" in done.stderr
