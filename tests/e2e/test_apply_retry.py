"""An emulator that answers HTTP 500 (moto once failed a demo's destroy that way): apply and
destroy run terraform again, continue from the state, and finish. Real terraform and the
AWS provider against the session emulator, behind a proxy that injects the errors.

Each injected failure outlasts the provider's own retries (3 attempts with back-off, about
45 s), so terraform itself fails once and Tierform's retry is what finishes the job."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from faulty_proxy import faulty_proxy

from tierform.apply import apply_module, destroy_module
from tierform.localaws import LocalAWS, client

pytestmark = [pytest.mark.e2e, pytest.mark.terraform]

REGION = "us-east-1"
NAME = "tierform-retry-test"
MODULE = {
    "main.tf": (
        'resource "aws_vpc" "this" {\n'
        '  cidr_block = "10.77.0.0/16"\n'
        f'  tags       = {{ Name = "{NAME}" }}\n'
        "}\n\n"
        'resource "aws_subnet" "a" {\n'
        "  vpc_id     = aws_vpc.this.id\n"
        '  cidr_block = "10.77.1.0/24"\n'
        "}\n\n"
        'output "vpc_id" {\n'
        "  value = aws_vpc.this.id\n"
        "}\n"),
}
PROVIDER_ATTEMPTS = 3  # max_retries in localaws.provider_hcl: the SDK's attempts per call


def test_server_errors_in_apply_and_destroy_are_retried(local_aws: LocalAWS,
                                                        tmp_path: Path) -> None:
    ec2 = client("ec2", local_aws.endpoint, REGION)
    messages: list[str] = []

    @contextmanager
    def progress(message: str) -> Iterator[None]:
        messages.append(message)
        yield

    workdir = tmp_path / "work"
    common = {"name": NAME, "region": REGION, "workdir": workdir, "progress": progress}
    # The VPC is created; every attempt of the first terraform run at the subnet fails.
    with faulty_proxy(local_aws.endpoint, {"CreateSubnet": PROVIDER_ATTEMPTS}) as proxy:
        outputs = apply_module(MODULE, endpoint=proxy.endpoint, **common)  # type: ignore[arg-type]
        assert proxy.failed == {"CreateSubnet": PROVIDER_ATTEMPTS}
        assert proxy.seen["CreateSubnet"] == PROVIDER_ATTEMPTS + 1
        assert proxy.seen["CreateVpc"] == 1  # the second run continued from the state
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [NAME]}])["Vpcs"]
    assert [v["VpcId"] for v in vpcs] == [outputs["vpc_id"]]
    assert any("running terraform apply again (2 of 3)" in m for m in messages), messages

    with faulty_proxy(local_aws.endpoint, {"DeleteVpc": PROVIDER_ATTEMPTS}) as proxy:
        destroy_module(MODULE, endpoint=proxy.endpoint, **common)  # type: ignore[arg-type]
        assert proxy.failed == {"DeleteVpc": PROVIDER_ATTEMPTS}
    assert any("running terraform destroy again (2 of 3)" in m for m in messages), messages
    assert ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [NAME]}])["Vpcs"] == []
