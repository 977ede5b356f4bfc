"""Reading a plan or state JSON file (readers/files.py): kind detection and every error."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tierform.errors import ReadError
from tierform.readers.files import detect_kind, network_from_json_file, read_network


def test_detect_kind_and_file_errors(tmp_path: Path) -> None:
    assert detect_kind({"planned_values": {}}) == "plan"
    assert detect_kind({"values": {"root_module": {}}}) == "state"
    raw = tmp_path / "terraform.tfstate"
    raw.write_text(json.dumps({"version": 4, "resources": []}))
    with pytest.raises(ReadError, match="terraform show -json"):
        network_from_json_file(raw)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": 1}))
    with pytest.raises(ReadError, match="neither a plan nor a state"):
        network_from_json_file(other)
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(ReadError, match="not JSON"):
        network_from_json_file(broken)
    with pytest.raises(ReadError, match="cannot read"):
        network_from_json_file(tmp_path / "missing.json")


STATE_FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "handwritten" / \
    "three-tier.state.json"


def test_read_network_says_what_it_read(tmp_path: Path) -> None:
    kind, network = read_network(STATE_FIXTURE)
    assert (kind, network.source) == ("state", "state")
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"planned_values": {"root_module": {}}}))
    kind, network = read_network(plan, named_networks={"corp": "192.168.0.0/16"})
    assert (kind, network.source, list(network.named_networks)) == ("plan", "plan", ["corp"])


@pytest.mark.parametrize(("content", "message"), [
    ("[1]", r"^{path}: expected a JSON object from `terraform show -json`$"),
    ("{\n  nope", r"^{path}:2:3: not JSON: Expecting property name enclosed in double quotes; "
                  r"give the output of `terraform show -json PLANFILE` or `terraform show -json`$"),
    (json.dumps({"format_version": "1.0", "terraform_version": "1.11.0"}),
     r"^{path}: the state is empty \(nothing applied yet\)$"),
    (json.dumps({"planned_values": {"root_module": {"resources": [{"type": "aws_vpc"}]}}}),
     r"^{path}: malformed `terraform show -json` output \(plan\): KeyError: 'address'; "
     r"regenerate it with terraform show -json$"),
    (json.dumps({"version": 4, "resources": []}),
     r"^{path}: this is a raw terraform.tfstate file; run `terraform show -json` and read its "
     r"output instead$"),
])
def test_every_unusable_file_is_a_read_error_naming_it(tmp_path: Path, content: str,
                                                       message: str) -> None:
    path = tmp_path / "input.json"
    path.write_text(content)
    with pytest.raises(ReadError, match=message.format(path=re.escape(str(path)))):
        read_network(path)


def test_a_missing_or_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r": cannot read: no such file$"):
        read_network(tmp_path / "missing.json")
    with pytest.raises(ReadError, match=r": cannot read: .*Is a directory"):
        read_network(tmp_path)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe{")
    with pytest.raises(ReadError, match=r": cannot read: 'utf-8' codec"):
        read_network(binary)
