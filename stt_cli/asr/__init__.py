"""Speech recognition, chunk by chunk.

Each chunk (see ``chunking.py``) is decoded on its own, primed with the end of the text before it so names
and spellings stay consistent across cuts, unless that text looks like a loop (priming with a loop invites
more of it). Two checks follow every chunk, and each decodes a stretch again with other settings, at most
twice, recording what it did in the transcript:

- the loop guard (``loops.py``): a segment that says the same phrase back to back, or compresses too well, is
  decoded again without the previous text and, failing that, with a wider beam that may not repeat itself; if
  every decode loops, the repeats are removed so the output never says one phrase over and over;
- the coverage check (``coverage.py``): more than 4 s of VAD speech with no word in it means the decoder
  skipped it (Whisper does, after a confident "no speech" or a timestamp jump); that stretch is decoded again
  on its own and spliced in.

``whisper.py`` drives faster-whisper's decoder (its VAD is wrapped in ``vad.py``); the rest is pure logic on
our own types.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from stt_cli.asr.chunking import Chunk
from stt_cli.asr.coverage import COVERAGE_ROUNDS, skipped_speech, splice
from stt_cli.asr.edit import (
    drop_boundary_echoes,
    in_time_order,
    join_overlap,
    middle_of,
    monotonic,
    pieces,
    plain_words,
)
from stt_cli.asr.loops import LONGEST_PHRASE, collapse_repeats, context_after, looping_spans, loops
from stt_cli.asr.whisper import FIRST, RETRIES, Decoder
from stt_cli.options import AsrOptions
from stt_cli.types import LanguageSource, Retry, RetryOutcome, RetryReason, Segment, Word

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

Span = tuple[float, float]


@dataclass(frozen=True)
class Recognition:
    """A whole file's recognised speech.

    Attributes:
        language: the language decoding used (``"und"`` when nothing was heard to detect it from).
        language_source: how the language was decided.
        language_probability: detection confidence; ``None`` unless detected.
        language_candidates: the languages detection chose among (empty: all).
        language_probabilities: the model's probabilities of the candidates (or of the 5 likeliest).
        segments: the segments, in time order, numbered from 0.
        retries: stretches decoded again by the loop guard or the coverage check.
        chunks: how many chunks were decoded.
    """

    language: str
    language_source: LanguageSource
    language_probability: float | None
    segments: tuple[Segment, ...]
    retries: tuple[Retry, ...] = ()
    chunks: int = 0
    language_candidates: tuple[str, ...] = ()
    language_probabilities: dict[str, float] = field(default_factory=dict)


def _nowhere(seconds: float) -> None:
    return None


def recognise(
    model: WhisperModel,
    chunks: Iterable[Chunk],
    options: AsrOptions,
    *,
    on_progress: Callable[[float], None] = _nowhere,
) -> Recognition:
    """Decode every chunk of a recording, in order, as it arrives.

    ``on_progress`` is told the file time reached, after each segment and each chunk.

    Raises:
        MemoryError: the device ran out of memory.
        TranscriptionError: the recogniser failed.
    """
    decoder = Decoder(model, options)
    done: list[Segment] = []
    previous: list[Segment] = []  # the last chunk's segments, still open to an overlap join
    retries: list[Retry] = []
    context = ""
    count = 0
    for group in _groups(chunks, options.batch_size):
        if options.batch_size > 1:
            firsts = decoder.decode_batch(group)
        else:
            firsts = [decoder.decode(group[0], FIRST, context=context, heard=on_progress)]
        for chunk, first in zip(group, firsts, strict=True):
            # After an overlap the chunk starts by repeating the last one on purpose; the join handles that.
            before = [] if chunk.overlap else plain_words(context)
            segments, found = _checked(decoder, chunk, first, before)
            retries.extend(found)
            if options.segment_language:
                segments = _segment_languages(decoder, chunk, segments)
            if chunk.overlap and previous:
                previous, segments = join_overlap(previous, segments, (chunk.start, chunk.start + chunk.overlap))
            done.extend(previous)
            previous = segments
            context = context_after(segments, context)
            count += 1
            on_progress(chunk.end)
    done.extend(previous)
    language = decoder.found_language
    return Recognition(
        language=language.code,
        language_source=language.source,
        language_probability=language.probability,
        segments=tuple(replace(s, id=i) for i, s in enumerate(drop_boundary_echoes(list(monotonic(done))))),
        retries=tuple(retries),
        chunks=count,
        language_candidates=language.candidates,
        language_probabilities=dict(language.probabilities),
    )


def _groups(chunks: Iterable[Chunk], size: int) -> Iterator[list[Chunk]]:
    group: list[Chunk] = []
    for chunk in chunks:
        group.append(chunk)
        if len(group) >= size:
            yield group
            group = []
    if group:
        yield group


def _checked(
    decoder: Decoder, chunk: Chunk, segments: list[Segment], before: list[str]
) -> tuple[list[Segment], list[Retry]]:
    """Run the loop guard, then the coverage check, on one chunk's first decode.

    ``before`` is the end of the text before this chunk, so that a chunk that only repeats what was said
    last, or reads back its prompt, counts as a loop too.
    """
    retries = []
    for span in looping_spans(segments, before):
        segments, retry = _unloop(decoder, chunk, segments, before, span)
        retries.append(retry)
    tried: set[Span] = set()
    for _ in range(COVERAGE_ROUNDS):
        gaps = [gap for gap in skipped_speech(chunk, segments) if gap not in tried]
        for gap in gaps:
            tried.add(gap)
            segments, retry = _recover(decoder, chunk, segments, gap)
            retries.append(retry)
    return segments, retries


def _segment_languages(decoder: Decoder, chunk: Chunk, segments: list[Segment]) -> list[Segment]:
    """Each segment with its own language; one said in another language than the recording's is decoded
    again in it (Whisper decodes a window in one language, and would write an interpreter's English sentence
    in Indonesian, or drop it)."""
    usual = decoder.found_language.code
    out: list[Segment] = []
    for segment in segments:
        if segment.language is not None:  # recovered by the coverage check, in its own language already
            out.append(segment)
            continue
        found = decoder.span_language(chunk, (segment.start, segment.end))
        again = _in_other_language(decoder, chunk, segment, found.code) if found and found.code != usual else []
        if again and found is not None:
            out.extend(replace(s, language=found.code) for s in again)
        else:
            out.append(replace(segment, language=usual))
    return out


def _in_other_language(decoder: Decoder, chunk: Chunk, segment: Segment, language: str) -> list[Segment]:
    """The segment decoded in ``language``, if that reads better than the same decode in the recording's own;
    else nothing.

    Detection alone is not enough: on ``bench.indonesian --mixed`` it took Indonesian segments for English
    (Indonesian WER 45.0 %, 38.3 % with this check, as forced ``id``; English 6.6 % either way). Compared with
    the first decode (another beam, with context) instead, the check turned real English away (English WER
    10.7 %). It costs a third decode of each segment detected as another language (30 % more time on the mixed
    file, where half are). It does not cure far-field speech: among id and en, ``base`` is 9 times surer of
    English on 4-15 % of the speech of far-field Indonesian hearings (bench/hearings.py), and its English
    reading of them scores better too: two such hearings lost 6.2 and 6.4 WER points with or without the check.
    """
    span = (segment.start, segment.end)
    within = functools.partial(_within, span)
    other = pieces(decoder.decode(chunk, RETRIES[0], span=span, language=language), within)
    if not other:
        return []
    usual = pieces(decoder.decode(chunk, RETRIES[0], span=span, language=decoder.found_language.code), within)
    return other if _likelihood(other) > _likelihood(usual or [segment]) else []


def _likelihood(segments: list[Segment]) -> float:
    """How well a decode reads its audio: the segments' mean token log-probability, weighted by their words."""
    weights = [max(len(s.words), 1) for s in segments]
    return sum(s.avg_logprob * w for s, w in zip(segments, weights, strict=True)) / sum(weights)


def _unloop(
    decoder: Decoder, chunk: Chunk, segments: list[Segment], before: list[str], span: Span
) -> tuple[list[Segment], Retry]:
    """Decode a looping stretch again; keep the first retry that does not loop, else collapse the repeats."""

    def inside(item: Word | Segment) -> bool:
        return span[0] <= middle_of(item) <= span[1]

    earlier = plain_words(" ".join(s.text for s in pieces(segments, lambda w: middle_of(w) < span[0])))
    prior = (before + earlier)[-2 * LONGEST_PHRASE :]
    tried = []
    for profile in RETRIES:
        tried.append(profile.name)
        again = pieces(decoder.decode(chunk, profile, span=span), inside)
        if again and not loops(again, prior):
            return splice(segments, again, span), _retry(
                span, RetryReason.loop, tried, RetryOutcome.recovered, again
            )
    # Every decode repeats itself: keep the first, with runaway repeats said once.
    looped = pieces(segments, inside)
    collapsed = collapse_repeats(looped, prior)
    outcome = RetryOutcome.collapsed if collapsed != looped else RetryOutcome.unchanged
    kept = pieces(segments, lambda w: not inside(w))
    return in_time_order([*kept, *collapsed]), _retry(span, RetryReason.loop, tried, outcome, collapsed)


def _recover(decoder: Decoder, chunk: Chunk, segments: list[Segment], gap: Span) -> tuple[list[Segment], Retry]:
    """Decode a stretch the first decode skipped; splice in the first retry that finds words and no loop."""
    tried = []
    # Speech the first decode skipped is often in another language than the recording's (Whisper, held to
    # Indonesian, skips an English answer): with per-segment languages on, it is decoded in its own.
    heard = decoder.span_language(chunk, gap) if decoder.options.segment_language else None
    language = heard.code if heard is not None else None
    for profile in RETRIES:
        tried.append(profile.name)
        decoded = decoder.decode(chunk, profile, span=gap, language=language)
        # Words heard at the very edges are the neighbours' words, clipped: they are already in the text.
        found = pieces(decoded, lambda w: gap[0] < middle_of(w) < gap[1])
        if language is not None:
            found = [replace(s, language=language) for s in found]
        if found and not loops(found, []):
            return splice(segments, found, gap), _retry(
                gap, RetryReason.coverage, tried, RetryOutcome.recovered, found
            )
    return segments, _retry(gap, RetryReason.coverage, tried, RetryOutcome.unchanged, [])


def _within(span: Span, item: Word | Segment) -> bool:
    return span[0] <= middle_of(item) <= span[1]


def _retry(span: Span, reason: RetryReason, tried: list[str], outcome: RetryOutcome, kept: list[Segment]) -> Retry:
    start, end = span
    words = sum(len(s.words) or len(s.text.split()) for s in kept if start <= (s.start + s.end) / 2 <= end)
    return Retry(start=start, end=end, reason=reason, attempts=tuple(tried), outcome=outcome, words=words)
