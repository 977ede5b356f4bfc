"""`logs check --state`: the NAT gateways' private addresses come from the applied state
(``terraform show -json`` or the raw .tfstate), as if given with ``--nat-address``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli_support import failed, tierform
from tierform.errors import ReadError
from tierform.logs.addresses import state_nat_addresses
from tierform.logs.formats import DEFAULT_FIELDS
from tierform.logs.synthetic import generate, write_text
from unit.logs.logs_support import BLUEPRINTS, checked

BP = str(BLUEPRINTS / "four-tier.yaml")


def _nat(address: str, ident: str) -> dict[str, Any]:
    return {"address": f"module.net.aws_nat_gateway.this[\"{ident}\"]", "mode": "managed",
            "type": "aws_nat_gateway", "name": "this",
            "values": {"id": ident, "private_ip": address, "subnet_id": "subnet-1"}}


def _show_json(addresses: list[str]) -> dict[str, Any]:
    """`terraform show -json` after apply: the gateways in a child module."""
    return {"format_version": "1.0", "terraform_version": "1.11.4", "values": {
        "root_module": {"resources": [], "child_modules": [{
            "address": "module.net",
            "resources": [_nat(a, f"nat-{i}") for i, a in enumerate(addresses)]}]}}}


def _raw_tfstate(addresses: list[str]) -> dict[str, Any]:
    """The .tfstate file itself: resources, instances, attributes."""
    return {"version": 4, "terraform_version": "1.11.4", "serial": 3, "lineage": "x",
            "outputs": {}, "resources": [
                {"mode": "data", "type": "aws_nat_gateway", "name": "looked_up",
                 "instances": [{"attributes": {"private_ip": "10.99.0.1"}}]},
                {"module": "module.net", "mode": "managed", "type": "aws_nat_gateway",
                 "name": "this", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
                 "instances": [{"index_key": f"nat-{i}", "attributes": {
                     "id": f"nat-{i}", "private_ip": a,
                     "secondary_private_ip_addresses": []}}
                               for i, a in enumerate(addresses)]}]}


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    sample = generate(checked("four-tier").layout, 3000, seed=1)
    assert sample.nat_addresses, "the four-tier sample has NAT legs"
    fl = checked("four-tier").loaded.blueprint.flow_logs
    fields = tuple(fl.fields) if fl is not None and fl.fields else DEFAULT_FIELDS
    path = tmp_path_factory.mktemp("nat") / "four.log.gz"
    write_text(sample, path, fields)
    return path, [str(a) for a in sample.nat_addresses]


@pytest.mark.parametrize("form", [_show_json, _raw_tfstate])
def test_the_state_gives_the_nat_addresses(form: Any, tmp_path: Path,
                                           sample_file: tuple[Path, list[str]]) -> None:
    records, addresses = sample_file
    state = tmp_path / "state.json"
    state.write_text(json.dumps(form(addresses)))
    assert [str(a) for a in state_nat_addresses(state)] == addresses

    def check(*extra: str) -> dict[str, Any]:
        done = tierform("logs", "check", BP, str(records), "--format", "json", *extra,
                        quiet=True)
        assert done.returncode in (0, 1), done.stderr
        return dict(json.loads(done.stdout))

    by_state = check("--state", str(state))
    by_hand = check(*(w for a in addresses for w in ("--nat-address", a)))
    without = check()
    assert by_state == by_hand
    # Without the addresses the NAT legs are misplaced and the note says so.
    assert by_state != without
    assert any("--state" in n for n in without["notes"])
    assert not any("--state" in n for n in by_state["notes"])


def test_a_state_without_nat_gateways_adds_nothing(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps(_show_json([])))
    assert state_nat_addresses(state) == ()
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"format_version": "1.0", "terraform_version": "1.11.4"}))
    assert state_nat_addresses(empty) == ()


@pytest.mark.parametrize(("text", "words"), [
    ("{not json", "not JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('{"format_version": "1.2", "planned_values": {}}', "this is a plan, not a state"),
    ('{"hello": 1}', "not a Terraform state"),
    (json.dumps(_show_json(["10.0.0.300"])), "is not an IPv4 address"),
])
def test_a_bad_state_is_a_read_error(text: str, words: str, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text(text)
    with pytest.raises(ReadError, match=words):
        state_nat_addresses(state)


def test_a_bad_state_on_the_command_line_is_exit_2(tmp_path: Path,
                                                   sample_file: tuple[Path, list[str]]) -> None:
    records, _ = sample_file
    failed(tierform("logs", "check", BP, str(records), "--state",
                    str(tmp_path / "nope.json"), quiet=True), 2, "nope.json", "no such file")
    failed(tierform("logs", "check", BP, str(records), "--endpoint", "http://127.0.0.1:5",
                    quiet=True), 2, "add --live")
