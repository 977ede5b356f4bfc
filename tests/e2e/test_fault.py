"""AWS goes away in the middle of ``tierform apply``: a clear failure, the state kept, and
the same command, run again against a fresh emulator on the same port, finishes the job.

One emulator is stopped under a running apply; a second one takes its port. The fresh
emulator knows none of the resources in the kept state: terraform's refresh drops them
and the rerun creates everything again. Then ``tierform destroy`` cleans up.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from e2e_support import ROOT, leftovers, stray_processes, tierform, tierform_popen

from tierform.localaws import LocalAWS, client

pytestmark = [pytest.mark.e2e, pytest.mark.terraform]

BLUEPRINT = ROOT / "blueprints" / "two-tier.yaml"
NAME = "two-tier"
REGION = "eu-west-1"  # the blueprint's region
CREATING_TIMEOUT = 300  # s until terraform has created the VPC (init + plan + first creates)


def _port(endpoint: str) -> int:
    return int(endpoint.rsplit(":", 1)[1])


def _wait_for_vpc(aws: LocalAWS, process: subprocess.Popen[str]) -> None:
    """Until the emulator lists the blueprint's VPC: terraform is creating resources."""
    ec2 = client("ec2", aws.endpoint, REGION)
    deadline = time.monotonic() + CREATING_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"apply ended (exit {process.returncode}) before creating the VPC:\n"
                        f"{out}\n{err}")
        if ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [NAME]}])["Vpcs"]:
            return
        time.sleep(0.5)
    process.kill()
    process.communicate()
    pytest.fail(f"no VPC named {NAME} after {CREATING_TIMEOUT} s of apply")


def test_apply_survives_the_emulator_going_away(tmp_path: Path) -> None:
    workdir = tmp_path / "work"
    first = LocalAWS().start()
    try:
        port = _port(first.endpoint)
        args = ("apply", str(BLUEPRINT), "--endpoint", first.endpoint, "--workdir", str(workdir))
        process = tierform_popen(*args)
        try:
            _wait_for_vpc(first, process)
            first.stop()
            _, err = process.communicate(timeout=600)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    finally:
        first.stop()

    # A clear failure: exit 1, what failed, that the state is kept and to rerun; no traceback.
    assert process.returncode == 1, err
    assert "Traceback" not in err
    assert "tierform apply: terraform apply failed" in err
    assert "connection refused" in err  # the cause, as the AWS SDK reports it
    assert f"The state is kept in {workdir}" in err
    assert err.rstrip().endswith("run the same command again to finish."), err[-2000:]
    # Nothing left running: no terraform, provider plugin or emulator of that command.
    assert stray_processes(workdir) == []
    # The state of what was created before the failure is kept for the rerun.
    state = json.loads((workdir / "terraform.tfstate").read_text())
    assert state["resources"], "the partial apply recorded nothing in its state"

    with LocalAWS(port=port) as second:
        assert second.endpoint == f"http://127.0.0.1:{port}"
        rerun = tierform(*args, "--format", "json")
        assert rerun.returncode == 0, rerun.stderr
        outputs = json.loads(rerun.stdout)
        ec2 = client("ec2", second.endpoint, REGION)
        vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [NAME]}])["Vpcs"]
        assert [v["VpcId"] for v in vpcs] == [outputs["vpc_id"]]

        gone = tierform("destroy", str(BLUEPRINT), "--endpoint", second.endpoint,
                        "--workdir", str(workdir))
        assert gone.returncode == 0, gone.stderr
        assert gone.stdout.strip() == f"{NAME}: destroyed"
        assert leftovers(ec2, outputs["vpc_id"], NAME) == {}
        assert ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [NAME]}])["Vpcs"] == []
    assert stray_processes(workdir) == []
