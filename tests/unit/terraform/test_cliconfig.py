"""The provider-mirror setting: the CLI configuration Tierform writes for its own runs, the
init fingerprint that follows it, and clear refusals of a directory holding no providers."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tierform.errors import TerraformSetupError
from tierform.terraform.cliconfig import (
    GO_GC,
    PROVIDER_MIRROR_ENV,
    environment_fingerprint,
    go_gc_env,
    install_env,
    mirror_cli_config,
    terraform_env,
)


def _mirror(root: Path) -> Path:
    (root / "registry.terraform.io" / "hashicorp" / "aws" / "5.0.0" / "linux_amd64").mkdir(
        parents=True)
    return root


def test_no_setting_no_change(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PROVIDER_MIRROR_ENV, raising=False)
    assert install_env() == {}
    assert "TF_CLI_CONFIG_FILE" not in terraform_env()


def test_terraform_runs_with_less_garbage_collection_unless_the_user_says(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOGC", raising=False)
    assert terraform_env()["GOGC"] == GO_GC == "400"
    monkeypatch.setenv("GOGC", "50")
    assert "GOGC" not in terraform_env()  # the inherited GOGC=50 stays
    assert go_gc_env({"GOGC": "off"}) == {}
    assert go_gc_env({}) == {"GOGC": GO_GC}


def test_a_mirror_becomes_the_cli_configuration_of_every_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mirror = _mirror(tmp_path / "mirror")
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    monkeypatch.setenv(PROVIDER_MIRROR_ENV, str(mirror))
    env = terraform_env({"TF_INPUT": "0"})
    config = Path(env["TF_CLI_CONFIG_FILE"])
    assert config.is_relative_to(tmp_path / "tmp")
    assert config.read_text(encoding="utf-8") == mirror_cli_config(mirror)
    assert f'path = "{mirror}"' in config.read_text(encoding="utf-8")
    assert "direct" not in config.read_text(encoding="utf-8")  # never the network
    # Same mirror, same file (a stable fingerprint); another mirror, another init.
    assert install_env() == {"TF_CLI_CONFIG_FILE": str(config)}
    first = environment_fingerprint()
    other = _mirror(tmp_path / "other")
    monkeypatch.setenv(PROVIDER_MIRROR_ENV, str(other))
    assert environment_fingerprint() != first
    monkeypatch.setenv(PROVIDER_MIRROR_ENV, str(mirror))
    assert environment_fingerprint() == first


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p / "missing", "no such directory"),
    (lambda p: p, "holds no providers"),
])
def test_a_directory_without_providers_is_refused(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  make: object, message: str) -> None:
    target = make(tmp_path)  # type: ignore[operator]
    monkeypatch.setenv(PROVIDER_MIRROR_ENV, str(target))
    with pytest.raises(TerraformSetupError, match=message) as caught:
        install_env()
    assert caught.value.exit_code == 2
    assert "terraform providers mirror" in str(caught.value)
