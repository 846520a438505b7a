"""``stt edit``'s server: the editor page, the recording and the transcript's saves, on the loopback address
only, for the one person holding the session's secret.

Python's own ``http.server`` is used, on purpose: it is in the standard library (nothing to install on a court's
offline workstation, nothing to audit but this file), it phones nowhere, and the editor needs five routes, byte
ranges and JSON, which it does in a few lines. A framework would bring a dependency tree for features a local
single-user editor does not use.

Every request must carry the session's token (a 256-bit secret in the URL printed at start) and name the
printed address as its ``Host`` (and, when it has one, its ``Origin``): another local account that finds the
port, or a web page the clerk has open that tries to reach it (a DNS rebinding of ``127.0.0.1``, a form posted
from elsewhere), gets 403 and nothing else. Only the page, the transcript and its history, and the recording are
served; the recording with HTTP byte ranges, so seeking in a six-hour hearing is instant.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import secrets
import threading
import urllib.parse
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from stt_cli.errors import SttError, UsageError
from stt_cli.fileio import open_input

logger = logging.getLogger("stt_cli")

_CHUNK = 1 << 16  # bytes of the recording sent at a time
_MAX_BODY = 1 << 20  # bytes an edit may carry (one operation: a few hundred bytes)
_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; media-src 'self' blob:; "
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class EditorServer:
    """The server of one editing session.

    Args:
        page: the editor page's HTML for this session's token (the page carries the transcript's state).
        history: the transcript's edits, for ``/api/history``.
        apply: an edit request's body -> ``(HTTP status, reply)``.
        recording: the recording to serve, or ``None``.
        port: 0 for a free one.
    """

    def __init__(
        self,
        *,
        page: Callable[[str], str],
        history: Callable[[], dict[str, Any]],
        apply: Callable[[dict[str, Any]], tuple[int, dict[str, Any]]],
        recording: Path | None,
        port: int = 0,
    ) -> None:
        self.token = secrets.token_urlsafe(32)
        self.recording = recording
        self._page, self._history, self._apply = page, history, apply
        self._lock = threading.Lock()  # one save at a time: revisions follow each other
        handler = type("Handler", (_Handler,), {"editor": self})
        try:
            self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        except OSError as e:
            raise UsageError(
                f"`port` {port}: cannot listen there ({e.strerror}); leave it out for a free one"
            ) from e
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.host = f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}/?token={self.token}"

    def serve(self) -> None:
        """Serve until :meth:`stop` (or Ctrl-C in the caller's thread)."""
        self.httpd.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        """Stop serving, once a save under way is written (a request after this gets no answer)."""
        self.httpd.shutdown()
        with self._lock:
            self.httpd.server_close()

    def edit(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            return self._apply(body)


class _Handler(BaseHTTPRequestHandler):
    editor: EditorServer
    server_version = "stt-edit"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("edit server: " + format, *args)  # the token stays out of any log

    def _allowed(self) -> bool:
        """The session's token, and this very address as the request's Host and Origin."""
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        token = (query.get("token") or [""])[0]
        origin = self.headers.get("Origin")
        return (
            hmac.compare_digest(token.encode(), self.editor.token.encode())
            and self.headers.get("Host") == self.editor.host
            and origin in (None, f"http://{self.editor.host}")
        )

    def _send(self, status: int, body: bytes, kind: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Security-Policy", _POLICY)
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data: dict[str, Any]) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    def _refuse(self) -> None:
        self._send(HTTPStatus.FORBIDDEN, b"forbidden\n", "text/plain; charset=utf-8")

    def do_GET(self) -> None:
        if not self._allowed():
            return self._refuse()
        route = urllib.parse.urlsplit(self.path).path
        if route == "/":
            return self._send(
                HTTPStatus.OK, self.editor._page(self.editor.token).encode(), "text/html; charset=utf-8"
            )
        if route == "/api/history":
            return self._json(HTTPStatus.OK, self.editor._history())
        if route == "/audio" and self.editor.recording is not None:
            return self._audio(self.editor.recording)
        return self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")

    do_HEAD = do_GET

    def do_POST(self) -> None:
        if not self._allowed():
            return self._refuse()
        if urllib.parse.urlsplit(self.path).path != "/api/edit":
            return self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")
        try:
            length = int(self.headers.get("Content-Length", "0"))
            if not 0 < length <= _MAX_BODY:
                raise ValueError("an edit is one small JSON object")
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            if not isinstance(body, dict):
                raise ValueError("an edit is one JSON object")
        except (ValueError, UnicodeDecodeError) as e:
            return self._json(HTTPStatus.BAD_REQUEST, {"error": str(e)})
        try:
            status, reply = self.editor.edit(body)
        except SttError as e:
            status, reply = HTTPStatus.INTERNAL_SERVER_ERROR, {"error": str(e)}
        self._json(status, reply)

    def _audio(self, path: Path) -> None:
        """The recording, whole or the byte range asked for (``Range: bytes=a-b``), so the player can seek."""
        try:
            size = path.stat().st_size
        except OSError:
            return self._send(HTTPStatus.NOT_FOUND, b"the recording is gone\n", "text/plain; charset=utf-8")
        first, last, status = 0, size - 1, HTTPStatus.OK
        asked = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", "").strip())
        if asked and (asked.group(1) or asked.group(2)):
            if asked.group(1):
                first = int(asked.group(1))
                last = min(int(asked.group(2)), size - 1) if asked.group(2) else size - 1
            else:  # the last n bytes
                first = max(0, size - int(asked.group(2)))
            if first > last or first >= size:
                return self._send(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, b"", "text/plain",
                                  {"Content-Range": f"bytes */{size}"})  # fmt: skip
            status = HTTPStatus.PARTIAL_CONTENT
        self.send_response(status)
        self.send_header("Content-Type", _media_type(path))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(last - first + 1))
        self.send_header("Cache-Control", "no-store")
        if status == HTTPStatus.PARTIAL_CONTENT:
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.end_headers()
        if self.command == "HEAD":
            return
        with open_input(path) as f:  # read-only, as every recording is opened
            f.seek(first)
            left = last - first + 1
            try:
                while left > 0 and (block := f.read(min(_CHUNK, left))):
                    self.wfile.write(block)
                    left -= len(block)
            except (BrokenPipeError, ConnectionResetError):  # the player seeks elsewhere and drops this one
                return


_TYPES = {".wav": "audio/wav", ".flac": "audio/flac", ".mp3": "audio/mpeg", ".ogg": "audio/ogg",
          ".opus": "audio/ogg", ".m4a": "audio/mp4", ".mp4": "video/mp4", ".webm": "video/webm",
          ".mkv": "video/x-matroska", ".aac": "audio/aac"}  # fmt: skip


def _media_type(path: Path) -> str:
    return _TYPES.get(path.suffix.lower(), "application/octet-stream")
