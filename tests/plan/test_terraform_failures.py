"""Terraform set-up problems end in exit 2, plan errors in exit 1; each with a message that
says what failed and what to do, Terraform's output once, and no traceback.

The CLI runs in a subprocess with a fresh TIERFORM_CACHE_DIR. Real terraform runs twice:
one ``init`` against an empty provider mirror, one ``init`` + ``plan`` that fails on a
variable's validation (TF_VAR_name_prefix); the other cases never reach terraform.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from cli_support import ROOT, failed, process_alive, tierform

TWO_TIER = ROOT / "blueprints" / "two-tier.yaml"


@pytest.fixture
def blueprint(tmp_path: Path) -> str:
    (tmp_path / "bp.yaml").write_text(TWO_TIER.read_text(encoding="utf-8"), encoding="utf-8")
    return "bp.yaml"


def _bin_without_terraform(tmp_path: Path) -> str:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    return str(empty)


# --------------------------------------------------------------------------- no terraform runs


def test_terraform_named_but_missing(tmp_path: Path, blueprint: str) -> None:
    result = tierform("plan", blueprint, cwd=tmp_path,
                      env={"TIERFORM_TERRAFORM": str(tmp_path / "nonexistent")})
    failed(result, 2, "not found", "What to do: install Terraform >= 1.5",
           "TIERFORM_TERRAFORM=/path/to/terraform",
           once=True, stdout="")


@pytest.mark.parametrize("command", ["plan", "verify"])
def test_terraform_not_on_path(tmp_path: Path, blueprint: str, command: str) -> None:
    result = tierform(command, blueprint, cwd=tmp_path, drop=("TIERFORM_TERRAFORM",),
                      env={"PATH": _bin_without_terraform(tmp_path)})
    failed(result, 2, "terraform executable 'terraform' not found", "What to do:",
           once=True, stdout="")


def test_terraform_too_old(tmp_path: Path, blueprint: str) -> None:
    fake = tmp_path / "old-bin"
    fake.mkdir()
    script = fake / "terraform"
    # Terraform 0.12 printed this for `version -json`; nothing else is ever asked of it.
    script.write_text('#!/bin/sh\necho \'{"terraform_version": "0.12.0"}\'\n')
    script.chmod(0o755)
    result = tierform("plan", blueprint, cwd=tmp_path, drop=("TIERFORM_TERRAFORM",),
                      env={"PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"})
    failed(result, 2, "is terraform 0.12.0; Terraform >= 1.5 is required",
           "What to do: upgrade Terraform",
           once=True, stdout="")
    assert not list((tmp_path / ".cache").glob("plans/*.json"))


def _fake_terraform(tmp_path: Path, cases: str) -> dict[str, str]:
    """A ``terraform`` on PATH that answers each verb with a shell ``case`` arm of ``cases``
    (``version -json`` is a valid 1.11 answer unless ``cases`` overrides it)."""
    fake = tmp_path / "fake-bin"
    fake.mkdir()
    script = fake / "terraform"
    script.write_text(
        "#!/bin/sh\ncase \"$1\" in\n" + cases +
        "  version) echo '{\"terraform_version\": \"1.11.4\"}' ;;\n"
        "  *) exit 0 ;;\nesac\n", encoding="utf-8")
    script.chmod(0o755)
    return {"PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"}


@pytest.mark.parametrize("printed", ["[1,2]", '"1.11.4"', '{"terraform_version": 1}', "",
                                     "Terraform v1.11.4", "[" * 100_000])
def test_version_json_that_is_not_a_version_document(tmp_path: Path, blueprint: str,
                                                     printed: str) -> None:
    (tmp_path / "version.out").write_text(printed, encoding="utf-8")
    env = _fake_terraform(tmp_path, f"  version) cat {tmp_path / 'version.out'} ;;\n")
    result = tierform("plan", blueprint, cwd=tmp_path, drop=("TIERFORM_TERRAFORM",), env=env)
    failed(result, 2, "does not understand `version -json`", "What to do: upgrade Terraform",
           once=True, stdout="")


@pytest.mark.parametrize(("printed", "said"), [
    ("garbage, not JSON", "not JSON: Expecting value"),
    ("[1, 2]", "printed JSON that is not a plan or state object"),
    ('{"a": Infinity}', "Infinity is not a JSON number"),
    ("[" * 100_000, "nested deeper than can be read")])
def test_show_json_that_is_not_a_plan(tmp_path: Path, blueprint: str, printed: str,
                                      said: str) -> None:
    (tmp_path / "show.out").write_text(printed, encoding="utf-8")
    env = _fake_terraform(tmp_path, f"  show) cat {tmp_path / 'show.out'} ;;\n")
    result = tierform("plan", blueprint, cwd=tmp_path, drop=("TIERFORM_TERRAFORM",),
                      env={**env, "TIERFORM_CACHE_DIR": str(tmp_path / ".cache")})
    failed(result, 1, said, "What to do: check that", once=True, stdout="")
    assert not list((tmp_path / ".cache").glob("plans/*.json")), "a broken plan was cached"


def test_a_hung_terraform_is_stopped_at_the_time_limit(tmp_path: Path, blueprint: str) -> None:
    """init never answers (and leaves a child behind, as provider plugins would): the whole
    process group is killed when TIERFORM_TERRAFORM_TIMEOUT expires."""
    pid_file = tmp_path / "child.pid"
    env = _fake_terraform(tmp_path, f"  init) sleep 300 & echo $! > {pid_file}; wait ;;\n")
    started = time.monotonic()
    result = tierform("plan", blueprint, cwd=tmp_path, drop=("TIERFORM_TERRAFORM",),
                      env={**env, "TIERFORM_TERRAFORM_TIMEOUT": "2",
                           "TIERFORM_CACHE_DIR": str(tmp_path / ".cache")})
    elapsed = time.monotonic() - started
    failed(result, 1, "terraform init did not finish within 2 s",
           "TIERFORM_TERRAFORM_TIMEOUT=SECONDS (now 2)", "process group was killed",
           once=True, stdout="")
    assert elapsed < 60, elapsed
    child = int(pid_file.read_text(encoding="utf-8"))
    deadline = time.monotonic() + 10
    while process_alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not process_alive(child), "the terraform's child survived"



@pytest.mark.parametrize("value", ["abc", "0", "-5", "inf", "nan"])
def test_a_bad_time_limit_is_a_setup_error(tmp_path: Path, blueprint: str, value: str) -> None:
    env = _fake_terraform(tmp_path, "")
    result = tierform("plan", blueprint, cwd=tmp_path, drop=("TIERFORM_TERRAFORM",),
                      env={**env, "TIERFORM_TERRAFORM_TIMEOUT": value})
    failed(result, 2, f"TIERFORM_TERRAFORM_TIMEOUT={value!r} is not a number of seconds",
           "What to do:", once=True, stdout="")


# --------------------------------------------------------------------------- real terraform


@pytest.mark.terraform
def test_provider_not_installable(tmp_path: Path, blueprint: str) -> None:
    mirror = tmp_path / "empty-mirror"
    mirror.mkdir()
    config = tmp_path / "offline.tfrc"
    config.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{mirror}"\n'
        '    include = ["registry.terraform.io/*/*"]\n  }\n'
        '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n'
    )
    result = tierform("plan", blueprint, cwd=tmp_path,
                      env={"TF_CLI_CONFIG_FILE": str(config)},
                      drop=("TF_PLUGIN_CACHE_DIR",))
    stderr = failed(result, 2, "init could not install the providers",
                    "What to do: allow access to registry.terraform.io",
                    "Failed to query available provider packages", once=True, stdout="")
    assert str(mirror) in stderr


@pytest.mark.terraform
def test_plan_error_is_exit_1_with_terraform_diagnostic(tmp_path: Path, blueprint: str) -> None:
    # A real plan error through the CLI: Terraform reads TF_VAR_* for the module's variables,
    # and name_prefix has a validation block that rejects spaces.
    result = tierform("plan", blueprint, cwd=tmp_path, env={"TF_VAR_name_prefix": "bad prefix!"})
    failed(result, 1, "terraform plan failed (exit 1)", "Invalid value for variable",
           "The name_prefix must be 1-24 letters, digits or hyphens.", "What to do:",
           once=True, stdout="")
    assert not list((tmp_path / ".cache").glob("plans/*.json")), "a failed plan was cached"
