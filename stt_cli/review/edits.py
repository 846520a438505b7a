"""A person's corrections to a transcript (``stt edit``), one operation at a time: each takes a transcript and
gives the corrected one, with the :class:`~stt_cli.types.Edit` that records it (what it was, what it became,
where), so that the machine's own words stay recoverable and a court can see what a person changed.

Whatever the operation, the transcript stays as the JSON schema promises: segments in time order, numbered from
0, each one speaker's, its text its words joined, every word inside its segment and no time going backwards.
Words a person typed are ``verified``, confidence 1; they take the time of the words they replace, or of the gap
they were inserted into, shared by their length (a person's words have no times of their own: the recording's
moment is what a citation needs, and it is the replaced words' moment).

An operation is a small JSON object, as the editor page sends it; ``seg`` is a segment's index, ``first`` and
``last`` word indices within it (inclusive):

- ``replace {seg, first, last, text}``: the words become ``text`` (empty: deleted);
- ``insert {seg, after, text}``: words inserted after word ``after`` (``-1``: before the first);
- ``delete {seg, first, last}``;
- ``speaker {segs: [a, b], speaker}`` gives segments ``a..b`` to a speaker, or ``{seg, first, last, speaker}``
  a run of words (the segment is cut around them); ``speaker`` ``null`` with ``name`` adds a speaker;
- ``rename {speaker, name}``: a speaker's name, everywhere;
- ``cast {speaker, participant}``: a speaker named as the roster's participant of that index (role and name);
- ``split {seg, at}``: a new paragraph from word ``at`` (``0``: from the segment);
- ``merge {seg}``: the turn holding segment ``seg`` joins the turn before it (one speaker, one paragraph);
- ``mark {start, end, kind}`` (``inaudible``, ``crosstalk``); ``unmark {start, end}`` removes those it overlaps;
- ``check {seg, checked}``: a segment listened to and right (``checked`` false takes it back).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from stt_cli.review import speaker_edits
from stt_cli.review.operation import Applied, EditError, Op, rebuilt, said
from stt_cli.types import Mark, MarkKind, Transcript, Word

__all__ = ["OPS", "Applied", "EditError", "apply", "problems"]

OPS = ("replace", "insert", "delete", "speaker", "rename", "cast", "split", "merge", "mark", "unmark", "check")
_INSERT_WORD = 0.25  # s each inserted word takes where the gap it goes into has no room (it overlaps nothing)


def apply(transcript: Transcript, op: dict[str, Any], gap: float) -> Applied:
    """The transcript with ``op`` carried out (``gap``: the pause that starts a new paragraph, as the page and
    the writers group turns).

    Raises:
        EditError: the operation is unknown, or does not fit this transcript.
    """
    kind = op.get("op")
    if kind not in OPS:
        raise EditError(f"`op` {kind!r}: not one of {', '.join(OPS)}")
    applied = _OPERATIONS[kind](transcript, Op(op), gap)
    return dataclasses.replace(applied, transcript=_tidy(applied.transcript))


# --- words ----------------------------------------------------------------------------------------------------


def _replace(t: Transcript, op: Op, gap: float) -> Applied:
    seg, first, last = op.words(t)
    text = op.text("text")
    if not text:
        return _delete(t, op, gap)
    old = t.segments[seg].words
    new = _typed(text, old[first].start, old[last].end, old[first].speaker)
    return _with_words(t, seg, (*old[:first], *new, *old[last + 1 :]), "replace", old[first : last + 1], new)


def _insert(t: Transcript, op: Op, gap: float) -> Applied:
    seg = op.segment(t)
    after, text = op.integer("after"), op.text("text")
    old = t.segments[seg].words
    if not -1 <= after < len(old):
        raise EditError(f"`after` {after}: segment {seg} has words 0 to {len(old) - 1} (-1: before the first)")
    if not text:
        raise EditError("`text`: nothing to insert")
    segment = t.segments[seg]
    start = old[after].end if after >= 0 else segment.start
    end = old[after + 1].start if after + 1 < len(old) else max(start, segment.end)
    count = len(text.split(" "))
    if end - start < 0.05 * count:  # no room between them: the words sit at the point, taking no time
        end = start
    new = _typed(text, start, end, segment.speaker)
    return _with_words(t, seg, (*old[: after + 1], *new, *old[after + 1 :]), "insert", (), new)


def _delete(t: Transcript, op: Op, gap: float) -> Applied:
    seg, first, last = op.words(t)
    old = t.segments[seg].words
    return _with_words(t, seg, (*old[:first], *old[last + 1 :]), "delete", old[first : last + 1], ())


def _typed(text: str, start: float, end: float, speaker: str | None) -> tuple[Word, ...]:
    """A person's words over ``start..end``, each its share by length; verified, confidence 1."""
    parts = text.split(" ")
    total = sum(len(p) for p in parts)
    out, at = [], start
    for part in parts:
        step = (end - start) * len(part) / total if total else 0.0
        out.append(Word(at, min(end, at + step), " " + part, 1.0, speaker, 1.0, verified=True))
        at = min(end, at + step)
    return tuple(out)


def _with_words(
    t: Transcript, seg: int, words: Sequence[Word], op: str, before: Sequence[Word], after: Sequence[Word]
) -> Applied:
    segment = t.segments[seg]
    where = [*before, *after]
    start = min(w.start for w in where) if where else segment.start
    end = max(w.end for w in where) if where else segment.end
    segments = list(t.segments)
    if words:
        segments[seg] = rebuilt(segment, tuple(words))
    else:  # every word gone: so is the segment
        del segments[seg]
    return Applied(dataclasses.replace(t, segments=tuple(segments)), op, start, end, said(before), said(after))


# --- marks and checks --------------------------------------------------------------------------------------------


def _mark(t: Transcript, op: Op, gap: float) -> Applied:
    start, end = op.number("start"), op.number("end")
    try:
        kind = MarkKind(str(op.data.get("kind")))
    except ValueError:
        raise EditError(
            f"`kind` {op.data.get('kind')!r}: not one of {', '.join(k.value for k in MarkKind)}"
        ) from None
    if end < start or end > t.duration + 0.5:
        raise EditError(f"{start}..{end}: not a stretch of this {t.duration:.1f} s recording")
    marks = tuple(sorted((*t.marks, Mark(start, end, kind)), key=lambda m: (m.start, m.end)))
    return Applied(dataclasses.replace(t, marks=marks), "mark", start, end, "", kind.value)


def _unmark(t: Transcript, op: Op, gap: float) -> Applied:
    start, end = op.number("start"), op.number("end")
    gone = [m for m in t.marks if (m.start < end and start < m.end) or m.start == start]
    if not gone:
        raise EditError(f"no mark at {start}..{end}")
    marks = tuple(m for m in t.marks if m not in gone)
    return Applied(dataclasses.replace(t, marks=marks), "unmark", start, end,
                   ", ".join(m.kind.value for m in gone), "")  # fmt: skip


def _check(t: Transcript, op: Op, gap: float) -> Applied:
    seg = op.segment(t)
    checked = op.flag("checked", True)
    segment = t.segments[seg]
    segments = list(t.segments)
    segments[seg] = dataclasses.replace(segment, checked=checked)
    before, after = ("", segment.text) if checked else (segment.text, "")
    new = dataclasses.replace(t, segments=tuple(segments))
    return Applied(new, "check" if checked else "uncheck", segment.start, segment.end, before, after)


def _tidy(t: Transcript) -> Transcript:
    """Segments numbered from 0 again (a segment already in its place stays the very object: the JSON of an
    unchanged segment is not made again, see ``writers.json``)."""
    segments = tuple(s if s.id == i else dataclasses.replace(s, id=i) for i, s in enumerate(t.segments))
    return dataclasses.replace(t, segments=segments)


def problems(t: Transcript) -> list[str]:
    """Where a transcript breaks the schema's promises (tests hold every operation to an empty list)."""
    found = []
    last_start = 0.0
    ids = {s.id for s in t.speakers}
    for i, s in enumerate(t.segments):
        if s.id != i:
            found.append(f"segment {i} numbered {s.id}")
        if s.end < s.start or s.start < last_start - 1e-9:
            found.append(f"segment {i}: times {s.start}..{s.end} go backwards")
        last_start = s.start
        if s.speaker is not None and s.speaker not in ids:
            found.append(f"segment {i}: speaker {s.speaker} unknown")
        if s.words and s.text != "".join(w.text for w in s.words).strip():
            found.append(f"segment {i}: text is not its words")
        previous = s.start
        for j, w in enumerate(s.words):
            if w.end < w.start or w.start < previous - 1e-9 or w.start < s.start - 1e-9 or w.end > s.end + 1e-9:
                found.append(f"segment {i} word {j}: {w.start}..{w.end} outside {s.start}..{s.end} or backwards")
            if w.speaker != s.speaker:
                found.append(f"segment {i} word {j}: speaker {w.speaker}, not the segment's {s.speaker}")
            previous = w.start
    return found


_OPERATIONS: dict[str, Callable[[Transcript, Op, float], Applied]] = {
    "replace": _replace, "insert": _insert, "delete": _delete, "speaker": speaker_edits.give,
    "rename": speaker_edits.rename, "cast": speaker_edits.cast, "split": speaker_edits.split,
    "merge": speaker_edits.merge, "mark": _mark, "unmark": _unmark, "check": _check,
}  # fmt: skip
