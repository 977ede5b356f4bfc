"""The CLI's result files (``--out``) and progress lines: a regular file is replaced
atomically, anything else is written in place and keeps its kind (a device stays a device,
a link a link, a FIFO a FIFO), and the process's own stdout keeps its order."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from tierform.errors import OutputError
from tierform.ui import progress, write_result

_CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from tierform.ui import write_result
    print("before", flush=True)
    write_result(Path(sys.argv[1]), "RESULT\\n")
    print("after")
""")


def _run(target: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _CHILD, target], text=True,
                          env=dict(os.environ), check=False, **kwargs)  # type: ignore[call-overload]


def test_a_regular_file_is_replaced_and_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    write_result(path, "one\n")
    assert path.read_text() == "one\n"
    path.chmod(0o640)
    write_result(path, "two\n")
    assert path.read_text() == "two\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]


def test_a_symbolic_link_stays_a_link(tmp_path: Path) -> None:
    (tmp_path / "real.json").write_text("old\n")
    (tmp_path / "link.json").symlink_to("real.json")
    write_result(tmp_path / "link.json", "new\n")
    assert (tmp_path / "link.json").is_symlink()
    assert (tmp_path / "real.json").read_text() == "new\n"


def test_dev_stdout_on_a_pipe_is_written_through_the_stream() -> None:
    result = _run("/dev/stdout", capture_output=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "before\nRESULT\nafter\n"
    assert Path("/dev/stdout").is_symlink()  # not replaced by a regular file


def test_dev_stdout_redirected_to_a_file_keeps_the_order(tmp_path: Path) -> None:
    out = tmp_path / "captured.txt"
    with out.open("w") as handle:
        result = _run("/dev/stdout", stdout=handle, stderr=subprocess.PIPE)
    assert result.returncode == 0, result.stderr
    assert out.read_text() == "before\nRESULT\nafter\n"


def test_a_device_and_a_fifo_are_written_in_place(tmp_path: Path) -> None:
    write_result(Path("/dev/null"), "x\n")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    write_result(fifo, "through the pipe\n")
    reader.join(timeout=10)
    assert got == ["through the pipe\n"]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_directory_or_a_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a directory") as caught:
        write_result(tmp_path, "x")
    assert caught.value.exit_code == 2
    with pytest.raises(OutputError, match="choose another path with --out"):
        write_result(tmp_path / "missing" / "plan.json", "x")
    assert list(tmp_path.iterdir()) == []


def test_progress_is_one_line_when_piped_and_nothing_when_quiet(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIERFORM_QUIET", raising=False)
    with progress("terraform apply net"):
        pass
    assert capsys.readouterr().err == "terraform apply net...\n"
    monkeypatch.setenv("TIERFORM_QUIET", "1")
    with progress("terraform apply net"):
        pass
    assert capsys.readouterr().err == ""
