"""`terraform test` in every shipped module passes, and fails on a module whose flow rule
was widened to every port: the native tests are a proof a team can run without Python.

The providers are installed once (the CLI config from tests/tfenv.py points at the local
mirror) and shared by every module copy: all shipped modules require the same provider.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tierform.render.native_tests import TEST_FILE
from tierform.terraform.runner import CommandResult, Runner

pytestmark = pytest.mark.terraform

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(p.name for p in (ROOT / "modules").iterdir() if (p / TEST_FILE).is_file())


@pytest.fixture(scope="module")
def providers(tmp_path_factory: pytest.TempPathFactory, tierform_terraform: str | None) -> Path:
    """One `terraform init`: its .terraform directory and lock file, for every copy."""
    first = tmp_path_factory.mktemp("init") / MODULES[0]
    shutil.copytree(ROOT / "modules" / MODULES[0], first)
    Runner(first, binary=tierform_terraform).init()
    return first


def _copy(name: str, into: Path, providers: Path) -> Path:
    module = into / name
    shutil.copytree(ROOT / "modules" / name, module)
    (module / ".terraform").symlink_to(providers / ".terraform", target_is_directory=True)
    shutil.copy2(providers / ".terraform.lock.hcl", module / ".terraform.lock.hcl")
    return module


def _test(module: Path, binary: str | None) -> CommandResult:
    return Runner(module, binary=binary).execute("test", "-no-color", ok_codes=(0, 1))


def test_every_shipped_module_has_native_tests() -> None:
    assert {"three-tier", "two-tier", "four-tier"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_terraform_test_passes(name: str, tmp_path: Path, providers: Path,
                               tierform_terraform: str | None) -> None:
    result = _test(_copy(name, tmp_path, providers), tierform_terraform)
    assert result.returncode == 0, result.out + result.err
    assert "1 passed, 0 failed" in result.out


def test_a_flow_rule_widened_to_every_port_fails(tmp_path: Path, providers: Path,
                                                 tierform_terraform: str | None) -> None:
    module = _copy("three-tier", tmp_path, providers)
    nacls = module / "nacls.tf"
    text = nacls.read_text(encoding="utf-8")
    # internet_to_web_tcp's rule for port 80, widened to 0-65535 (a hand edit, a bad merge).
    widened, count = re.subn(
        r'(resource "aws_network_acl_rule" "web_in_20390" \{.*?from_port\s+=) 80'
        r'(\s+to_port\s+=) 80', r"\1 0\2 65535", text, flags=re.S)
    assert count == 1
    nacls.write_text(widened, encoding="utf-8")
    result = _test(module, tierform_terraform)
    assert result.returncode == 1
    output = result.out + result.err
    assert "0 passed, 1 failed" in output
    assert "aws_network_acl_rule.web_in_20390 must be exactly rule 20390" in output
