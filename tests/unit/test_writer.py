"""Atomic module writer: whole-directory swaps, the marker, drift, and a kill mid-render."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tierform.errors import OutputError
from tierform.render import writer
from tierform.render.writer import MARKER, MARKER_TEXT, WRITE_DELAY_ENV, module_drift, write_module

OLD = {"main.tf": "# old main\n", "variables.tf": "# old vars\n", "docs/README.md": "old\n"}
NEW = {f"file{i}.tf": f"# new {i}\n" for i in range(6)}


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _siblings(target: Path) -> list[str]:
    return sorted(p.name for p in target.parent.iterdir() if p.name != target.name)


def test_first_write_creates_module_with_marker(tmp_path: Path) -> None:
    target = tmp_path / "modules" / "three-tier"
    write_module(OLD, target)
    assert _tree(target) == {**{k: v.encode() for k, v in OLD.items()},
                             MARKER: MARKER_TEXT.encode()}
    assert _siblings(target) == []
    assert (target.stat().st_mode & 0o777) != 0o700  # not mkdtemp's private mode


def test_rewrite_replaces_the_whole_directory(tmp_path: Path) -> None:
    target = tmp_path / "mod"
    write_module(OLD, target)
    (target / ".terraform").mkdir()
    write_module(NEW, target)
    assert set(_tree(target)) == {*NEW, MARKER}
    assert _siblings(target) == []


def test_refuses_foreign_directory_unless_forced(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "precious.txt").write_text("keep me")
    with pytest.raises(OutputError) as caught:
        write_module(NEW, target)
    assert caught.value.exit_code == 2
    assert "--force" in str(caught.value)
    assert (target / "precious.txt").read_text() == "keep me"
    write_module(NEW, target, force=True)
    assert set(_tree(target)) == {*NEW, MARKER}


def test_empty_directory_is_fine_and_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    write_module(NEW, tmp_path / "empty")
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="not a directory"):
        write_module(NEW, tmp_path / "file", force=True)


def test_bad_file_names_are_programming_errors(tmp_path: Path) -> None:
    for name in ("../escape.tf", "/abs.tf", MARKER, "a/./b.tf", ""):
        with pytest.raises(ValueError, match="not a plain relative file name"):
            write_module({name: "x"}, tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_fallback_without_rename_exchange(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer, "_exchange", lambda first, second: False)
    target = tmp_path / "mod"
    write_module(OLD, target)
    write_module(NEW, target)
    assert set(_tree(target)) == {*NEW, MARKER}
    assert _siblings(target) == []


def test_recovers_a_fallback_swap_killed_between_renames(tmp_path: Path) -> None:
    target = tmp_path / "mod"
    write_module(OLD, target)
    before = _tree(target)
    # State after a kill between "rename old away" and "rename new in".
    target.rename(tmp_path / ".mod.tierform-old-dead")
    (tmp_path / ".mod.tierform-tmp-dead").mkdir()
    (tmp_path / ".mod.tierform-tmp-dead" / "half.tf").write_text("partial")
    writer._recover(target)
    assert _tree(target) == before
    assert _siblings(target) == []


def test_drift(tmp_path: Path) -> None:
    target = tmp_path / "mod"
    assert module_drift(OLD, target)[:2] == ["--- /dev/null", "+++ b/docs/README.md"]
    write_module(OLD, target)
    assert module_drift(OLD, target) == []
    (target / ".terraform").mkdir()
    (target / ".terraform" / "state").write_text("x")
    (target / ".terraform.lock.hcl").write_text("lock")
    assert module_drift(OLD, target) == []  # terraform's own files are not drift
    (target / "main.tf").write_text("# edited by hand\n")
    (target / "extra.tf").write_text("x\n")
    drift = module_drift({**OLD, "new.tf": "n\n"}, target)
    assert "--- a/extra.tf" in drift
    assert "+++ /dev/null" in drift
    assert "-# edited by hand" in drift
    assert "+# old main" in drift
    assert "+++ b/new.tf" in drift
    assert not any(MARKER in line for line in drift)
    (target / "main.tf").write_text("# old main")  # only the final newline differs
    assert module_drift(OLD, target)[-1] == "@@ line endings or final newline differ @@"


_CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from tierform.render.writer import write_module
    files = {f"file{i}.tf": f"# new {i}\\n" for i in range(6)}
    write_module(files, Path(sys.argv[1]))
""")


def _kill_mid_render(target: Path) -> None:
    """Start a render that sleeps after each file, kill it once half the files exist."""
    env = {**os.environ, WRITE_DELAY_ENV: "0.4"}
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(target)], env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            temps = list(target.parent.glob(f".{target.name}.tierform-tmp-*"))
            if temps and len(list(temps[0].iterdir())) >= 3:
                break
            assert child.poll() is None, "the render finished before it could be killed"
            time.sleep(0.05)
        else:
            pytest.fail("the render never wrote half of its files")
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL


def test_kill_mid_render_keeps_previous_module(tmp_path: Path) -> None:
    target = tmp_path / "mod"
    write_module(OLD, target)
    before = _tree(target)
    _kill_mid_render(target)
    assert _tree(target) == before  # byte-identical previous module
    assert any(".tierform-tmp-" in name for name in _siblings(target))  # the partial render
    write_module(NEW, target)  # the next write cleans up
    assert _siblings(target) == []
    assert set(_tree(target)) == {*NEW, MARKER}


def test_kill_during_first_render_leaves_no_target(tmp_path: Path) -> None:
    target = tmp_path / "fresh"
    _kill_mid_render(target)
    assert not target.exists()
