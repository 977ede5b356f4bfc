"""``--emulate DIR``: a root module applied to a throwaway local emulator, read from state.

The lookup root is community-style count-vpc with its availability zones and the db
group's VPC taken from data sources (tests/fixtures/emulate/lookup): the emulator answers
them, and the network read back is the hand-written matrix, pair by pair. A root that
cannot apply ends in exit 2 with its work directory kept and named; an interrupted run
leaves no emulator behind. Every run is the real CLI in a subprocess.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import time
from pathlib import Path

import pytest

from cli_support import EMULATOR_TAG, ROOT, emulators_tagged, failed, tierform, tierform_popen
from community_support import COMMUNITY, differences, load_expected

pytestmark = [pytest.mark.e2e, pytest.mark.terraform]

FIXTURES = ROOT / "tests" / "fixtures" / "emulate"
LEDGER = COMMUNITY / "ledger.yaml"


def _lookup_root(folder: Path) -> Path:
    root = folder / "network"
    shutil.copytree(COMMUNITY / "count-vpc", root)
    for extra in (FIXTURES / "lookup").iterdir():
        shutil.copy(extra, root / extra.name)
    return root


def test_emulate_reads_data_sources_and_gives_the_hand_written_matrix(tmp_path: Path) -> None:
    root = _lookup_root(tmp_path)
    before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    env = {"TMPDIR": str(tmp_path), EMULATOR_TAG: f"lookup-{tmp_path.name}"}
    result = tierform("reach", "--emulate", str(root), "--format", "json", env=env,
                      quiet=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    problems = differences(json.loads(result.stdout), load_expected("count-vpc"))
    assert not problems, "\n".join(problems)
    assert not list(tmp_path.glob("tierform-emulate-*")), "a clean run removes its work dir"
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == before, \
        "the user's directory is left as it was (the run happens in a copy)"
    assert emulators_tagged(env[EMULATOR_TAG]) == []


def test_a_root_that_does_not_apply_keeps_its_work_dir_and_exits_2(tmp_path: Path) -> None:
    env = {"TMPDIR": str(tmp_path), EMULATOR_TAG: f"broken-{tmp_path.name}"}
    # --var reaches terraform: the CIDR named in the emulator's refusal is the one given.
    result = tierform("verify", str(LEDGER), "--emulate", str(FIXTURES / "broken"),
                      "--var", "subnet_cidr=10.98.0.0/24", env=env, quiet=True)
    # The emulator's answer (the root's own provider block, region from a variable, was
    # pointed at it by the override file): the CIDR is the one --var gave.
    stderr = failed(result, 2, "terraform apply failed",
                    "InvalidSubnet.Range: The CIDR '10.98.0.0/24' is invalid")
    kept = re.search(r"is kept in (\S+)\n", stderr)
    assert kept is not None, stderr
    workdir = Path(kept.group(1))
    assert workdir.parent == tmp_path
    assert (workdir / "root" / "main.tf").is_file()
    assert (workdir / "root" / "terraform.tfstate").is_file()  # what got applied, to look at
    assert emulators_tagged(env[EMULATOR_TAG]) == []
    assert not (FIXTURES / "broken" / ".terraform").exists()  # the user's dir is untouched


def test_an_interrupted_run_stops_its_emulator(tmp_path: Path) -> None:
    tag = f"interrupt-{tmp_path.name}"
    process = tierform_popen("reach", "--emulate", str(_lookup_root(tmp_path)),
                             env={"TMPDIR": str(tmp_path), EMULATOR_TAG: tag}, quiet=True)
    try:
        deadline = time.monotonic() + 120
        # Interrupted once terraform works in the copy (init has created .terraform there).
        while not list(tmp_path.glob("tierform-emulate-*/root/.terraform")):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "terraform init never started"
            time.sleep(0.2)
        assert emulators_tagged(tag), "the emulator runs while terraform does"
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "interrupted" in stderr
    assert "is kept in" in stderr
    assert emulators_tagged(tag) == []
    assert _working_in(tmp_path) == [], "terraform (or a provider it started) was left running"


def _working_in(folder: Path) -> list[int]:
    """Live processes whose working directory lies under ``folder`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = (entry / "cwd").resolve(strict=True)
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue  # gone meanwhile, or not ours to inspect
        if state != "Z" and cwd.is_relative_to(folder.resolve()):
            found.append(int(entry.name))
    return found


@pytest.mark.parametrize(("args", "needle"), [
    (["--emulate", "no/such/dir"], "no such directory"),
    (["--emulate", str(ROOT / "tests" / "fixtures")], "no .tf files there"),
    (["--emulate", str(FIXTURES / "broken"), "--var", "oops"], "is not NAME=VALUE"),
    (["--emulate", str(FIXTURES / "broken"), "--var-file", "missing.tfvars"], "no such file"),
    (["plan.json", "--var", "a=1"], "--var and --var-file are the variables of an --emulate"),
    (["plan.json", "--emulate", str(FIXTURES / "broken")], "give no SOURCE"),
    ([], "give a SOURCE"),
])
def test_bad_emulate_input_is_exit_2_before_anything_starts(args: list[str], needle: str,
                                                            tmp_path: Path) -> None:
    tag = f"bad-{tmp_path.name}"
    result = tierform("reach", *args, cwd=tmp_path, env={"TMPDIR": str(tmp_path),
                                                         EMULATOR_TAG: tag}, quiet=True)
    failed(result, 2, needle)
    assert not list(tmp_path.glob("tierform-emulate-*")), "nothing was started or written"


_EXAMPLE = re.compile(r"<!-- emulate-example[^>]*-->\n```console\n\$ (?P<command>[^\n]+)\n"
                      r"(?P<output>.*?)```", re.DOTALL)
_AWS_ID = re.compile(r"\b(acl|sg|subnet|rtb|vpc|igw|nat)-[0-9a-f]{8,17}\b")


def test_the_readme_emulate_example_is_what_the_command_prints(tmp_path: Path) -> None:
    found = _EXAMPLE.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert found is not None, "the README's --emulate example moved"
    command = found["command"]
    assert command.startswith("tierform ")
    assert command.endswith('; echo "exit $?"')
    args = command.removeprefix("tierform ").removesuffix('; echo "exit $?"').split()
    result = tierform(*args, "--color", "never",
                      env={"TMPDIR": str(tmp_path), EMULATOR_TAG: f"readme-{tmp_path.name}"},
                      quiet=True)
    got = f"{result.stdout}exit {result.returncode}\n"
    assert _AWS_ID.sub(r"\1-ID", got) == _AWS_ID.sub(r"\1-ID", found["output"]), \
        got + result.stderr[-2000:]
