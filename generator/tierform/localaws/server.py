"""Lifecycle of a local AWS emulator (moto server) on a free loopback port.

Apply tests and demos need an AWS API that costs nothing and touches no account. The
server runs in its own process group (so a stray child never outlives us) and is
stopped for sure: by ``stop()``, by the context manager, at interpreter exit, and when
the parent receives SIGTERM or SIGINT.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO, Any

from tierform.errors import TierformError
from tierform.localaws.motoserver import LISTENING

__all__ = ["LocalAWS", "LocalAWSError", "free_port"]

_LOOPBACK = "127.0.0.1"
_HEALTH_PATH = "/moto-api/"
_RESET_PATH = "/moto-api/reset"
_START_ATTEMPTS = 3
# moto's server plus the fixes that make it answer like AWS (see motoserver.py).
_SERVER_MODULE = "tierform.localaws.motoserver"


class LocalAWSError(TierformError):
    """The emulator is missing, did not start, or did not answer: a set-up problem (exit 2)."""


def free_port(host: str = _LOOPBACK) -> int:
    """A port the kernel calls free right now (another process may still take it: retry)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _http(method: str, url: str, timeout: float) -> int:
    request = urllib.request.Request(url, method=method)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        status: int = response.status
        return status


class _Registry:
    """Every running server of this process, stopped at exit and on SIGTERM/SIGINT."""

    def __init__(self) -> None:
        self._servers: set[LocalAWS] = set()
        self._lock = threading.RLock()  # re-entrant: a signal may arrive while held
        self._installed = False
        self._previous: dict[int, Any] = {}

    def add(self, server: LocalAWS) -> None:
        with self._lock:
            self._servers.add(server)
            if not self._installed:
                self._install()

    def discard(self, server: LocalAWS) -> None:
        with self._lock:
            self._servers.discard(server)

    def stop_all(self) -> None:
        with self._lock:
            servers = list(self._servers)
        for server in servers:
            server.stop()

    def _install(self) -> None:
        self._installed = True
        atexit.register(self.stop_all)
        # Signal handlers can only be set from the main thread; elsewhere atexit and
        # the context manager still cover the normal paths.
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(signum)
            self._previous[signum] = previous
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop_all()
        previous = self._previous.get(signum)
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_IGN:
            return
        elif signum == signal.SIGINT:
            raise KeyboardInterrupt
        else:
            # Default SIGTERM action: end now, with the conventional status.
            raise SystemExit(128 + signum)


_REGISTRY = _Registry()


class LocalAWS:
    """A moto server on ``127.0.0.1:<free port>``; use as a context manager.

    ``endpoint`` is the URL to give the AWS provider and boto3. ``reset()`` empties
    every emulated service between tests without restarting the process.
    """

    def __init__(self, *, port: int | None = None, startup_timeout: float = 30.0,
                 python: str | None = None, detach: bool = False) -> None:
        """``detach``: the server outlives this process (``tierform apply --local``); it is
        not stopped at exit, and whoever recorded ``pid`` stops it later."""
        self._detach = detach
        self._requested_port = port
        self._port: int | None = None
        self._timeout = startup_timeout
        self._python = python or sys.executable
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    # -- public API -------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT`` of the running server."""
        if self._port is None or not self.running:
            raise LocalAWSError("the local AWS emulator is not running")
        return f"http://{_LOOPBACK}:{self._port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> LocalAWS:
        """Start the server and wait until it answers; retry on a port taken meanwhile."""
        if self.running:
            return self
        last = ""
        attempts = 1 if self._requested_port is not None else _START_ATTEMPTS
        for _ in range(attempts):
            port = self._requested_port or free_port()
            failure = self._start_on(port)
            if failure is None:
                return self
            last = failure
        raise LocalAWSError(
            "the local AWS emulator (moto server) did not start.\n"
            f"{last}\n"
            "hint: install it with `pip install 'tierform[local]'` "
            "(moto[server,ec2,iam,logs,s3])"
        )

    def stop(self) -> None:
        """Stop the whole process group: SIGTERM, wait, then SIGKILL. Safe to call twice."""
        process, self._process = self._process, None
        _REGISTRY.discard(self)
        if process is not None and process.poll() is None:
            self._signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._signal_group(process, signal.SIGKILL)
                process.wait(timeout=5)
        elif process is not None:
            process.wait()
        if self._log is not None:
            self._log.close()
            with contextlib.suppress(OSError):
                os.unlink(self._log.name)
            self._log = None

    def reset(self) -> None:
        """Forget every emulated resource (moto's reset API)."""
        try:
            _http("POST", self.endpoint + _RESET_PATH, timeout=10)
        except (OSError, urllib.error.URLError) as error:
            raise LocalAWSError(f"cannot reset the local AWS emulator: {error}") from error

    def __enter__(self) -> LocalAWS:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"port={self._port}" if self.running else "stopped"
        return f"LocalAWS({state})"

    # -- internals --------------------------------------------------------------------

    def _start_on(self, port: int) -> str | None:
        """Start on ``port``; ``None`` when it answers, else why it failed (stderr tail)."""
        self._log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - lives as long as the server
            prefix="tierform-moto-", suffix=".log", delete=False)
        command = [self._python, "-m", _SERVER_MODULE, "-H", _LOOPBACK, "-p", str(port)]
        try:
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: killed as a whole in stop()
                env=_server_env(),
            )
        except OSError as error:
            return f"cannot run {' '.join(command)}: {error}"
        self._port = port
        if not self._detach:
            _REGISTRY.add(self)
        deadline = time.monotonic() + self._timeout
        url = f"http://{_LOOPBACK}:{port}{_HEALTH_PATH}"
        # Only once our own process says it holds the port does an answer there count.
        listening = LISTENING.format(address=f"{_LOOPBACK}:{port}", pid=self._process.pid)
        log = Path(self._log.name)
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            try:
                if listening in log.read_text(errors="replace") and _http(
                        "GET", url, timeout=2) == 200:
                    return None
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.2)
        reason = ("exited with status " f"{self._process.returncode}"
                  if self._process.poll() is not None
                  else f"did not answer within {self._timeout:g} s")
        tail = _tail(Path(self._log.name))
        self.stop()
        return f"`{' '.join(command)}` {reason}; its output ends with:\n{tail}"

    @staticmethod
    def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            pass
        except PermissionError:
            process.send_signal(signum)


def _server_env() -> dict[str, str]:
    """The child's environment without real AWS credentials (moto needs none)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_ACCESS_KEY_ID"] = "test"
    env["AWS_SECRET_ACCESS_KEY"] = "test"
    return env


def _tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no output)"
    return "\n".join(text.strip().splitlines()[-lines:]) or "(no output)"
