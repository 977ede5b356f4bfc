"""``--live`` reads the VPC's Network Firewalls too (R15): the CLI hands the live reader a
``network-firewall`` client on the same endpoint and region as its EC2 client. Against a
real LocalAWS emulator (moto server); the reader itself is spied on, never replaced."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tierform import cli
from tierform.localaws import LocalAWS, client
from tierform.network.model import Network


@pytest.fixture(scope="module")
def server() -> Iterator[LocalAWS]:
    with LocalAWS() as aws:
        yield aws


def test_live_read_passes_a_network_firewall_client(server: LocalAWS,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    ec2 = client("ec2", server.endpoint, "us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16", TagSpecifications=[{
        "ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "fwlive"}]}])["Vpc"]["VpcId"]
    seen: list[Any] = []
    real = cli.network_from_live

    def spy(*args: Any, **kwargs: Any) -> Network:
        seen.append(kwargs.get("firewall_client"))
        return real(*args, **kwargs)

    monkeypatch.setattr(cli, "network_from_live", spy)
    network = cli._read_live(region="us-east-1", endpoint=server.endpoint, vpc_ids=[vpc],
                             all_vpcs=False, name=None, tier_tag="Tier", named={})
    (firewall,) = seen
    assert firewall is not None
    assert firewall.meta.service_model.service_name == "network-firewall"
    assert (firewall.meta.endpoint_url, firewall.meta.region_name) == (
        server.endpoint.rstrip("/"), "us-east-1")
    assert firewall.list_firewalls(VpcIds=[vpc])["Firewalls"] == []  # answered, none yet
    assert network.vpc_id == vpc
    assert network.firewalls == {}
