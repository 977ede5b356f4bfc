"""The CI kit and the pre-commit hooks: the written pipelines pass the GitHub workflow and
GitLab CI schemas bundled with check-jsonschema (offline), run every gate for every
blueprint, pin this release, and are written by the writer's rules (never over a file
Tierform did not write)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from cli_support import ROOT, failed, tierform
from tierform import __version__
from tierform.render.ci import CI_HEADER_PREFIX, precommit_hooks

SCHEMAS = {"github": "vendor.github-workflows", "gitlab": "vendor.gitlab-ci"}
OUTPUT = {"github": ".github/workflows/tierform.yml", "gitlab": ".gitlab-ci.yml"}
NAMES = tuple(sorted(p.stem for p in (ROOT / "blueprints").glob("*.yaml")))


def _schema_check(kind: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                           SCHEMAS[kind], str(path)], capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository like ours: blueprints/*.yaml (the shipped ones)."""
    shutil.copytree(ROOT / "blueprints", tmp_path / "blueprints")
    return tmp_path


def _write(kind: str, repo: Path, *args: str) -> Path:
    result = tierform("ci", kind, *args, cwd=repo)
    assert result.returncode == 0, result.stderr
    return repo / OUTPUT[kind]


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_pipeline_passes_its_schema_and_a_broken_one_does_not(kind: str, repo: Path) -> None:
    path = _write(kind, repo)
    result = _schema_check(kind, path)
    assert result.returncode == 0, result.stdout + result.stderr
    # The check can fail: the same file with its job's runner / stage made invalid.
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if kind == "github":
        document["jobs"]["layering"]["runs-on"] = 3
    else:
        document["tierform"]["artifacts"]["when"] = "sometimes"
    broken = repo / "broken.yml"
    broken.write_text(yaml.safe_dump(document), encoding="utf-8")
    assert _schema_check(kind, broken).returncode == 1


def _commands(kind: str, document: dict[str, Any]) -> list[str]:
    if kind == "github":
        runs = [step.get("run", "") for step in document["jobs"]["layering"]["steps"]]
        return [line.strip() for run in runs for line in run.splitlines()]
    job = document["tierform"]
    return [*job["before_script"], *job["script"]]


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_every_blueprint_is_gated_with_the_released_tierform(kind: str, repo: Path) -> None:
    path = _write(kind, repo)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"{CI_HEADER_PREFIX}{__version__} ")
    commands = _commands(kind, yaml.safe_load(text))
    assert f"python -m pip install 'tierform=={__version__}'" in commands
    for name in NAMES:
        bp, module = f"blueprints/{name}.yaml", f"modules/{name}"
        expected = [f"tierform validate {bp}",
                    f"tierform render {bp} -o {module} --check",
                    f"terraform -chdir={module} init -input=false -backend=false",
                    f"terraform -chdir={module} test",
                    f"tierform verify {bp} --format sarif > tierform-sarif/{name}.sarif "
                    "|| status=$?"]
        assert all(c in commands for c in expected), (name, commands)
    assert commands.index("tierform validate blueprints/two-tier.yaml") < \
        commands.index("tierform render blueprints/four-tier.yaml -o modules/four-tier --check")
    assert commands[-1] == 'exit "$status"' or kind == "github"


def test_github_uploads_sarif_even_when_verify_fails(repo: Path) -> None:
    document = yaml.safe_load(_write("github", repo).read_text(encoding="utf-8"))
    upload = document["jobs"]["layering"]["steps"][-1]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["if"] == "${{ always() }}"
    assert upload["with"]["sarif_file"] == "tierform-sarif"
    assert document["permissions"]["security-events"] == "write"


def test_gitlab_keeps_the_sarif_of_failed_runs(repo: Path) -> None:
    artifacts = yaml.safe_load(_write("gitlab", repo).read_text(encoding="utf-8"))[
        "tierform"]["artifacts"]
    assert artifacts["when"] == "always"
    assert artifacts["paths"] == ["tierform-sarif/"]


def test_same_blueprints_same_bytes_and_a_rerun_changes_nothing(repo: Path) -> None:
    first = _write("github", repo).read_bytes()
    result = tierform("ci", "github", cwd=repo)
    assert result.returncode == 0
    assert "up to date" in result.stderr
    assert (repo / OUTPUT["github"]).read_bytes() == first


def test_install_and_blueprints_can_be_chosen(repo: Path) -> None:
    path = _write("gitlab", repo, "blueprints/two-tier.yaml", "--install",
                  "tierform @ git+https://example.invalid/tierform@v1.2.3", "--modules-dir",
                  "infra/modules")
    commands = _commands("gitlab", yaml.safe_load(path.read_text(encoding="utf-8")))
    assert "python -m pip install 'tierform @ git+https://example.invalid/tierform@v1.2.3'" \
        in commands
    assert "terraform -chdir=infra/modules/two-tier test" in commands
    assert not any("three-tier" in c for c in commands)


def test_a_file_tierform_did_not_write_is_never_overwritten(repo: Path) -> None:
    mine = repo / ".github" / "workflows" / "tierform.yml"
    mine.parent.mkdir(parents=True)
    mine.write_text("name: mine\n", encoding="utf-8")
    failed(tierform("ci", "github", cwd=repo), 2, "was not written by tierform")
    assert mine.read_text(encoding="utf-8") == "name: mine\n"
    assert sorted(p.name for p in mine.parent.iterdir()) == ["tierform.yml"]


@pytest.mark.parametrize("bad", ["/etc/x.yaml", "../x.yaml", "my blueprint.yaml"])
def test_paths_the_pipeline_cannot_use_are_refused(repo: Path, bad: str) -> None:
    if not bad.startswith("/"):
        target = (repo / bad).resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(repo / "blueprints" / "two-tier.yaml", target)
    else:
        bad = str(repo.parent / "elsewhere.yaml")
        shutil.copy(repo / "blueprints" / "two-tier.yaml", bad)
    failed(tierform("ci", "github", bad, cwd=repo), 2, "tierform ci")
    assert not (repo / ".github").exists()


def test_no_blueprints_is_a_clear_error(tmp_path: Path) -> None:
    failed(tierform("ci", "gitlab", cwd=tmp_path), 2, "no blueprints to gate")
    assert not (tmp_path / ".gitlab-ci.yml").exists()


def test_precommit_hooks_file_is_rendered_and_pins_the_release() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert text == precommit_hooks()  # re-render with tierform.render.ci.precommit_hooks
    assert f"rev: v{__version__}" in text
    hooks = yaml.safe_load(text)
    assert [h["id"] for h in hooks] == ["tierform-validate", "tierform-render-check"]
    assert all(h["language"] == "python" and h["entry"].startswith(("tierform ", "bash -c"))
               for h in hooks)
    assert "tierform render --check blueprints/*.yaml" in hooks[1]["entry"]


def test_the_hooks_commands_work_on_several_blueprints() -> None:
    # pre-commit passes every changed blueprint to validate at once.
    result = tierform("validate", "blueprints/two-tier.yaml", "blueprints/three-tier.yaml")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": valid: ") == 2
    result = tierform("render", "--check", *sorted(str(p.relative_to(ROOT)) for p in
                                                   (ROOT / "blueprints").glob("*.yaml")))
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("up to date") == len(NAMES)
