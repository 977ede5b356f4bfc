"""What the command line shows and writes: colour, progress while it works, result files.

Lower layers (``tierform.apply``, ``tierform.terraform``) take a ``progress`` callable and an
``events`` callback instead of printing, so they stay quiet as a library and the CLI decides
how work in progress looks: a live line on a terminal, a line every ``EVERY_SECONDS`` and at
each tenth of the work in CI or when piped, nothing when ``TIERFORM_QUIET`` is set.
Colour: on a terminal; off when piped, with ``NO_COLOR`` set, or ``--color never``;
``FORCE_COLOR`` or ``--color always`` forces it (https://no-color.org, force-color.org).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from tierform.errors import OutputError

__all__ = [
    "EVERY_SECONDS",
    "Events",
    "Recorder",
    "TerraformProgress",
    "color_enabled",
    "configure",
    "progress",
    "style",
    "write_result",
]

Events = Callable[[Mapping[str, Any]], None]
"""Where Terraform's ``-json`` UI messages go, one parsed line at a time."""

EVERY_SECONDS = 10.0
"""In CI or when piped, a progress line at least this often (and at each tenth done)."""

_MODE = {"color": "auto"}


def configure(color: str = "auto") -> None:
    """The CLI's ``--color auto|always|never`` for this process."""
    if color not in ("auto", "always", "never"):
        raise ValueError(f"--color {color!r}: auto, always or never")
    _MODE["color"] = color


def color_enabled(stream: TextIO | None = None) -> bool:
    """Whether ``stream`` (default stdout) gets colour: ``--color``, then ``NO_COLOR``, then
    ``FORCE_COLOR``, then whether it is a terminal (and not TERM=dumb)."""
    mode = _MODE["color"]
    if mode != "auto":
        return mode == "always"
    if os.environ.get("NO_COLOR"):
        return False
    force = os.environ.get("FORCE_COLOR")
    if force and force != "0":
        return True
    stream = sys.stdout if stream is None else stream
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return tty and os.environ.get("TERM") != "dumb"


_STYLES = {"ok": "32", "bad": "31;1", "warn": "33", "head": "1", "dim": "2"}


def style(text: str, kind: str, stream: TextIO | None = None) -> str:
    """``text`` in the colour of ``kind`` (ok, bad, warn, head, dim) when ``stream`` gets
    colour, else unchanged (a pipe sees the same bytes whatever the colour setting says)."""
    if not color_enabled(stream):
        return text
    return f"\x1b[{_STYLES[kind]}m{text}\x1b[0m"


def _live(stream: TextIO) -> bool:
    """A redrawn line only on a terminal outside CI (and with colour not turned off)."""
    if _MODE["color"] == "never" or os.environ.get("CI"):
        return False
    if _MODE["color"] == "always":
        return True
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def _seconds(elapsed: float) -> str:
    whole = int(elapsed)
    return f"{whole} s" if whole < 60 else f"{whole // 60} min {whole % 60:02d} s"


@dataclass
class TerraformProgress:
    """Counts read from Terraform's ``-json`` UI stream (``plan``/``apply``/``destroy``).

    ``total``: the changes the plan phase announced (its ``change_summary``, else the
    ``planned_change`` messages so far); ``done``: ``apply_complete`` and ``apply_errored``.
    """

    planned: int = 0
    total: int | None = None
    started: int = 0
    done: int = 0
    errored: int = 0
    refreshed: int = 0
    summary: Mapping[str, Any] | None = None
    """The last ``change_summary``'s ``changes`` (operation plan, apply or destroy)."""

    def feed(self, message: Mapping[str, Any]) -> None:
        kind = message.get("type")
        if kind == "planned_change":
            self.planned += 1
        elif kind == "refresh_complete":
            self.refreshed += 1
        elif kind == "apply_start":
            self.started += 1
        elif kind == "apply_complete":
            self.done += 1
        elif kind == "apply_errored":
            self.done += 1
            self.errored += 1
        elif kind == "change_summary":
            changes = message.get("changes") or {}
            self.summary = changes
            if changes.get("operation") == "plan":
                self.total = sum(int(changes.get(k) or 0) for k in ("add", "change", "remove"))

    @property
    def no_changes(self) -> bool:
        """True once a change summary said there is nothing to add, change or remove."""
        return self.summary is not None and not any(
            int(self.summary.get(k) or 0) for k in ("add", "change", "remove", "import"))

    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.done / self.total)

    def text(self) -> str:
        """``45/183 resources`` while applying; ``planned 183 changes`` while planning."""
        if self.total is not None and (self.started or self.done):
            failed = f", {self.errored} failed" if self.errored else ""
            return f"{self.done}/{self.total} resources{failed}"
        if self.total is not None:
            return f"{self.total} change{'s' if self.total != 1 else ''} planned"
        if self.planned:
            return f"{self.planned} change{'s' if self.planned != 1 else ''} planned so far"
        if self.refreshed:
            return f"{self.refreshed} read"
        return ""


class _Step:
    """One step in progress: feeds ``TerraformProgress`` and shows it (live or periodic)."""

    def __init__(self, message: str, stream: TextIO, *, live: bool,
                 clock: Callable[[], float] = time.monotonic,
                 every: float = EVERY_SECONDS) -> None:
        self.message = message
        self.stream = stream
        self.counts = TerraformProgress()
        self.clock = clock
        self.every = every
        self.start = clock()
        self.last_line = self.start
        self.last_tenth = 0
        self.status: Any = None
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.timer: threading.Thread | None = None
        if live:
            from rich.console import Console  # only a terminal needs rich (slow to import)

            console = Console(file=stream, force_terminal=True,
                              no_color=not color_enabled(stream))
            self.status = console.status(message)
            self.status.start()
        else:
            self._line(f"{message}...")
        if clock is time.monotonic:
            # Terraform can be silent for a while (init, a slow resource): keep time moving.
            self.timer = threading.Thread(target=self._ticking, daemon=True)
            self.timer.start()

    def _ticking(self) -> None:
        while not self.stopped.wait(1.0 if self.status is not None else self.every):
            self.tick()

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def _now(self) -> str:
        counts = self.counts.text()
        elapsed = _seconds(self.clock() - self.start)
        return f"{self.message}: {counts}, {elapsed}" if counts else f"{self.message}: {elapsed}"

    def __call__(self, message: Mapping[str, Any]) -> None:
        with self.lock:
            self.counts.feed(message)
        self.tick()

    def tick(self) -> None:
        """Redraw the live line, or print a line when ``every`` passed or a tenth was done."""
        with self.lock:
            self._tick()

    def _tick(self) -> None:
        if self.status is not None:
            self.status.update(self._now())
            return
        now = self.clock()
        fraction = self.counts.fraction()
        tenth = int(fraction * 10) if fraction is not None else self.last_tenth
        if now - self.last_line >= self.every or tenth > self.last_tenth:
            self.last_line = now
            self.last_tenth = max(tenth, self.last_tenth)
            self._line(self._now())

    def finish(self, failed: bool) -> None:
        self.stopped.set()
        if self.timer is not None:
            self.timer.join()
        if self.status is not None:
            self.status.stop()
        if failed:
            return
        counts = self.counts.text()
        done = _seconds(self.clock() - self.start)
        text = f"{self.message}: done in {done}" + (f" ({counts})" if counts else "")
        if self.status is not None:
            self._line(style(text, "dim", self.stream))
        elif self.clock() - self.start >= 1.0 or self.counts.summary is not None:
            self._line(text)


def _quiet_events(message: Mapping[str, Any]) -> None:
    """Events nobody shows."""


@contextmanager
def progress(message: str, *, stream: TextIO | None = None,
             clock: Callable[[], float] = time.monotonic,
             every: float = EVERY_SECONDS) -> Iterator[Events]:
    """Show ``message`` while the block runs; the block may feed Terraform's ``-json`` UI
    messages to what it yields. A spinner and live counts on a terminal; in CI or when piped
    the message, a line every ``every`` seconds (when events come) and at each tenth done,
    and the time it took; nothing when ``TIERFORM_QUIET`` is set."""
    if os.environ.get("TIERFORM_QUIET"):
        yield _quiet_events
        return
    target = sys.stderr if stream is None else stream
    step = _Step(message, target, live=_live(target), clock=clock, every=every)
    failed = True
    try:
        yield step
        failed = False
    finally:
        step.finish(failed)


class Recorder:
    """``progress`` that also keeps the counts of the last step fed events (for "no changes"
    or "183 added" after the step, whatever is shown or hidden while it runs)."""

    def __init__(self) -> None:
        self.last: TerraformProgress | None = None

    @contextmanager
    def progress(self, message: str) -> Iterator[Events]:
        counts = TerraformProgress()
        fed = False

        with progress(message) as shown:
            def both(event: Mapping[str, Any]) -> None:
                nonlocal fed
                fed = True
                counts.feed(event)
                shown(event)

            yield both
        if fed:
            self.last = counts


def write_result(path: Path, text: str | bytes) -> None:
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
            stream.flush()
            if isinstance(text, bytes):
                stream.buffer.write(text)
                stream.buffer.flush()
            else:
                stream.write(text)
                stream.flush()
        elif target is not None and not stat.S_ISREG(target.st_mode):
            with open(path, "wb") as handle:  # a device, FIFO or socket
                handle.write(text if isinstance(text, bytes) else text.encode("utf-8"))
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


def _replace(real: Path, text: str | bytes, target: os.stat_result | None) -> None:
    handle, name = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tierform-tmp",
                                    dir=real.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text if isinstance(text, bytes) else text.encode("utf-8"))
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
