"""`tierform demo`: the whole loop on one blueprint, against a local emulator.

render -> plan (offline) -> verify the plan -> apply to moto on 127.0.0.1 ->
read the network back through the AWS API -> verify live -> reachability matrix
and single-layer failure table -> destroy. Nothing but loopback is contacted.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from tierform import report, workflow
from tierform.apply import apply_module, destroy_module, throwaway_workdir
from tierform.errors import EXIT_FINDINGS, EXIT_OK, TierformError
from tierform.localaws.provider import client
from tierform.localaws.server import LocalAWS
from tierform.readers.live import network_from_live
from tierform.ui import progress

__all__ = ["default_blueprint", "run_demo"]


def default_blueprint() -> Path:
    """blueprints/three-tier.yaml of this checkout, else the copy shipped in the package."""
    local = Path("blueprints") / "three-tier.yaml"
    if local.is_file():
        return local
    shipped = resources.files("tierform") / "blueprints" / "three-tier.yaml"
    if shipped.is_file():
        return Path(str(shipped))
    raise TierformError("no blueprint given and blueprints/three-tier.yaml not found; "
                        "run from a Tierform checkout or name a blueprint")


def _say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


@contextmanager
def _step(title: str) -> Iterator[None]:
    _say(f"\n== {title}")
    start = time.monotonic()
    yield
    _say(f"   ({time.monotonic() - start:.1f} s)")


def run_demo(blueprint: Path | None = None, *, terraform: str | None = None) -> int:
    path = blueprint or default_blueprint()
    clean = True
    with _step(f"validate {path}"):
        checked = workflow.check(workflow.load(path))
        bp = checked.loaded.blueprint
        _say(f"   {bp.name}: {len(bp.tiers)} tiers, {len(checked.network.subnets)} subnets, "
             f"{len(bp.flows)} flows")
    with _step("render"):
        files = workflow.render(checked)
        _say(f"   {len(files)} files: {', '.join(sorted(files)[:8])}, ...")
    with _step("plan (offline, cached by content) and verify the plan"):
        plan = workflow.plan(checked, terraform=terraform, files=files)
        _say(f"   {len(plan.actions())} resources to create; only creates: {plan.only_creates()}")
        planned = workflow.verify_network(
            checked.loaded, plan.network(named_networks=bp.network_cidrs))
        _say(report.verify_table(planned))
        clean &= planned.ok
    # Kept when anything fails (and its path printed), removed after a clean run.
    with throwaway_workdir(f"tierform-demo-{bp.name}-", "demo") as workdir, LocalAWS() as aws:
        applied = False
        try:
            with _step(f"apply to the local AWS emulator at {aws.endpoint}"):
                outputs = apply_module(files, name=bp.name, region=bp.region,
                                       workdir=workdir, endpoint=aws.endpoint,
                                       terraform=terraform, progress=progress)
                applied = True
                _say(f"   vpc_id = {outputs.get('vpc_id')}")
            with _step("read the network back through the AWS API and verify it"):
                vpc_id = str(outputs["vpc_id"]) if outputs.get("vpc_id") else None
                live = network_from_live(client("ec2", aws.endpoint, bp.region),
                                         vpc_id=vpc_id,
                                         tag_filters=None if vpc_id else {"Name": bp.name},
                                         named_networks=bp.network_cidrs,
                                         firewall_client=client("network-firewall",
                                                                aws.endpoint, bp.region))
                verified = workflow.verify_network(checked.loaded, live)
                _say(report.verify_table(verified))
                clean &= verified.ok
            with _step("reachability matrix (live)"):
                _say(report.reach_table(verified.reachability))
            with _step("single-layer failures (live): what one failed layer would open"):
                _say(report.single_layer_table(verified))
        finally:
            if applied:  # a failed apply is not destroyed: the emulator goes with it
                with _step("destroy"):
                    destroy_module(files, name=bp.name, region=bp.region,
                                   workdir=workdir, endpoint=aws.endpoint,
                                   terraform=terraform, progress=progress)
    _say("\n" + ("demo: the network matches its blueprint" if clean
                 else "demo: findings above"))
    return EXIT_OK if clean else EXIT_FINDINGS
