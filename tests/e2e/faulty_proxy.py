"""A loopback HTTP proxy in front of the emulator that answers HTTP 500 to chosen AWS
actions a set number of times: the transient server error a real emulator sometimes gives
(moto once failed a demo's destroy that way), made repeatable."""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["FaultyProxy", "faulty_proxy"]

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
               "proxy-authorization", "proxy-authenticate", "host", "content-length"}
_ERROR_BODY = (b'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error>'
               b"<Code>InternalError</Code><Message>injected by the test</Message></Error>"
               b"</Errors><RequestID>test</RequestID></Response>")


class FaultyProxy:
    """Forwards everything to ``upstream``; the first ``failures[action]`` requests for an
    EC2 Query ``Action`` get HTTP 500 instead. ``seen`` counts requests per action."""

    def __init__(self, upstream: str, failures: dict[str, int]) -> None:
        self.upstream = upstream.rstrip("/")
        self.failures = dict(failures)
        self.seen: dict[str, int] = {}
        self.failed: dict[str, int] = {}
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return  # quiet

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                action = _action(self.path, body)
                if proxy._should_fail(action):
                    self.send_response(500)
                    self.send_header("Content-Type", "text/xml")
                    self.send_header("Content-Length", str(len(_ERROR_BODY)))
                    self.end_headers()
                    self.wfile.write(_ERROR_BODY)
                    return
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in _HOP_BY_HOP}
                request = urllib.request.Request(proxy.upstream + self.path,
                                                 data=body if body else None,
                                                 headers=headers, method=self.command)
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        status, reply, items = response.status, response.read(), \
                            response.headers.items()
                except urllib.error.HTTPError as error:
                    status, reply, items = error.code, error.read(), error.headers.items()
                self.send_response(status)
                for key, value in items:
                    if key.lower() not in _HOP_BY_HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _should_fail(self, action: str | None) -> bool:
        if action is None:
            return False
        with self._lock:
            self.seen[action] = self.seen.get(action, 0) + 1
            if self.failures.get(action, 0) > 0:
                self.failures[action] -= 1
                self.failed[action] = self.failed.get(action, 0) + 1
                return True
        return False

    def start(self) -> FaultyProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _action(path: str, body: bytes) -> str | None:
    """The AWS Query API ``Action`` of a request (EC2, IAM, STS use it), if any."""
    for text in (urllib.parse.urlsplit(path).query, body.decode("utf-8", "replace")):
        values = urllib.parse.parse_qs(text).get("Action")
        if values:
            return values[0]
    return None


@contextmanager
def faulty_proxy(upstream: str, failures: dict[str, int]) -> Iterator[FaultyProxy]:
    proxy = FaultyProxy(upstream, failures).start()
    try:
        yield proxy
    finally:
        proxy.stop()
