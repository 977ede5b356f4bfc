"""Providers offline: `--provider-mirror DIR` / TIERFORM_PROVIDER_MIRROR make Tierform's own
terraform runs install from that directory and never from the network, on this machine
(which has no registry access); and the README's CLI configuration for `terraform init`
in `example/` works as written.

The mirror is found the way the test tooling finds it (tests/tfenv.py); every run here
drops TF_CLI_CONFIG_FILE and has an empty HOME, so only the setting under test can make
the providers installable.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from cli_support import ROOT, failed, tierform
from tfenv import find_provider_mirror
from tierform.terraform.cliconfig import mirror_cli_config
from tierform.terraform.runner import Runner

pytestmark = pytest.mark.terraform

README_PLACEHOLDER = "/srv/terraform/providers"


@pytest.fixture(scope="module")
def mirror() -> Path:
    found = find_provider_mirror()
    assert found is not None, ("no provider mirror holding registry.terraform.io/hashicorp/aws "
                               "on this machine (tests/tfenv.py): the plan tests need one")
    return found


def _isolated(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {"HOME": str(home), "TMPDIR": str(tmp_path), "TF_PLUGIN_CACHE_DIR": ""}


def test_plan_through_the_mirror_flag(tmp_path: Path, mirror: Path) -> None:
    result = tierform("plan", str(ROOT / "blueprints" / "two-tier.yaml"), "--format", "json",
                      "--provider-mirror", str(mirror), cwd=tmp_path, env=_isolated(tmp_path),
                      drop=("TF_CLI_CONFIG_FILE", "TIERFORM_PROVIDER_MIRROR"))
    assert result.returncode == 0, result.stderr
    declared = sum(len(re.findall(r'^resource "', p.read_text(encoding="utf-8"), re.M))
                   for p in (ROOT / "modules" / "two-tier").glob("*.tf"))
    changes = json.loads(result.stdout)["changes"]
    assert changes == {"create": declared, "update": 0, "replace": 0, "delete": 0}
    configs = list(tmp_path.glob("tierform-*/cli-*.tfrc"))
    assert [c.read_text(encoding="utf-8") for c in configs] == [mirror_cli_config(mirror)]


def test_without_the_setting_the_same_plan_cannot_install(tmp_path: Path) -> None:
    # The control: no mirror named, no CLI configuration, no registry here.
    stderr = failed(tierform("plan", str(ROOT / "blueprints" / "two-tier.yaml"), cwd=tmp_path,
                             env=_isolated(tmp_path),
                             drop=("TF_CLI_CONFIG_FILE", "TIERFORM_PROVIDER_MIRROR")),
                    2, "could not install the providers")
    assert "--provider-mirror" in stderr


def test_plan_through_the_environment_variable_and_a_wrong_one(tmp_path: Path,
                                                               mirror: Path) -> None:
    env = {**_isolated(tmp_path), "TIERFORM_PROVIDER_MIRROR": str(mirror)}
    result = tierform("verify", str(ROOT / "blueprints" / "two-tier.yaml"), "--format", "json",
                      cwd=tmp_path, env=env, drop=("TF_CLI_CONFIG_FILE",))
    assert result.returncode == 0, result.stderr
    empty = tmp_path / "empty-mirror"
    empty.mkdir()
    failed(tierform("plan", str(ROOT / "blueprints" / "two-tier.yaml"), cwd=tmp_path,
                    env={**env, "TIERFORM_PROVIDER_MIRROR": str(empty)},
                    drop=("TF_CLI_CONFIG_FILE",)), 2, "holds no providers")


def _readme_snippet() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Air-gapped and mirrored providers", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```hcl\n(.*?)```", section, re.S)
    assert blocks, "the README section shows no ```hcl block"
    return str(blocks[0])


def test_readme_snippet_is_the_configuration_tierform_writes() -> None:
    assert _readme_snippet() == mirror_cli_config(Path(README_PLACEHOLDER))


def test_readme_snippet_initialises_the_example(tmp_path: Path, mirror: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "terraform.tfrc"
    config.write_text(_readme_snippet().replace(README_PLACEHOLDER, str(mirror)),
                      encoding="utf-8")
    module = tmp_path / "three-tier"
    shutil.copytree(ROOT / "modules" / "three-tier", module)
    for name, value in _isolated(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(config))
    monkeypatch.delenv("TIERFORM_PROVIDER_MIRROR", raising=False)
    example = Runner(module / "example")
    output = example.init()
    assert "hashicorp/aws" in output
    assert example.validate()["valid"] is True
