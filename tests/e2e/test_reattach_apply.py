"""Applies on a reattached provider: one process serves two emulators one after the other
without mixing them (Terraform configures the provider on every command), a killed
provider is started again, new AWS_* variables start a new one, and none is left behind."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from e2e_support import pending_changes

from tierform.localaws import LocalAWS, client, provider_hcl
from tierform.terraform import reattach
from tierform.terraform.cliconfig import OFFLINE_PROVIDER_FILE
from tierform.terraform.reattach import ReattachedRunner
from tierform.terraform.runner import COUNTERS

pytestmark = [pytest.mark.e2e, pytest.mark.terraform]

_MODULE = """
variable "label" {
  type = string
}

variable "cidr" {
  type = string
}

resource "aws_vpc" "main" {
  cidr_block = var.cidr
  tags       = { Name = var.label }
}

output "vpc_id" {
  value = aws_vpc.main.id
}
"""


def _workdir(root: Path, endpoint: str, region: str) -> ReattachedRunner:
    root.mkdir()
    (root / "main.tf").write_text(_MODULE)
    (root / OFFLINE_PROVIDER_FILE).write_text(provider_hcl(endpoint, region))
    runner = ReattachedRunner(root)
    runner.init()
    return runner


def _vpcs(endpoint: str, region: str) -> dict[str, str]:
    """VPC id -> Name tag, as the emulator at ``endpoint`` holds them in ``region``."""
    found = client("ec2", endpoint, region).describe_vpcs()["Vpcs"]
    return {v["VpcId"]: next((t["Value"] for t in v.get("Tags", []) if t["Key"] == "Name"), "")
            for v in found}


def _state_vpc(runner: ReattachedRunner) -> dict[str, Any]:
    resources = runner.show()["values"]["root_module"]["resources"]
    (vpc,) = [r["values"] for r in resources if r["type"] == "aws_vpc"]
    return vpc


def _provider_pid() -> int:
    pids = set(reattach.running().values())
    assert len(pids) == 1, f"expected one reattached provider, found {pids}"
    return pids.pop()


def test_one_provider_serves_two_emulators_without_mixing_them(
        local_aws: LocalAWS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(reattach.REATTACH_ENV, "1")
    with LocalAWS() as second:
        first_runner = _workdir(tmp_path / "a", local_aws.endpoint, "us-east-1")
        second_runner = _workdir(tmp_path / "b", second.endpoint, "eu-west-1")
        first_vars = {"label": "first", "cidr": "10.1.0.0/16"}
        second_vars = {"label": "second", "cidr": "10.2.0.0/16"}

        first_runner.apply(variables=first_vars)
        pid = _provider_pid()
        started = COUNTERS.get("provider", 0)
        second_runner.apply(variables=second_vars)
        assert _provider_pid() == pid  # the same process applied both
        assert COUNTERS.get("provider", 0) == started

        first_id = first_runner.output()["vpc_id"]
        second_id = second_runner.output()["vpc_id"]
        # Each emulator holds its own VPC only, in its own region.
        first_live = _vpcs(local_aws.endpoint, "us-east-1")
        second_live = _vpcs(second.endpoint, "eu-west-1")
        assert first_live.get(first_id) == "first"
        assert second_id not in first_live
        assert second_live.get(second_id) == "second"
        assert first_id not in second_live
        assert _vpcs(second.endpoint, "us-east-1").get(first_id) is None
        # Each state reads back its own emulator: own CIDR, own tags_all, own region in the ARN.
        first_state, second_state = _state_vpc(first_runner), _state_vpc(second_runner)
        assert (first_state["cidr_block"], first_state["tags_all"]) == \
            ("10.1.0.0/16", {"Name": "first"})
        assert (second_state["cidr_block"], second_state["tags_all"]) == \
            ("10.2.0.0/16", {"Name": "second"})
        assert ":us-east-1:" in first_state["arn"]
        assert ":eu-west-1:" in second_state["arn"]
        # The first network's refreshing plan, after the second's apply on the same process,
        # reads the first emulator again: nothing to change.
        assert pending_changes(first_runner.show(first_runner.plan(variables=first_vars))) == []

        # A provider that died is started again by the next command, which then works.
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while not reattach.any_dead() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert reattach.any_dead()
        second_runner.destroy(variables=second_vars)
        restarted = _provider_pid()
        assert restarted != pid
        assert second_id not in _vpcs(second.endpoint, "eu-west-1")  # (moto's default VPC stays)
        assert first_id in _vpcs(local_aws.endpoint, "us-east-1")  # the other one untouched

        # What the provider reads from its own environment is fixed when it starts: a new
        # value starts a new process (the old one is stopped).
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "7")
        assert _state_vpc(first_runner)["id"] == first_id
        assert _provider_pid() != restarted


def test_turned_off_the_apply_starts_no_provider_of_ours(
        local_aws: LocalAWS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(reattach.REATTACH_ENV, "0")
    runner = _workdir(tmp_path / "off", local_aws.endpoint, "us-east-1")
    before = COUNTERS.get("provider", 0)
    runner.apply(variables={"label": "off", "cidr": "10.3.0.0/16"})
    assert COUNTERS.get("provider", 0) == before
    assert _vpcs(local_aws.endpoint, "us-east-1").get(runner.output()["vpc_id"]) == "off"


def test_an_https_endpoint_with_a_ca_bundle_is_not_reattached(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(reattach.REATTACH_ENV, "1")
    monkeypatch.setenv("AWS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    assert not reattach.reattachable("https://emulator.example:4566")
    assert reattach.reattachable("http://127.0.0.1:4566")
    monkeypatch.delenv("AWS_CA_BUNDLE")
    assert reattach.reattachable("https://emulator.example:4566")
    monkeypatch.setenv(reattach.REATTACH_ENV, "0")
    assert not reattach.reattachable("http://127.0.0.1:4566")
