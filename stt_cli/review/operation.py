"""What every correction is made of: an operation's fields read and checked, and its result (``edits``)."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from stt_cli.errors import UsageError
from stt_cli.types import Edit, Segment, Transcript, Word

MAX_TEXT = 2000  # characters one operation may write (a long answer retyped is a few hundred)
MAX_NAME = 120  # characters of a speaker's name


class EditError(UsageError):
    """An operation that does not fit the transcript (a word that is not there, an unknown speaker)."""


@dataclass(frozen=True)
class Applied:
    """An operation's result: the new transcript, and the audit entry without its revision, time and editor."""

    transcript: Transcript
    op: str
    start: float
    end: float
    before: str
    after: str

    def edit(self, revision: int, at: str, editor: str) -> Edit:
        return Edit(revision, at, editor, self.op, self.start, self.end, self.before, self.after)


class Op:
    """An operation's fields, each checked for its type as it is read."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def integer(self, key: str) -> int:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise EditError(f"`{key}` {value!r}: not a whole number")
        return value

    def number(self, key: str) -> float:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            raise EditError(f"`{key}` {value!r}: not a time in seconds")
        return float(value)

    def text(self, key: str, limit: int = MAX_TEXT) -> str:
        value = self.data.get(key)
        if not isinstance(value, str):
            raise EditError(f"`{key}` {value!r}: not text")
        cleaned = re.sub(r"\s+", " ", "".join(ch for ch in value if ch.isprintable() or ch.isspace())).strip()
        if len(cleaned) > limit:
            raise EditError(f"`{key}`: {len(cleaned)} characters, more than the {limit} one change may hold")
        return cleaned

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise EditError(f"`{key}` {value!r}: not true or false")
        return value

    def segment(self, t: Transcript, key: str = "seg") -> int:
        index = self.integer(key)
        if not 0 <= index < len(t.segments):
            raise EditError(f"`{key}` {index}: the transcript has segments 0 to {len(t.segments) - 1}")
        return index

    def words(self, t: Transcript) -> tuple[int, int, int]:
        """``seg``, ``first``, ``last``: a run of words within one segment."""
        seg = self.segment(t)
        first, last, count = self.integer("first"), self.integer("last"), len(t.segments[seg].words)
        if not 0 <= first <= last < count:
            raise EditError(f"words {first} to {last}: segment {seg} has words 0 to {count - 1}")
        return seg, first, last


def rebuilt(segment: Segment, words: tuple[Word, ...], *, retime: bool = False, **changes: Any) -> Segment:
    """The segment holding ``words``: its text their text; its times theirs (``retime``: exactly theirs, for a
    segment cut in parts; else widened to hold them)."""
    start = words[0].start if retime else min(segment.start, words[0].start)
    end = words[-1].end if retime else max(segment.end, words[-1].end)
    text = "".join(w.text for w in words).strip()
    return dataclasses.replace(segment, words=words, text=text, start=start, end=end, **changes)


def said(words: Sequence[Word]) -> str:
    return "".join(w.text for w in words).strip()
