"""The public copy's transcript: each hit's words replaced by what stands in for them, at the words' own times
(so every timecode, page and line stays where it was when the replacement fits), and every other string of the
record scrubbed the same way. What cannot be scrubbed word by word is left out of the copy: the corrections
(what the vocabulary heard and wrote) and the edits (the audit trail's before and after) stay in the record."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from stt_cli.redact.locate import Hit, Place, edges, joined, scrub
from stt_cli.redact.terms import Entry
from stt_cli.types import Segment, Transcript, Word


def redact_words(t: Transcript, found: list[Place], hits: list[Hit]) -> tuple[Segment, ...]:
    """The segments with each hit's words replaced: one word in their place, spanning their times, in the
    first segment the hit reaches (a hit that runs on into the next segment takes its words out there). A
    segment left with no word is left out."""
    standing: dict[int, Hit] = {}  # place index -> the hit it is in
    for hit in hits:
        for i in range(hit.first, hit.last + 1):
            standing[i] = hit
    by_segment: dict[int, list[tuple[int, Place]]] = {}
    for i, place in enumerate(found):
        by_segment.setdefault(place.segment, []).append((i, place))
    out: list[Segment] = []
    written: set[int] = set()  # hits already written (by their first place)
    for s, segment in enumerate(t.segments):
        kept: list[Word] = []
        spoken = by_segment.get(s, [])
        for n, (i, place) in enumerate(spoken):
            if i not in standing:
                kept.append(_word(segment, place))
                continue
            hit = standing[i]
            if hit.first in written:
                continue
            written.add(hit.first)
            mine = [p for j, p in spoken[n:] if standing.get(j) is hit]
            lead, trail = edges(place.text)[0], edges(mine[-1].text)[2]
            like = _word(segment, place)
            text = joined(lead, hit.entry.written(t.language), trail)
            kept.append(replace(like, start=place.start, end=max(p.end for p in mine), text=text, probability=1.0))
        if not kept:
            continue
        text = "".join(w.text for w in kept).strip() if segment.words else " ".join(w.text for w in kept)
        out.append(replace(segment, text=text, words=tuple(kept) if segment.words else ()))
    return tuple(out)


def _word(segment: Segment, place: Place) -> Word:
    if segment.words:
        return segment.words[place.word]
    return Word(start=segment.start, end=segment.end, text=place.text, probability=1.0)


def scrub_value(value: Any, entries: tuple[Entry, ...], language: str, found: list[Hit]) -> Any:
    """Any JSON value with every string in it scrubbed (keys too); what was found is added to ``found``."""
    if isinstance(value, str):
        text, hits = scrub(value, entries, language)
        found.extend(hits)
        return text
    if isinstance(value, list):
        return [scrub_value(v, entries, language, found) for v in value]
    if isinstance(value, dict):
        return {scrub_value(k, entries, language, found): scrub_value(v, entries, language, found)
                for k, v in value.items()}  # fmt: skip
    return value
