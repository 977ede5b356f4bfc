"""What the command line shows and writes: progress while it works, result files.

Lower layers (``tierform.apply``) take a ``progress`` callable instead of printing, so
they stay quiet as a library and the CLI decides how work in progress looks.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from tierform.errors import OutputError

__all__ = ["progress", "write_result"]


@contextmanager
def progress(message: str) -> Iterator[None]:
    """A spinner on a terminal; one line on stderr in CI or when piped; nothing when quiet."""
    quiet = os.environ.get("TIERFORM_QUIET")
    if quiet or os.environ.get("CI") or not sys.stderr.isatty():
        if not quiet:
            sys.stderr.write(f"{message}...\n")
            sys.stderr.flush()
        yield
        return
    from rich.console import Console  # only a terminal needs rich (it is slow to import)

    with Console(stderr=True).status(message):
        yield


def write_result(path: Path, text: str) -> None:
    """Write a result file (``--out``) without ever changing what kind of file ``path`` is.

    A regular file (or a new one) is replaced through a temporary beside it, so a failure
    leaves nothing half-written; a symbolic link stays a link and its target is replaced.
    This process's own stdout or stderr (``/dev/stdout``, even when redirected to a file)
    is written through the stream, in order with the rest of the output; another device,
    pipe or socket is written in place. ``OutputError`` (exit 2) when it cannot be written.
    """
    try:
        try:
            target: os.stat_result | None = os.stat(path)  # follows links
        except FileNotFoundError:
            target = None
        if target is not None and stat.S_ISDIR(target.st_mode):
            raise OutputError(f"cannot write {path}: it is a directory; give a file name")
        stream = _own_stream(target)
        if stream is not None:
            stream.write(text)
            stream.flush()
        elif target is not None and not stat.S_ISREG(target.st_mode):
            with open(path, "w", encoding="utf-8") as handle:  # a device, FIFO or socket
                handle.write(text)
        else:
            _replace(Path(os.path.realpath(path)), text, target)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}; choose another "
                          "path with --out") from None


def _own_stream(target: os.stat_result | None) -> TextIO | None:
    if target is None:
        return None
    for stream, number in ((sys.stdout, 1), (sys.stderr, 2)):
        try:
            mine = os.fstat(number)
        except OSError:
            continue
        if (mine.st_dev, mine.st_ino) == (target.st_dev, target.st_ino):
            return stream
    return None


def _replace(real: Path, text: str, target: os.stat_result | None) -> None:
    handle, name = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tierform-tmp",
                                    dir=real.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if target is not None:
            os.chmod(name, stat.S_IMODE(target.st_mode))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(name, 0o666 & ~umask)  # as open() would have created it
        os.replace(name, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
