"""How ``--emulate`` prepares the copy of a root module (no terraform run here: the e2e
tests in tests/e2e/test_emulate.py apply it)."""

from __future__ import annotations

from pathlib import Path

import hcl2
import pytest

from tierform.emulate import (
    EMULATED_SERVICES,
    EMULATOR_FILE,
    EMULATOR_OVERRIDE_FILE,
    check_root,
    prepare_copy,
    var_arguments,
)
from tierform.errors import EXIT_BAD_INPUT, TierformError

URL = "http://127.0.0.1:4566"


def _root(folder: Path, providers: str) -> Path:
    root = folder / "net"
    (root / "modules" / "vpc").mkdir(parents=True)
    (root / "main.tf").write_text('module "vpc" {\n  source = "./modules/vpc"\n}\n' + providers)
    (root / "modules" / "vpc" / "main.tf").write_text('resource "aws_vpc" "x" {}\n')
    (root / ".terraform" / "modules").mkdir(parents=True)
    (root / ".terraform" / "modules" / "modules.json").write_text('{"Modules": []}')
    (root / ".terraform" / "providers").mkdir()
    (root / ".terraform" / "providers" / "big-binary").write_text("x")
    (root / "terraform.tfstate").write_text("{}")
    return root


def _providers(path: Path) -> list[tuple[str | None, dict[str, object]]]:
    found = []
    for block in hcl2.loads(path.read_text()).get("provider", []):
        body = block['"aws"']
        alias = body.get("alias")
        found.append((alias.strip('"') if alias else None, body))
    return found


def test_the_roots_own_provider_blocks_are_overridden(tmp_path: Path) -> None:
    root = _root(tmp_path, 'provider "aws" {\n  region = var.region\n}\n'
                           'provider "aws" {\n  alias = "peer"\n  region = "eu-west-1"\n}\n')
    target = tmp_path / "copy"
    prepare_copy(root, target, URL, "us-east-1")
    override = _providers(target / EMULATOR_OVERRIDE_FILE)
    assert [alias for alias, _ in override] == [None, "peer"]
    for _, body in override:
        assert body["region"] == '"us-east-1"'
        endpoints = body["endpoints"][0]  # type: ignore[index]
        assert set(endpoints) - {"__is_block__"} == set(EMULATED_SERVICES)
        assert {str(v) for k, v in endpoints.items() if k != "__is_block__"} == {f'"{URL}"'}
    assert 'backend "local"' in (target / EMULATOR_OVERRIDE_FILE).read_text()
    assert not (target / EMULATOR_FILE).exists()  # a second default block would clash


def test_a_root_without_a_provider_block_gets_one(tmp_path: Path) -> None:
    target = tmp_path / "copy"
    prepare_copy(_root(tmp_path, ""), target, URL, "us-east-1")
    assert [alias for alias, _ in _providers(target / EMULATOR_FILE)] == [None]
    assert "provider" not in hcl2.loads((target / EMULATOR_OVERRIDE_FILE).read_text())


def test_the_copy_holds_the_modules_not_the_state_or_providers(tmp_path: Path) -> None:
    target = tmp_path / "copy"
    prepare_copy(_root(tmp_path, ""), target, URL, "us-east-1")
    assert (target / "modules" / "vpc" / "main.tf").is_file()
    assert (target / ".terraform" / "modules" / "modules.json").is_file()
    assert not (target / ".terraform" / "providers").exists()
    assert not (target / "terraform.tfstate").exists()


def test_var_options_become_terraform_arguments(tmp_path: Path) -> None:
    values = tmp_path / "dev.tfvars"
    values.write_text('single_nat_gateway = true\n')
    assert var_arguments(["azs=[\"us-east-1a\"]", "name=a=b"], [str(values)]) == [
        f"-var-file={values.resolve()}", '-var=azs=["us-east-1a"]', "-var=name=a=b"]


@pytest.mark.parametrize(("variables", "files", "needle"), [
    (["=1"], [], "is not NAME=VALUE"),
    (["novalue"], [], "is not NAME=VALUE"),
    ([], ["missing.tfvars"], "--var-file missing.tfvars: no such file"),
])
def test_bad_var_options_are_bad_input(variables: list[str], files: list[str],
                                       needle: str) -> None:
    with pytest.raises(TierformError, match=needle) as caught:
        var_arguments(variables, files)
    assert caught.value.exit_code == EXIT_BAD_INPUT


def test_check_root(tmp_path: Path) -> None:
    (tmp_path / "a.tf").write_text("")
    assert check_root(tmp_path) == tmp_path
    for path, needle in ((tmp_path / "nope", "no such directory"),
                         (tmp_path / "a.tf", "not a directory"),
                         (tmp_path.parent, "no .tf files")):
        with pytest.raises(TierformError, match=needle):
            check_root(path)


def test_provider_blocks_in_json_configuration_are_overridden_too(tmp_path: Path) -> None:
    root = _root(tmp_path, "")
    (root / "providers.tf.json").write_text(
        '{"provider": {"aws": [{"region": "eu-west-1"}, {"alias": "dr", "region": "x"}]}}')
    target = tmp_path / "copy"
    prepare_copy(root, target, URL, "us-east-1")
    assert [alias for alias, _ in _providers(target / EMULATOR_OVERRIDE_FILE)] == [None, "dr"]
    assert not (target / EMULATOR_FILE).exists()
