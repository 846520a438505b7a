"""The loop guard's judgements, pure text logic: when a decode repeats itself, reads its prompt back, or
loops past recovery. No model, no audio.

Whisper loops: on a noisy stretch it can say the same phrase again and again, and a window primed with the
text before it can read that text back instead of the audio. What the guard calls a loop, and what it removes
when every retry still loops, is decided here.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from stt_cli.asr.edit import plain_words
from stt_cli.types import Segment, Word

CONTEXT_WORDS = 40  # words of the previous chunk given as its prompt (Whisper keeps ~220 prompt tokens)
MAX_COMPRESSION = 2.4  # gzip ratio above which Whisper's own fallback calls a decode repetitive
LONGEST_PHRASE = 12  # words; longer repeated phrases are caught by the compression ratio
_LOOP_NGRAM = 3  # a phrase of this many words or more said twice in a row is a loop, not speech
_LOOP_SHORT_REPEATS = 6  # "no, no, no", "words, words, words, words": a word or two said this often is a loop
_ECHO_WORDS = 6  # a run this long copied from the prompt is the prompt read back, not speech
# Looping stretches closer than this are decoded again as one, while the joined one fits a window. A noisy
# decode loops in bursts: on a 3-speaker remote-witness hearing (bench/hearings.py) the first decode flagged
# 39 stretches a fraction of a second apart, each retried alone with no context around it: 166 s and WER
# 34.1 %. Joined within 2 s: 6 retries, 77 s, 17.8 %; on four more hearings 0-32 % faster and 0-9.4 points
# better, none worse. Looping segments back to back (nothing heard between them) join however far apart.
SPAN_JOIN = 2.0  # seconds
LONGEST_SPAN = 28.0  # seconds; a joined stretch stays inside one 30 s Whisper window

Judge = Callable[[int, int], bool]


def looping_spans(segments: list[Segment], before: list[str]) -> list[tuple[float, float]]:
    """The stretches (file seconds) covered by segments that loop; stretches less than ``SPAN_JOIN`` apart
    joined while the joined one lasts at most ``LONGEST_SPAN``.

    A segment loops when it compresses like a loop, repeats a phrase back to back (within itself or right
    after the words before it), or, as the chunk's first segment, reads back a run of the prompt ``before``
    (later on, a sentence said again is more likely said again: testimony read back, a question repeated).

    Two looping segments with no other segment between them are one stretch, however far apart, while it fits
    ``LONGEST_SPAN``: Whisper judges a whole 30 s window at once, and a window that loops leaves the speech
    between its looping segments unheard. Apart, each piece and each hole between them was decoded again on
    its own: on the 3-speaker remote Indonesian hearing of ``bench/hearings.py`` 15 retries (7 loops, 8
    holes), 67 s; joined, 9 retries, 52 s, WER 67.6 -> 65.2 %; on the 5-speaker one 32 -> 12 retries,
    129 -> 107 s, 68.6 -> 67.4 %; none of the eight hearings measured read worse.
    """
    spans: list[tuple[float, float]] = []
    said = list(before)
    adjacent = False  # the segment before this one looped too
    for index, segment in enumerate(segments):
        words = plain_words(segment.text)
        tail = said[-2 * LONGEST_PHRASE :]
        looping = (
            segment.compression_ratio > MAX_COMPRESSION
            or bool(_loop_runs(tail + words, len(tail)))
            or (index == 0 and _echoes(words, before))
        )
        if looping:
            if spans and _joins(spans[-1], segment, adjacent):
                spans[-1] = (spans[-1][0], max(spans[-1][1], segment.end))
            else:
                spans.append((segment.start, segment.end))
        adjacent = looping
        said += words
    return spans


def _joins(span: tuple[float, float], segment: Segment, adjacent: bool) -> bool:
    if segment.start <= span[1]:
        return True  # overlapping stretches are one, however long
    near = adjacent or segment.start - span[1] < SPAN_JOIN
    return near and segment.end - span[0] <= LONGEST_SPAN


def context_after(segments: list[Segment], before: str) -> str:
    """The prompt for the next chunk: the end of this one's text, or nothing if it looks like a loop."""
    words = " ".join(s.text for s in segments).split()
    if not words:
        return before  # a chunk with no words changes nothing
    tail = " ".join(words[-CONTEXT_WORDS:])
    looks_looped = compression_ratio(tail) > MAX_COMPRESSION or _loop_runs(plain_words(tail), 0)
    return "" if looks_looped else tail


def repeated_runs(words: list[str]) -> list[tuple[int, int, int]]:
    """Back-to-back repeats in a word list, as ``(start, n, copies)``: ``words[start:start+n]`` said ``copies``
    times in a row. At each place the run covering the most words is listed, and scanning goes on after it."""
    runs = []
    i = 0
    while i < len(words):
        best = (1, 1)
        for n in range(1, min(LONGEST_PHRASE, (len(words) - i) // 2) + 1):
            copies = 1
            while words[i + copies * n : i + (copies + 1) * n] == words[i : i + n]:
                copies += 1
            if copies > 1 and copies * n > best[0] * best[1]:
                best = (n, copies)
        if best[1] > 1:
            runs.append((i, *best))
            i += best[0] * best[1]
        else:
            i += 1
    return runs


def runaway_start(words: list[str]) -> int | None:
    """Where the second copy of the first runaway loop begins (keep what comes before it), or ``None``."""
    for start, n, copies in repeated_runs(words):
        if _is_runaway(n, copies):
            return start + n
    return None


def _is_loop(n: int, copies: int) -> bool:
    # "no, no, no" and "I, I think" are speech; a phrase of three words or more said twice in a row, or a
    # word said over and over, is Whisper looping.
    return (n >= _LOOP_NGRAM and copies >= 2) or copies >= _LOOP_SHORT_REPEATS


def _is_runaway(n: int, copies: int) -> bool:
    # What stays a loop after every retry and is removed: a phrase said three times or more. A phrase
    # said exactly twice by every decode was most likely said twice ("I don't know. I don't know.").
    return (n >= _LOOP_NGRAM and copies >= 3) or copies >= _LOOP_SHORT_REPEATS


def _loop_runs(words: list[str], first_new: int, judge: Judge = _is_loop) -> list[tuple[int, int, int]]:
    """The runs ``judge`` calls loops that reach into ``words[first_new:]``."""
    return [r for r in repeated_runs(words) if judge(r[1], r[2]) and r[0] + r[1] * r[2] > first_new]


def loops(segments: list[Segment], before: list[str]) -> bool:
    """Whether a decode loops: a segment compresses like a loop, a phrase repeats back to back in its text
    or right after the words ``before`` it, or it copies a run of words from ``before`` (the prompt: Whisper
    sometimes reads its prompt back instead of the audio)."""
    if any(s.compression_ratio > MAX_COMPRESSION for s in segments):
        return True
    words = plain_words(" ".join(s.text for s in segments))
    return bool(_loop_runs(before + words, len(before))) or _echoes(words, before)


def _echoes(words: list[str], before: list[str]) -> bool:
    n = _ECHO_WORDS
    said = {tuple(before[i : i + n]) for i in range(len(before) - n + 1)}
    return any(tuple(words[i : i + n]) in said for i in range(len(words) - n + 1))


def collapse_repeats(segments: list[Segment], before: list[str]) -> list[Segment]:
    """The segments with every runaway loop (a phrase said three times or more) said once; segments left
    empty are dropped.

    Words are compared as plain words (no case, no punctuation); ``before`` counts as already said.
    """
    items = [(i, w) for i, s in enumerate(segments) for w in (s.words or _pseudo_words(s))]
    plain = [(plain_words(w.text) or [""])[0] for _, w in items]
    drop: set[int] = set()
    for start, n, copies in _loop_runs(before + plain, len(before), _is_runaway):
        drop.update(k - len(before) for k in range(start + n, start + n * copies) if k >= len(before))
    kept: dict[int, list[Word]] = {}
    for k, (i, w) in enumerate(items):
        if k not in drop:
            kept.setdefault(i, []).append(w)
    out = []
    for i, segment in enumerate(segments):
        words = kept.get(i, [])
        if not words:
            continue
        text = "".join(w.text for w in words).strip()
        if segment.words:
            out.append(replace(segment, text=text, words=tuple(words), start=words[0].start, end=words[-1].end))
        else:
            out.append(replace(segment, text=text))
    return out


def _pseudo_words(segment: Segment) -> list[Word]:
    # Without word timestamps, the segment's words all carry its times (and its confidence).
    probability = float(np.exp(segment.avg_logprob))
    return [
        Word(start=segment.start, end=segment.end, text=" " + t, probability=probability)
        for t in segment.text.split()
    ]


def compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0
