"""Pure edits of recognised text and times: keeping some words of a segment, joining two chunks that
overlap, keeping times monotonic, dropping an echoed word. No model, no audio."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from difflib import SequenceMatcher

from stt_cli.types import Segment, Word

_ECHO_CONFIDENCE = 0.1  # a segment's first word repeating the last one, below this probability, is an echo


_NEAR = 0.8  # text similarity above which two words at the same time are the same word heard twice
_SAME_TIME = 0.3  # s; starts closer than this are the same moment whatever the two decodes said


def join_overlap(
    before: Sequence[Segment], after: Sequence[Segment], overlap: tuple[float, float]
) -> tuple[list[Segment], list[Segment]]:
    """Join the segments of two chunks that both covered ``overlap`` (file seconds), so no word is said twice
    and none is lost.

    The seam is where the two decodes agree: a word both heard at the same moment (same or nearly the same
    text, compared without case or punctuation; their times overlap or start within 0.3 s), the agreeing
    pair nearest the overlap's middle. ``before`` keeps its words up to that word, ``after`` its words after
    it. Where the decodes share no word (one of them skipped part of the overlap: Whisper often drops a
    half-sentence at the start of a window), the cut is the time that keeps the most words, the one nearest
    the middle among equals, so one side's coverage fills the other's gap. A word of ``after`` that
    ``before`` kept at the same moment is then dropped; a word really said twice is said at two moments and
    stays.

    Returns:
        The trimmed ``before`` and ``after`` segments (segments left with no words are dropped).
    """
    middle = (overlap[0] + overlap[1]) / 2
    if not all(s.words for s in [*before, *after]):
        # Without word times only whole segments can be kept: ``before`` keeps those starting before the
        # middle, ``after`` those reaching past where ``before``'s kept text ends.
        left = [s for s in before if s.start < middle]
        reach = max((s.end for s in left), default=overlap[0])
        return left, [s for s in after if s.end > reach + _SAME_TIME]
    tail = [w for s in before for w in s.words if w.end > overlap[0]]
    head = [w for s in after for w in s.words if w.start < overlap[1]]
    drop_before, drop_after = _seam(tail, head, middle)
    kept_before = pieces(before, lambda w: id(w) not in drop_before)
    kept_after = pieces(after, lambda w: id(w) not in drop_after)
    kept_tail = [w for s in kept_before for w in s.words if w.end > overlap[0]]

    def heard_before(word: Word | Segment) -> bool:
        return isinstance(word, Word) and word.start < overlap[1] and any(same_word(word, o) for o in kept_tail)

    return kept_before, pieces(kept_after, lambda w: not heard_before(w))


def _seam(tail: list[Word], head: list[Word], middle: float) -> tuple[set[int], set[int]]:
    """Which words of ``before``'s tail and ``after``'s head to drop (as ``id`` sets) to join them."""
    pairs = [
        (abs((a.start + b.start) / 2 - middle), i, j)
        for i, b in enumerate(tail)
        for j, a in enumerate(head)
        if same_word(a, b)
    ]
    if pairs:
        _, i, j = min(pairs)
        return {id(w) for w in tail[i + 1 :]}, {id(w) for w in head[: j + 1]}
    # No agreement: cut at a time ``t`` (``before`` keeps words whose middle is before it, ``after`` the rest).
    cuts = {middle, *(t + d for w in [*tail, *head] for t in [middle_of(w)] for d in (0.0, 1e-6))}

    def kept(t: float) -> tuple[int, float]:
        count = sum(middle_of(w) < t for w in tail) + sum(middle_of(w) >= t for w in head)
        return count, -abs(t - middle)

    best = max(cuts, key=kept)
    return {id(w) for w in tail if middle_of(w) >= best}, {id(w) for w in head if middle_of(w) < best}


def keep_words(segment: Segment, wanted: Callable[[Word | Segment], bool]) -> Segment | None:
    """The segment with only the words ``wanted`` accepts (``None`` if none is left); a segment without word
    times is judged whole."""
    if not segment.words:
        return segment if wanted(segment) else None
    words = tuple(w for w in segment.words if wanted(w))
    if len(words) == len(segment.words):
        return segment
    if not words:
        return None
    text = "".join(w.text for w in words).strip()
    return replace(segment, start=words[0].start, end=words[-1].end, words=words, text=text)


def in_time_order(segments: Iterable[Segment]) -> list[Segment]:
    """Segments in time order: by start, then by end, so that the two pieces of a segment cut at a stretch's
    edge, which may start at the same instant ("Thank" 141.46-141.46, "you." 141.46-141.66), keep their words'
    order (sorting by start alone put "you." first)."""
    return sorted(segments, key=lambda s: (s.start, s.end))


def pieces(segments: Sequence[Segment], wanted: Callable[[Word | Segment], bool]) -> list[Segment]:
    """:func:`keep_words` over several segments, dropping those left with nothing."""
    return [s for s in (keep_words(segment, wanted) for segment in segments) if s is not None]


def middle_of(item: Word | Segment) -> float:
    return (item.start + item.end) / 2


def same_word(a: Word, b: Word) -> bool:
    at_same_time = min(a.end, b.end) > max(a.start, b.start) or abs(a.start - b.start) < _SAME_TIME
    return at_same_time and same_text(a, b)


def same_text(a: Word, b: Word) -> bool:
    """Whether two hearings are the same word: equal, or nearly, without case or punctuation."""
    x, y = _plain(a.text), _plain(b.text)
    return x == y or SequenceMatcher(None, x, y).ratio() >= _NEAR


def _plain(text: str) -> str:
    """A word without case, accents' composition differences or punctuation, for comparing two hearings."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


def plain_words(text: str) -> list[str]:
    return re.findall(r"\w+(?:'\w+)?", text.casefold())


def monotonic(segments: list[Segment]) -> Iterator[Segment]:
    """Segments in start order with no word starting before the one before it, across chunk joins too."""
    floor = 0.0
    for segment in sorted(segments, key=lambda s: s.start):
        if not segment.words:
            start = max(segment.start, floor)
            floor = start
            yield replace(segment, start=start, end=max(segment.end, start))
            continue
        words = []
        for w in segment.words:
            floor = max(w.start, floor)
            words.append(w if w.start == floor else replace(w, start=floor, end=max(w.end, floor)))
        yield replace(segment, start=words[0].start, end=max(segment.end, words[-1].end), words=tuple(words))


def drop_boundary_echoes(segments: list[Segment]) -> Iterator[Segment]:
    """Segments without the word Whisper sometimes repeats at the start of a segment from the end of the one
    before, with next to no confidence (measured: "slow." then "Slow" at probability 0.011)."""
    last: Word | None = None
    for segment in segments:
        if segment.words and last is not None and _echo_of(segment.words[0], last):
            if len(segment.words) == 1:
                continue
            rest = segment.words[1:]
            text = "".join(w.text for w in rest).strip()
            segment = replace(segment, words=rest, text=text, start=rest[0].start)
        last = segment.words[-1] if segment.words else None
        yield segment


def _echo_of(word: Word, before: Word) -> bool:
    return word.probability < _ECHO_CONFIDENCE and same_text(word, before)
