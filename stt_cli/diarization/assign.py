"""Words -> speakers: pure functions that put the diarization's speakers on words and segments.

No model, no I/O."""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Mapping, Sequence

from stt_cli.types import Attribution, NamedBy, Segment, Speaker, SpeakerTurn, Word

# A one-word stretch between other speakers' words is kept as its own segment only when the diarization puts
# at least this share of the word inside that speaker's turn; otherwise it is taken for a diarization edge
# wobble and stays with its neighbours (see split_by_speaker).
LONE_WORD_MIN_COVER = 0.8


def pick_speaker(
    start: float,
    end: float,
    turns: Sequence[SpeakerTurn],
    previous: str | None = None,
    starts: Sequence[float] | None = None,
) -> str | None:
    """The speaker for the span ``[start, end]``: largest overlap; for a span in a gap, the nearest turn.

    Ties (equal overlap, equal distance, a zero-length word on a boundary) go to ``previous`` when it is among
    them, so a speaker keeps the floor, else to the earlier turn. ``turns`` must be sorted by start;
    ``starts`` (their start times) can be given by callers that look up many words in the same turns.
    """
    if not turns:
        return None
    if starts is None:
        starts = [t.start for t in turns]
    # Exclusive turns do not overlap, so only the turns starting before ``end`` and the one just after matter.
    hi = bisect.bisect_right(starts, end)
    lo = max(0, bisect.bisect_left(starts, start) - 2)
    candidates = list(turns[lo : hi + 1]) or [turns[-1]]
    scored = []
    for order, turn in enumerate(candidates):
        overlap = min(end, turn.end) - max(start, turn.start)
        contains = turn.start <= start <= turn.end and turn.start <= end <= turn.end
        gap = max(turn.start - end, start - turn.end, 0.0)
        # Rank: positive overlap first (bigger is better), then containment of a zero-length span, then nearness.
        scored.append(((overlap if overlap > 0 else 0.0), contains, -gap, turn.speaker == previous, -order, turn))
    best = max(scored, key=lambda s: s[:5])
    return best[5].speaker


def cover(word: Word, turns: Sequence[SpeakerTurn]) -> float:
    """Share of the word's duration inside turns of ``word.speaker`` (1.0 for a zero-length word inside one)."""
    duration = word.end - word.start
    inside = sum(
        max(0.0, min(word.end, t.end) - max(word.start, t.start)) for t in turns if t.speaker == word.speaker
    )
    if duration <= 0:
        return 1.0 if any(t.start <= word.start <= t.end for t in turns if t.speaker == word.speaker) else 0.0
    return inside / duration


def label_words(
    words: Sequence[Word], turns: Sequence[SpeakerTurn], starts: Sequence[float] | None = None
) -> list[Word]:
    """Each word with the speaker :func:`pick_speaker` gives it."""
    if starts is None:
        starts = [t.start for t in turns]
    labelled, previous = [], None
    for word in words:
        previous = pick_speaker(word.start, word.end, turns, previous, starts)
        labelled.append(dataclasses.replace(word, speaker=previous))
    return labelled


def split_by_speaker(
    segment: Segment, turns: Sequence[SpeakerTurn], starts: Sequence[float] | None = None
) -> list[Segment]:
    """Label the segment's words and cut it where the speaker changes.

    Guard: a single word whose speaker differs from both neighbours is kept apart only if the diarization
    clearly puts it in that speaker's turn (``LONE_WORD_MIN_COVER``); otherwise it joins the run before it.
    A segment without word timings gets the speaker of its whole span and is never cut.
    """
    if starts is None:
        starts = [t.start for t in turns]
    if not segment.words:
        return [
            dataclasses.replace(segment, speaker=pick_speaker(segment.start, segment.end, turns, None, starts))
        ]
    words = label_words(segment.words, turns, starts)
    runs: list[list[Word]] = []
    for word in words:
        if runs and runs[-1][-1].speaker == word.speaker:
            runs[-1].append(word)
        else:
            runs.append([word])
    merged: list[list[Word]] = []
    for index, run in enumerate(runs):
        lone = len(run) == 1 and len(runs) > 1 and cover(run[0], turns) < LONE_WORD_MIN_COVER
        if lone and merged:
            merged[-1].extend(dataclasses.replace(w, speaker=merged[-1][0].speaker) for w in run)
        elif lone and index + 1 < len(runs):
            runs[index + 1][0:0] = [dataclasses.replace(w, speaker=runs[index + 1][0].speaker) for w in run]
        elif merged and merged[-1][0].speaker == run[0].speaker:
            merged[-1].extend(run)
        else:
            merged.append(list(run))
    return [
        dataclasses.replace(
            segment,
            start=min(segment.start, run[0].start) if i == 0 else run[0].start,
            end=max(segment.end, run[-1].end) if i == len(merged) - 1 else run[-1].end,
            text="".join(w.text for w in run).strip(),
            words=tuple(run),
            speaker=run[0].speaker,
        )
        for i, run in enumerate(merged)
    ]


def speaker_confidence(
    segment: Segment, turns: Sequence[SpeakerTurn], starts: Sequence[float] | None = None
) -> float:
    """How clearly a segment belongs to its speaker: the seconds of its words (or of itself, without words)
    inside that speaker's turns, over those plus the seconds inside the runner-up's. 0.5 is a tie (overlapping
    speech); 0 means none of it lies in the speaker's turns. ``turns`` must be sorted by start; ``starts``
    (their start times) can be given by callers that score many segments against the same turns."""
    spans = [(w.start, w.end) for w in segment.words] or [(segment.start, segment.end)]
    if starts is None:
        starts = [t.start for t in turns]
    # Only the turns that can reach the segment (a 3-hour hearing has thousands): none starts more than the
    # longest turn before the segment and still overlaps it.
    longest = max((t.duration for t in turns), default=0.0)
    first = bisect.bisect_left(starts, segment.start - longest)
    inside: dict[str, float] = {}
    for turn in turns[first:]:
        if turn.start >= segment.end:
            break
        for start, end in spans:
            overlap = min(end, turn.end) - max(start, turn.start)
            if overlap > 0:
                inside[turn.speaker] = inside.get(turn.speaker, 0.0) + overlap
    own = inside.pop(segment.speaker or "", 0.0)
    rival = max(inside.values(), default=0.0)
    return own / (own + rival) if own + rival > 0 else 0.0


def unattributed(segment: Segment) -> Segment:
    """The segment as the recogniser gave it: no speaker on it or on its words."""
    words = tuple(dataclasses.replace(w, speaker=None) for w in segment.words)
    return dataclasses.replace(segment, speaker=None, speaker_confidence=None, words=words)


def attribute(
    segments: Sequence[Segment],
    exclusive: Sequence[SpeakerTurn],
    turns: Sequence[SpeakerTurn],
    names: Sequence[str] = (),
    *,
    channels: Mapping[str, str] | None = None,
    confidence: Callable[[Segment], float | None] | None = None,
) -> Attribution:
    """Put speakers on a transcript.

    Args:
        segments: the recogniser's segments.
        exclusive: non-overlapping speaker turns (pyannote's exclusive diarization), used for words.
        turns: the full diarization, overlaps included (for the speakers table and RTTM).
        names: display names, given in order of first appearance (``--speaker-names``).
        channels: names of the turns' labels fixed by their microphone channel (``--channel-speakers``).
        confidence: each segment's speaker confidence (given the segment with its turn label); where it is
            not given or says ``None``, :func:`speaker_confidence` over ``turns``.

    Returns:
        Segments split at speaker changes and renumbered, the speakers (``SPEAKER_1``… in order of first
        appearance in the text, then speakers who only appear in the diarization), and the turns renamed.
    """
    exclusive = sorted(exclusive, key=lambda t: (t.start, t.end))
    starts = [t.start for t in exclusive]  # once: every word's lookup bisects the same turns
    pieces = [piece for segment in segments for piece in split_by_speaker(segment, exclusive, starts)]
    order: list[str] = []
    for label in [p.speaker for p in pieces] + [t.speaker for t in sorted(turns, key=lambda t: t.start)]:
        if label is not None and label not in order:
            order.append(label)
    ids = {label: f"SPEAKER_{i}" for i, label in enumerate(order, start=1)}
    ordered = sorted(turns, key=lambda t: t.start)
    at = [t.start for t in ordered]  # once: every segment's score bisects the same turns
    renamed = tuple(dataclasses.replace(t, speaker=ids[t.speaker]) for t in sorted(turns, key=lambda t: t.start))
    speakers = tuple(
        _speaker(ids[label], i, label, names, channels or {}, renamed) for i, label in enumerate(order, start=1)
    )
    final = tuple(
        dataclasses.replace(
            piece,
            id=i,
            speaker=ids[piece.speaker] if piece.speaker else None,
            speaker_confidence=_confidence(piece, ordered, at, confidence) if piece.speaker else None,
            words=tuple(
                dataclasses.replace(w, speaker=ids[w.speaker] if w.speaker else None) for w in piece.words
            ),
        )
        for i, piece in enumerate(pieces)
    )
    return Attribution(segments=final, speakers=speakers, turns=renamed)


def _confidence(
    piece: Segment,
    ordered: Sequence[SpeakerTurn],
    starts: Sequence[float],
    given: Callable[[Segment], float | None] | None,
) -> float:
    found = given(piece) if given else None
    # Rounded as the JSON keeps it: a transcript read back flags the same segments.
    return round(found if found is not None else speaker_confidence(piece, ordered, starts), 3)


def _speaker(
    id: str,
    number: int,
    label: str,
    names: Sequence[str],
    channels: Mapping[str, str],
    turns: Sequence[SpeakerTurn],
) -> Speaker:
    if label in channels:
        name, named_by = channels[label], NamedBy.channel
    elif number <= len(names):
        name, named_by = names[number - 1], NamedBy.given
    else:
        name, named_by = f"Speaker {number}", NamedBy.order
    speaking_time = sum(t.duration for t in turns if t.speaker == id)
    return Speaker(id=id, name=name, speaking_time=speaking_time, named_by=named_by)
