"""LocalAWS lifecycle (a real moto server process) and the provider/boto3 endpoint guard."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tierform.errors import TierformError
from tierform.localaws import LocalAWS, LocalAWSError, check_endpoint, client, provider_hcl


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0): look at its state.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


@pytest.fixture(scope="module")
def server() -> Iterator[LocalAWS]:
    with LocalAWS() as aws:
        yield aws


# -- endpoint guard and provider block ------------------------------------------------

@pytest.mark.parametrize("url", ["http://127.0.0.1:5000", "http://localhost:4566/",
                                 "http://[::1]:5000", "https://127.0.0.2:443"])
def test_loopback_endpoints_are_accepted(url: str) -> None:
    assert check_endpoint(url) == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://10.0.0.5:5000", "http://moto.example.com:5000",
                                 "https://s3.amazonaws.com"])
def test_remote_endpoints_need_explicit_consent(url: str) -> None:
    with pytest.raises(TierformError, match="not a loopback address"):
        check_endpoint(url)
    assert check_endpoint(url, allow_remote=True) == url


@pytest.mark.parametrize("url", ["ftp://127.0.0.1:21", "127.0.0.1:5000",
                                 'http://127.0.0.1:5000/"}', "http://127.0.0.1:5000/${x}",
                                 "http://127.0.0.1:5000/?a=b", "http://u:p@127.0.0.1:5000"])
def test_malformed_endpoints_are_refused(url: str) -> None:
    with pytest.raises(TierformError):
        check_endpoint(url, allow_remote=True)


def test_provider_block_routes_every_service_to_the_endpoint() -> None:
    hcl = provider_hcl("http://127.0.0.1:5000/", "eu-west-1")
    assert 'region                      = "eu-west-1"' in hcl
    for service in ("ec2", "iam", "kms", "logs", "s3", "sts"):
        assert any(line.split() == [service, "=", '"http://127.0.0.1:5000"']
                   for line in hcl.splitlines()), service
    assert "skip_requesting_account_id  = false" in hcl
    assert "s3_use_path_style           = true" in hcl
    assert hcl.count("{") == hcl.count("}")


def test_provider_block_refuses_remote_endpoint_and_bad_region() -> None:
    with pytest.raises(TierformError, match="loopback"):
        provider_hcl("http://192.0.2.1:5000", "us-east-1")
    with pytest.raises(TierformError, match="region"):
        provider_hcl("http://127.0.0.1:5000", 'us-east-1" evil')


# -- server lifecycle ------------------------------------------------------------------

def test_server_answers_boto3_and_reset_forgets_resources(server: LocalAWS) -> None:
    assert server.endpoint.startswith("http://127.0.0.1:")
    ec2 = client("ec2", server.endpoint, "us-east-1")
    vpc_id = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    assert vpc_id in {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    server.reset()
    assert vpc_id not in {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}


def test_group_reference_rules_keep_their_description(server: LocalAWS) -> None:
    """AWS returns it (moto alone drops it, and Terraform then diffs on every plan)."""
    ec2 = client("ec2", server.endpoint, "us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    web, db = (ec2.create_security_group(VpcId=vpc, GroupName=n, Description=n)["GroupId"]
               for n in ("web", "db"))
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306,
         "UserIdGroupPairs": [{"GroupId": web, "Description": "web to db"}]}])
    rules = ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [db]}])["SecurityGroupRules"]
    assert [(r["ReferencedGroupInfo"]["GroupId"], r.get("Description"))
            for r in rules if not r["IsEgress"]] == [(web, "web to db")]


def test_stop_kills_the_server_and_is_idempotent() -> None:
    aws = LocalAWS().start()
    pid = aws.pid
    assert pid is not None
    assert _alive(pid)
    aws.stop()
    assert not _alive(pid)
    aws.stop()
    assert not aws.running
    with pytest.raises(LocalAWSError, match="not running"):
        _ = aws.endpoint


def test_failed_start_reports_the_output_tail(tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'No module named moto.server' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(LocalAWSError) as caught:
        LocalAWS(python=str(fake), startup_timeout=5).start()
    text = str(caught.value)
    assert "exited with status 3" in text
    assert "No module named moto.server" in text
    assert caught.value.exit_code == 2


def test_sigterm_of_the_parent_stops_the_server(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent("""
        import sys, time
        from tierform.localaws import LocalAWS
        aws = LocalAWS().start()
        print(aws.pid, flush=True)
        time.sleep(60)
    """))
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    with parent:  # closes the pipe and waits: no ResourceWarning under -W error
        try:
            assert parent.stdout is not None
            child = int(parent.stdout.readline())
            assert _alive(child)
            parent.send_signal(signal.SIGTERM)
            assert parent.wait(timeout=20) == 128 + signal.SIGTERM
            deadline = time.monotonic() + 10
            while _alive(child) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not _alive(child)
        finally:
            parent.kill()
