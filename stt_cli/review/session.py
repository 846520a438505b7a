"""One ``stt edit`` session: the transcript's history held open, the page drawn from it, and each request to
change it answered with what the page must redraw."""

from __future__ import annotations

import logging
from http import HTTPStatus
from pathlib import Path
from typing import Any

from stt_cli.errors import SttError
from stt_cli.review.edits import EditError
from stt_cli.review.history import Conflict, History
from stt_cli.review.page import changed_segments, editor_page, page_state
from stt_cli.types import Transcript
from stt_cli.writers.json import transcript_json

logger = logging.getLogger("stt_cli")


class EditSession:
    """The editing of one transcript JSON by ``editor``.

    Args:
        path: the transcript JSON.
        editor: the name each change is signed with.
        gap: the pause that starts a new paragraph.
        at: the second the page opens at, or ``None``.

    Raises:
        UsageError: as :class:`History`.
    """

    def __init__(self, path: Path, *, editor: str, gap: float, at: float | None = None) -> None:
        self.history = History(path, gap)
        self.editor, self.gap, self.at = editor, gap, at
        # The JSON of every segment made now, once, so that the first save is as quick as the others (a
        # three-hour hearing's first save took 430 ms, the next ones 110).
        transcript_json(self.history.transcript)
        self.saved = 0  # changes saved in this session

    @property
    def transcript(self) -> Transcript:
        return self.history.transcript

    def close(self) -> None:
        self.history.close()

    def page(self, token: str) -> str:
        return editor_page(self.transcript, token=token, editor=self.editor, gap=self.gap, at=self.at)

    def summary(self) -> dict[str, Any]:
        return self.history.summary()

    def apply(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """A change the page sent (``{base, op, editor?}``) saved: ``(HTTP status, reply)``; the reply holds the
        segments that changed (``from``, ``to``, ``segments``) and the new speakers, marks, spans and revision,
        or an ``error`` the page shows (409: a stale page; 400: a change that does not fit)."""
        base, op = body.get("base"), body.get("op")
        if isinstance(base, bool) or not isinstance(base, int) or not isinstance(op, dict):
            return HTTPStatus.BAD_REQUEST, {"error": "a change is {base: revision, op: {...}}"}
        before = self.transcript.segments
        try:
            if op.get("op") == "restore":
                revision = op.get("revision")
                if isinstance(revision, bool) or not isinstance(revision, int):
                    raise EditError(f"`revision` {revision!r}: not a whole number")
                self.history.restore(base, revision, self.editor)
            else:
                self.history.save(base, op, self.editor)
        except Conflict as e:
            return HTTPStatus.CONFLICT, {"error": str(e), "revision": self.history.revision}
        except EditError as e:
            return HTTPStatus.BAD_REQUEST, {"error": str(e)}
        except SttError as e:  # the disk: nothing was saved, and the page says so
            logger.warning("%s", e)
            return HTTPStatus.INTERNAL_SERVER_ERROR, {"error": str(e)}
        self.saved += 1
        start, end, segments = changed_segments(before, self.transcript.segments)
        return HTTPStatus.OK, {"from": start, "to": end, "segments": segments, **page_state(self.transcript)}
