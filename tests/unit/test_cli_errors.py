"""Bad input on the command line: the right exit code, a message that says what to do,
no traceback, and nothing written (the CLI runs in a subprocess, as a user runs it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_support import ROOT, failed, tierform

TWO_TIER = ROOT / "blueprints" / "two-tier.yaml"


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` with its bytes and mtime, to prove nothing was written."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def blueprint(tmp_path: Path) -> Path:
    path = tmp_path / "bp.yaml"
    path.write_text(TWO_TIER.read_text(encoding="utf-8"), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- the blueprint file


@pytest.mark.parametrize("command", ["validate", "render", "plan", "diagram"])
def test_missing_blueprint_file(tmp_path: Path, command: str) -> None:
    result = tierform(command, "nope.yaml", cwd=tmp_path)
    failed(result, 2, "nope.yaml", "file not found", "hint: check the path")
    assert not (tmp_path / "modules").exists()


def test_directory_instead_of_a_file(tmp_path: Path) -> None:
    (tmp_path / "bp.yaml").mkdir()
    failed(tierform("validate", "bp.yaml", cwd=tmp_path), 2, "is a directory",
           "name a .yaml file")


def test_invalid_yaml_names_file_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "bp.yaml").write_text("tierform: 1\nname: [x\nregion: us-east-1\n")
    stderr = failed(tierform("render", "bp.yaml", "-o", "out", cwd=tmp_path), 2,
                    "YAML syntax error", "hint:")
    assert "bp.yaml:" in stderr
    assert not (tmp_path / "out").exists()


def test_semantic_errors_are_all_reported_at_once(tmp_path: Path, blueprint: Path) -> None:
    text = blueprint.read_text().replace("ports: [5432]", "ports: [70000]").replace(
        "to: db", "to: dbb")
    blueprint.write_text(text)
    stderr = failed(tierform("validate", blueprint.name, cwd=tmp_path), 2, "problems):")
    assert stderr.count("bp.yaml:") >= 2, stderr


def _with_environment_tag(blueprint: Path, escape: str) -> None:
    blueprint.write_text(blueprint.read_text().replace("Environment: Staging",
                                                       f'Environment: "{escape}"'))


def test_lone_surrogate_escape_is_a_finding(tmp_path: Path, blueprint: Path) -> None:
    # YAML's "\uD800" escape makes a lone surrogate that no UTF-8 file can hold.
    _with_environment_tag(blueprint, "\\uD800")
    failed(tierform("render", blueprint.name, "-o", "out", cwd=tmp_path), 2,
           "tags.Environment")
    assert not (tmp_path / "out").exists()


def test_escaped_surrogate_pair_is_joined(tmp_path: Path, blueprint: Path) -> None:
    # JSON encoders write characters beyond U+FFFF as a pair of escapes; the loader joins
    # them into one character, which the rendered module then holds as UTF-8. (A letter:
    # the flow-log role's tags admit letters, not emoji.)
    _with_environment_tag(blueprint, "\\uD835\\uDC00")
    result = tierform("render", blueprint.name, "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rendered = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out").glob("*.tf"))
    assert 'Environment = "\U0001D400"' in rendered


def test_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    failed(tierform("rendr", "bp.yaml", cwd=tmp_path), 2, "invalid choice")


# --------------------------------------------------------------------------- render output


def test_render_refuses_a_directory_it_did_not_create(tmp_path: Path, blueprint: Path) -> None:
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    (out / "main.tf").write_text("# someone else's\n")
    (out / "sub" / "notes.txt").write_text("keep me\n")
    before = snapshot(out)
    failed(tierform("render", blueprint.name, "-o", "out", cwd=tmp_path), 2,
           "not written by tierform", "--force")
    assert snapshot(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".tierform")]

    forced = tierform("render", blueprint.name, "-o", "out", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert (out / ".tierform").is_file()
    assert (out / "vpc.tf").is_file()
    # --force writes beside the directory's files: none is deleted or overwritten.
    assert {k: v for k, v in snapshot(out).items() if k in before} == before
    # The foreign main.tf would be loaded with the module: --check says so.
    check = tierform("render", blueprint.name, "-o", "out", "--diff", cwd=tmp_path)
    failed(check, 1, "out of date")
    assert check.stdout.startswith("Only in a/: main.tf (not written by tierform")


def test_render_force_never_overwrites_a_file_it_did_not_write(tmp_path: Path,
                                                              blueprint: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "vpc.tf").write_text("# the user's own vpc.tf\n")
    before = snapshot(out)
    failed(tierform("render", blueprint.name, "-o", "out", "--force", cwd=tmp_path), 2,
           "vpc.tf already exist", "never overwrites")
    assert snapshot(out) == before


def test_render_force_into_the_blueprints_folder_keeps_the_blueprint(tmp_path: Path,
                                                                   blueprint: Path) -> None:
    before = blueprint.read_bytes()
    for _ in range(2):  # the second render finds the folder marked as Tierform's
        result = tierform("render", "bp.yaml", "-o", ".", "--force", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    assert blueprint.read_bytes() == before
    assert tierform("render", "bp.yaml", "-o", ".", "--check", cwd=tmp_path).returncode == 0


def test_render_removes_only_what_it_wrote_before(tmp_path: Path, blueprint: Path) -> None:
    assert tierform("render", blueprint.name, "-o", "out", cwd=tmp_path).returncode == 0
    out = tmp_path / "out"
    (out / "notes.txt").write_text("mine\n")
    (out / "example" / "terraform.tfvars").write_text("name_prefix = \"x\"\n")
    marker = (out / ".tierform").read_text()
    (out / ".tierform").write_text(marker + "retired.tf\n")  # as if an older module had it
    (out / "retired.tf").write_text("# rendered by an older blueprint\n")
    result = tierform("render", blueprint.name, "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "removed what the blueprint no longer renders: retired.tf" in result.stderr
    assert not (out / "retired.tf").exists()
    assert (out / "notes.txt").read_text() == "mine\n"
    assert (out / "example" / "terraform.tfvars").is_file()


def test_render_check_reports_drift_and_writes_nothing(tmp_path: Path, blueprint: Path) -> None:
    assert tierform("render", blueprint.name, "-o", "out", cwd=tmp_path).returncode == 0
    out = tmp_path / "out"
    with (out / "vpc.tf").open("a") as handle:
        handle.write("# hand edit\n")
    (out / "vpc.tf").touch()
    before = snapshot(out)
    for flag in ("--check", "--diff"):
        result = tierform("render", blueprint.name, "-o", "out", flag, cwd=tmp_path)
        failed(result, 1, "out of date", f"tierform render {blueprint.name} -o out")
        assert snapshot(out) == before, flag
    diff = tierform("render", blueprint.name, "-o", "out", "--diff", cwd=tmp_path).stdout
    assert "-# hand edit" in diff


def test_render_check_of_a_missing_module_is_drift(tmp_path: Path, blueprint: Path) -> None:
    failed(tierform("render", blueprint.name, "-o", "out", "--check", cwd=tmp_path), 1,
           "out of date")
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- reach


def test_reach_refuses_json_that_is_neither_plan_nor_state(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text('{"format_version": "1.0", "foo": 1}')
    failed(tierform("reach", "x.json", cwd=tmp_path), 2, "neither a plan nor a state",
           "terraform show -json")


def test_reach_refuses_a_file_that_is_not_json(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("not json\n")
    failed(tierform("reach", "x.json", cwd=tmp_path), 2, "x.json:1:1", "not JSON",
           "terraform show -json")


def test_reach_missing_file(tmp_path: Path) -> None:
    failed(tierform("reach", "plan.json", cwd=tmp_path), 2, "plan.json", "no such file")


@pytest.mark.parametrize("args", [["--from", "web"], ["--to", "db"],
                                  ["--from", "web", "--to", "db"]])
def test_reach_query_needs_from_to_and_port(tmp_path: Path, blueprint: Path,
                                            args: list[str]) -> None:
    failed(tierform("reach", blueprint.name, *args, cwd=tmp_path), 2,
           "needs --from, --to and --port")


def test_reach_unknown_endpoint_lists_the_known_ones(tmp_path: Path, blueprint: Path) -> None:
    failed(tierform("reach", blueprint.name, "--from", "nope", "--to", "web", "--port", "80",
                    cwd=tmp_path), 2, "unknown endpoint 'nope'", "known: db, internet, web")


# --------------------------------------------------------------------------- endpoint


@pytest.mark.parametrize(("endpoint", "said"), [
    ("http://127.0.0.1:99999", "Port out of range"),
    ("http://127.0.0.1:abc", "Port could not be cast to integer"),
    ("http://127.0.0.1:0", "is not a usable endpoint"),
    ("127.0.0.1:5000", "is not an http(s) URL"),
    ("ftp://127.0.0.1:21", "is not an http(s) URL"),
    ("http://:5000", "is not an http(s) URL"),
])
@pytest.mark.parametrize("command", ["verify", "apply", "destroy"])
def test_a_bad_endpoint_is_a_usage_error_at_once(tmp_path: Path, blueprint: Path,
                                                 command: str, endpoint: str,
                                                 said: str) -> None:
    """It was accepted, and failed after the SDK's retries (about 10 s)."""
    args = [command, str(blueprint), "--endpoint", endpoint]
    if command == "verify":
        args += ["--live", "--region", "us-east-1"]
    before = snapshot(tmp_path)
    stderr = failed(tierform(*args, cwd=tmp_path), 2, "argument --endpoint:", said,
                    "write it as http://127.0.0.1:5000", stdout="")
    assert "usage:" in stderr
    assert snapshot(tmp_path) == before
