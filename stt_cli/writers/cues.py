"""One cue builder for every subtitle format: where lines wrap and where one cue ends and the next begins."""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

from stt_cli.languages import ends_sentence
from stt_cli.types import Segment, Word

# A pause longer than this ends the cue, so text never stays on screen through a long silence.
MAX_PAUSE_IN_CUE = 1.0  # seconds


@dataclass(frozen=True)
class Cue:
    """One subtitle: shown from ``start`` to ``end`` (seconds), as ``lines``."""

    start: float
    end: float
    lines: tuple[str, ...]
    speaker: str | None = None  # display name; writers mark it in their own way

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def build_cues(
    segments: Iterable[Segment],
    *,
    max_line_width: int,
    max_line_count: int,
    speaker_names: dict[str, str] | None = None,
    prefix_width: int = 0,
) -> list[Cue]:
    """Split segments into cues of at most ``max_line_count`` lines of about ``max_line_width`` characters.

    Word timings place each cue exactly; a segment without words is wrapped and its time shared out in
    proportion to the characters of each cue. Cues never span two segments (so never two speakers) and never
    overlap. ``prefix_width`` reserves room on a cue's first line for a speaker label the writer adds.
    """
    names = speaker_names or {}
    cues: list[Cue] = []
    for segment in segments:
        speaker = names.get(segment.speaker, segment.speaker) if segment.speaker else None
        reserve = prefix_width if speaker else 0
        if segment.words:
            pieces = _cues_from_words(segment.words, max_line_width, max_line_count, reserve)
        else:
            pieces = _cues_from_text(segment, max_line_width, max_line_count)
        cues.extend(Cue(c.start, c.end, c.lines, speaker) for c in pieces)
    return _without_overlaps(cues)


def _cues_from_words(words: tuple[Word, ...], width: int, count: int, reserve: int = 0) -> list[Cue]:
    cues: list[Cue] = []
    lines: list[list[Word]] = [[]]

    def flush() -> None:
        nonlocal lines
        used = [line for line in lines if line]
        if used:
            cues.append(
                Cue(start=used[0][0].start, end=used[-1][-1].end, lines=tuple(_join(line) for line in used))
            )
        lines = [[]]

    previous: Word | None = None
    for word in words:
        if not word.text.strip():
            continue
        if previous is not None and word.start - previous.end > MAX_PAUSE_IN_CUE:
            flush()
        line = lines[-1]
        room = width - (reserve if len(lines) == 1 else 0)
        if line and len(_join([*line, word])) > room:
            if len(lines) == count:
                flush()
            else:
                lines.append([])
        lines[-1].append(word)
        previous = word
        if ends_sentence(word.text) and (len(lines) > 1 or len(_join(lines[0])) > width // 2):
            flush()
    flush()
    return cues


def _cues_from_text(segment: Segment, width: int, count: int) -> list[Cue]:
    wrapped = textwrap.wrap(segment.text, width=width, break_long_words=False) or [segment.text]
    groups = [tuple(wrapped[i : i + count]) for i in range(0, len(wrapped), count)]
    total_chars = sum(len("".join(g)) for g in groups) or 1
    cues, start = [], segment.start
    for group in groups:
        share = (segment.end - segment.start) * len("".join(group)) / total_chars
        cues.append(Cue(start=start, end=start + share, lines=group))
        start += share
    return cues


def _join(words: list[Word]) -> str:
    # Whisper words carry their own leading space ("  ask", " not"); CJK words carry none.
    return "".join(w.text for w in words).strip()


def _without_overlaps(cues: list[Cue]) -> list[Cue]:
    """End each cue no later than the next one starts (players show overlapping cues stacked)."""
    tidy = [
        Cue(cue.start, min(cue.end, max(following.start, cue.start)), cue.lines, cue.speaker)
        for cue, following in itertools.pairwise(cues)
    ]
    return [*tidy, *cues[len(tidy) :]]
