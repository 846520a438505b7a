"""Corrections of who spoke (``edits``): a segment, a turn or a run of words given to another speaker (or a new
one), a speaker renamed everywhere, a turn split at a word or merged with the one before. The diarization's
turns follow, so that what RTTM writes is what the person decided."""

from __future__ import annotations

import dataclasses

from stt_cli.review.operation import MAX_NAME, Applied, EditError, Op, rebuilt, said
from stt_cli.types import NamedBy, Segment, Speaker, SpeakerTurn, Transcript
from stt_cli.writers.turns import speaker_turns


def give(t: Transcript, op: Op, gap: float) -> Applied:
    target, speakers = op.data.get("speaker"), t.speakers
    if target is None:  # a speaker the diarization did not find
        name = op.text("name", MAX_NAME)
        if not name:
            raise EditError("`name`: a new speaker needs a name")
        target = _new_id(t)
        speakers = (*speakers, Speaker(target, name, 0.0, NamedBy.person))
    elif not isinstance(target, str) or all(s.id != target for s in speakers):
        known = ", ".join(s.id for s in speakers) or "none"
        raise EditError(f"`speaker` {target!r}: not a speaker of this transcript ({known})")
    segments = list(t.segments)
    if "segs" in op.data:
        span = op.data["segs"]
        if not (isinstance(span, list) and len(span) == 2 and all(isinstance(i, int) for i in span)):
            raise EditError("`segs`: two segment indices, the first and the last")
        a, b = span
        if not 0 <= a <= b < len(segments):
            raise EditError(f"`segs` {a} to {b}: the transcript has segments 0 to {len(segments) - 1}")
        moved = segments[a : b + 1]
        segments[a : b + 1] = [_spoken_by(s, target) for s in moved]
        start, end = moved[0].start, moved[-1].end
        before = ", ".join(dict.fromkeys(t.speaker_name(s.speaker) or "-" for s in moved))
    else:
        seg, first, last = op.words(t)
        segment = segments[seg]
        words = segment.words
        parts = [
            (words[:first], segment.speaker),
            (words[first : last + 1], target),
            (words[last + 1 :], segment.speaker),
        ]
        cut = [
            _spoken_by(rebuilt(segment, part, retime=True), who)
            for part, who in parts
            if part
        ]  # fmt: skip
        segments[seg : seg + 1] = cut
        start, end = words[first].start, words[last].end
        before = t.speaker_name(segment.speaker) or "-"
    new = dataclasses.replace(t, segments=tuple(segments), speakers=speakers,
                              turns=_turns_given(t.turns, start, end, target))  # fmt: skip
    after = next(s.name for s in speakers if s.id == target)
    return Applied(_timed(new), "speaker", start, end, before, after)


def _spoken_by(segment: Segment, speaker: str | None) -> Segment:
    if speaker is None:  # the rest of an undiarized segment stays without a speaker
        return segment
    words = tuple(dataclasses.replace(w, speaker=speaker) for w in segment.words)
    # A person decided: the diarization's doubt about this segment no longer stands.
    return dataclasses.replace(segment, speaker=speaker, words=words, speaker_confidence=1.0)


def _new_id(t: Transcript) -> str:
    taken = {s.id for s in t.speakers}
    n = len(taken) + 1
    while f"SPEAKER_{n}" in taken:
        n += 1
    return f"SPEAKER_{n}"


def _turns_given(
    turns: tuple[SpeakerTurn, ...], start: float, end: float, speaker: str
) -> tuple[SpeakerTurn, ...]:
    """The speaker turns with ``start..end`` given to ``speaker`` alone (what RTTM writes follows the person)."""
    out = []
    for turn in turns:
        if turn.end <= start or turn.start >= end:
            out.append(turn)
            continue
        if turn.start < start:
            out.append(SpeakerTurn(turn.start, start, turn.speaker))
        if turn.end > end:
            out.append(SpeakerTurn(end, turn.end, turn.speaker))
    out.append(SpeakerTurn(start, end, speaker))
    return tuple(sorted(out, key=lambda x: (x.start, x.end, x.speaker)))


def _timed(t: Transcript) -> Transcript:
    """Each speaker's speaking time from the turns, as the diarization gave it."""
    spoken = dict.fromkeys((s.id for s in t.speakers), 0.0)
    for turn in t.turns:
        if turn.speaker in spoken:
            spoken[turn.speaker] += turn.duration
    return dataclasses.replace(
        t, speakers=tuple(dataclasses.replace(s, speaking_time=spoken[s.id]) for s in t.speakers)
    )


def rename(t: Transcript, op: Op, gap: float) -> Applied:
    target = op.data.get("speaker")
    speaker = next((s for s in t.speakers if s.id == target), None)
    if speaker is None:
        raise EditError(f"`speaker` {target!r}: not a speaker of this transcript")
    name = op.text("name", MAX_NAME)
    if not name:
        raise EditError("`name`: a speaker needs a name")
    speakers = tuple(dataclasses.replace(s, name=name, named_by=NamedBy.person) if s is speaker else s
                     for s in t.speakers)  # fmt: skip
    return Applied(dataclasses.replace(t, speakers=speakers), "rename", 0.0, t.duration, speaker.name, name)


def split(t: Transcript, op: Op, gap: float) -> Applied:
    seg, at = op.segment(t), op.integer("at")
    segment = t.segments[seg]
    if not 0 <= at < max(1, len(segment.words)):
        raise EditError(f"`at` {at}: segment {seg} has words 0 to {len(segment.words) - 1}")
    segments = list(t.segments)
    if at == 0:
        segments[seg] = dataclasses.replace(segment, paragraph=True)
        before, after = segment.text, "¶ " + segment.text
    else:
        head, tail = segment.words[:at], segment.words[at:]
        segments[seg : seg + 1] = [
            rebuilt(segment, head, retime=True),
            rebuilt(segment, tail, retime=True, paragraph=True, checked=False),
        ]
        before, after = segment.text, f"{said(head)} ¶ {said(tail)}"
    return Applied(
        dataclasses.replace(t, segments=tuple(segments)), "split", segment.start, segment.end, before, after
    )


def merge(t: Transcript, op: Op, gap: float) -> Applied:
    seg = op.segment(t)
    groups, at = [], 0
    for turn in speaker_turns(t.segments, gap):
        groups.append(range(at, at + len(turn.segments)))
        at += len(turn.segments)
    place = next(i for i, g in enumerate(groups) if seg in g)
    if place == 0:
        raise EditError("the first turn has no turn before it to join")
    first, last = groups[place][0], groups[place][-1]
    into, joined = t.segments[first - 1], t.segments[first : last + 1]
    speaker = into.speaker
    words = tuple(dataclasses.replace(w, speaker=speaker) for s in (into, *joined) for w in s.words)
    merged = dataclasses.replace(
        rebuilt(into, words) if words else into,
        end=joined[-1].end,
        checked=into.checked and all(s.checked for s in joined),
    )
    if not words:
        merged = dataclasses.replace(merged, text=" ".join(s.text for s in (into, *joined) if s.text))
    segments = (*t.segments[: first - 1], merged, *t.segments[last + 1 :])
    before = " ¶ ".join(x for x in (into.text, " ".join(s.text for s in joined)) if x)
    turns = t.turns
    if speaker is not None and any(s.speaker != speaker for s in joined):
        turns = _turns_given(t.turns, joined[0].start, joined[-1].end, speaker)
    new = _timed(dataclasses.replace(t, segments=segments, turns=turns))
    return Applied(new, "merge", into.start, joined[-1].end, before, merged.text)


def cast(t: Transcript, op: Op, gap: float) -> Applied:
    """A speaker named as a person of the case roster, by role: what the clerk knows, or a suggestion taken."""
    target = op.data.get("speaker")
    speaker = next((s for s in t.speakers if s.id == target), None)
    if speaker is None:
        raise EditError(f"`speaker` {target!r}: not a speaker of this transcript")
    index = op.integer("participant")
    if not 0 <= index < len(t.case.roster):
        raise EditError(f"`participant` {index}: the roster has participants 0 to {len(t.case.roster) - 1}")
    person = t.case.roster[index]
    named = dataclasses.replace(speaker, name=person.label, role=person.role, named_by=NamedBy.person,
                                suggestion=None)  # fmt: skip
    speakers = tuple(named if s is speaker else s for s in t.speakers)
    return Applied(dataclasses.replace(t, speakers=speakers), "cast", 0.0, t.duration, speaker.name, person.label)
