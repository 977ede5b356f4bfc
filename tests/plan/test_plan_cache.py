"""The plan cache: unchanged inputs never run terraform, parallel workers never plan twice.

Counts real terraform invocations through TIERFORM_TERRAFORM_LOG across processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tierform.errors import TerraformError, TerraformSetupError
from tierform.localaws.provider import PROVIDER_ENDPOINT_SERVICES
from tierform.terraform.cache import cache_key
from tierform.terraform.cliconfig import offline_provider_hcl
from tierform.terraform.plan import Plan
from tierform.terraform.runner import COUNTERS, Runner, resolve_binary

pytestmark = pytest.mark.terraform

TINY = Path(__file__).resolve().parent / "fixtures" / "tiny"

_USER_TESTS = """
def test_subnets(tierform_plan):
    plan = tierform_plan({tiny!r})
    assert len(plan.resources("aws_subnet")) == 2


def test_db_isolated(tierform_plan):
    plan = tierform_plan({tiny!r})
    assert plan.references("aws_route.web_default", "route_table_id") == ["aws_route_table.web"]
    assert plan.resources("aws_route", tier="db") == []
"""


def _run_pytest(folder: Path, log: Path, cache: Path, *extra: str) -> list[str]:
    """Run pytest in ``folder``; return the terraform verbs it invoked."""
    log.unlink(missing_ok=True)
    env = {**os.environ, "TIERFORM_TERRAFORM_LOG": str(log)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         f"--tierform-cache-dir={cache}", *extra],
        cwd=folder, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = log.read_text() if log.exists() else ""
    return [line.split("\t")[0] for line in text.splitlines()]


def test_second_run_performs_no_terraform_and_parallel_workers_plan_once(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_user.py").write_text(textwrap.dedent(_USER_TESTS.format(tiny=str(TINY))))
    cache, log = tmp_path / "cache", tmp_path / "terraform.log"

    # Cold, two xdist workers asking for the same plan at once: one init, one plan.
    cold = _run_pytest(project, log, cache, "-n", "2")
    assert sorted(cold).count("plan") == 1, cold
    assert cold.count("init") == 1, cold
    # Warm: not one terraform invocation (not even `version`).
    assert _run_pytest(project, log, cache) == []
    # Clearing the cache makes the next run plan again.
    assert _run_pytest(project, log, cache, "--tierform-clear-cache").count("plan") == 1


def test_in_process_cache_hit_counts_nothing(tiny_plan: Plan, tierform_plan: object) -> None:
    before = dict(COUNTERS)
    again = tierform_plan(TINY)  # type: ignore[operator]
    assert dict(COUNTERS) == before
    assert again.raw == tiny_plan.raw


def test_key_covers_every_input() -> None:
    files: dict[str, str | bytes] = {"main.tf": "a", "versions.tf": b"b"}
    base = {"terraform_version": "terraform 1.11.4", "provider_hcl": "p", "lock_file": "l"}
    key = cache_key(files, {"x": [1, 2]}, **base)
    assert key == cache_key(dict(reversed(list(files.items()))), {"x": [1, 2]}, **base)
    others = {
        cache_key({**files, "main.tf": "a "}, {"x": [1, 2]}, **base),
        cache_key({"main.tfa": "", "versions.tf": b"b"}, {"x": [1, 2]}, **base),
        cache_key(files, {"x": [2, 1]}, **base),
        cache_key(files, None, **base),
        cache_key(files, {"x": [1, 2]}, **{**base, "terraform_version": "tofu 1.9.0"}),
        cache_key(files, {"x": [1, 2]}, **{**base, "provider_hcl": "q"}),
        cache_key(files, {"x": [1, 2]}, **{**base, "lock_file": "m"}),
        cache_key(files, {"x": [1, 2]}, **base, environment={"TF_VAR_name_prefix": "p"}),
    }
    assert key not in others
    assert len(others) == 8


def test_offline_provider_with_endpoint_validates_and_is_formatted(tmp_path: Path) -> None:
    hcl = offline_provider_hcl("eu-west-1", "http://127.0.0.1:4566")
    for service in PROVIDER_ENDPOINT_SERVICES:
        assert f'{service} = "http://127.0.0.1:4566"' in " ".join(hcl.split())
    assert "s3_use_path_style           = true" in hcl
    assert "endpoints" not in offline_provider_hcl("eu-west-1")

    runner = Runner.for_module(TINY, tmp_path / "work", region="eu-west-1",
                               endpoint="http://127.0.0.1:4566")
    runner.init()
    assert runner.validate()["valid"] is True
    assert runner.fmt_check() == []
    assert runner.version().parts >= (1, 5)


def test_invalid_module_raises_terraform_error_with_stderr(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_vpc" "this" {\n  cidr_block = aws_subnet.missing.id\n}\n')
    (tmp_path / "unformatted.tf").write_text('locals {\n  a="x"\n}\n')
    runner = Runner(tmp_path)
    assert runner.fmt_check() == ["unformatted.tf"]
    runner.init()
    with pytest.raises(TerraformError, match="Reference to undeclared resource") as failure:
        runner.validate()
    assert failure.value.exit_code == 1


def test_provider_that_cannot_be_installed_is_a_setup_error(tmp_path: Path) -> None:
    empty_mirror = tmp_path / "mirror"
    empty_mirror.mkdir()
    config = tmp_path / "cli.tfrc"
    config.write_text(textwrap.dedent(f"""\
        provider_installation {{
          filesystem_mirror {{
            path    = "{empty_mirror}"
            include = ["registry.terraform.io/*/*"]
          }}
          direct {{
            exclude = ["registry.terraform.io/*/*"]
          }}
        }}
        """))
    workdir = tmp_path / "work"
    runner = Runner.for_module(TINY, workdir, env={"TF_CLI_CONFIG_FILE": str(config),
                                                   "TF_PLUGIN_CACHE_DIR": ""})
    with pytest.raises(TerraformSetupError, match="could not install the providers") as failure:
        runner.init()
    assert failure.value.exit_code == 2
    assert "What to do" in str(failure.value)


def test_missing_binary_is_a_setup_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIERFORM_TERRAFORM", "terraform-that-does-not-exist")
    with pytest.raises(TerraformSetupError, match="not found") as failure:
        resolve_binary()
    assert failure.value.exit_code == 2
    assert resolve_binary("terraform").endswith("terraform")
