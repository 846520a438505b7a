"""Speech recognition with faster-whisper, chunk by chunk. faster-whisper's own types never leave this module.

Each chunk (see ``chunking.py``) is decoded on its own, primed with the end of the text before it so names
and spellings stay consistent across cuts, unless that text looks like a loop (priming with a loop invites
more of it). Two checks follow every chunk, and each decodes a stretch again with other settings, at most
twice, recording what it did in the transcript:

- the loop guard: a segment that says the same phrase back to back, or compresses too well, is decoded
  again without the previous text and, failing that, by sampling; if every decode loops, the repeats are
  removed so the output never says one phrase over and over;
- the coverage check: more than 15 s of VAD speech with no word in it means the decoder skipped it (Whisper
  does, after a confident "no speech" or a timestamp jump); that stretch is decoded again on its own.
"""

from __future__ import annotations

import functools
import itertools
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from stt_cli.chunking import Chunk, join_overlap, middle_of, pieces, same_text
from stt_cli.errors import TranscriptionError
from stt_cli.options import AsrOptions
from stt_cli.types import Retry, Segment, Word

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

COVERAGE_GAP = 4.0  # s of VAD speech without a word that counts as skipped
_LONG_WORD = 2.5  # s; no word lasts this long: a "word" timed so long spans speech Whisper skipped
_SHORT_WORD = 0.02  # s; a word squeezed to nothing beside a stretched one is misplaced, not heard there
_CONTEXT_WORDS = 40  # words of the previous chunk given as its prompt (Whisper keeps ~220 prompt tokens)
_FALLBACK = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)  # Whisper's temperature fallback, as in the paper
_MAX_COMPRESSION = 2.4  # gzip ratio above which Whisper's own fallback calls a decode repetitive
_LOOP_NGRAM = 3  # a phrase of this many words or more said twice in a row is a loop, not speech
_LOOP_SHORT_REPEATS = 6  # "no, no, no", "words, words, words, words": a word or two said this often is a loop
_ECHO_CONFIDENCE = 0.1  # a segment's first word repeating the last one, below this probability, is an echo
_ECHO_WORDS = 6  # a run this long copied from the prompt is the prompt read back, not speech
_LONGEST_PHRASE = 12  # words; longer repeated phrases are caught by the compression ratio


@dataclass(frozen=True)
class Profile:
    """One way of decoding a stretch of audio.

    Attributes:
        name: how retries are recorded in the transcript.
        use_context: prime with the previous chunk's text and condition each window on the one before.
        temperatures: the temperature fallback; the first is tried first.
        no_speech_threshold: above this "no speech" probability a quiet window is dropped (None: never).
        repetition_penalty: >1 discourages tokens already produced.
    """

    name: str
    use_context: bool
    temperatures: tuple[float, ...]
    no_speech_threshold: float | None
    repetition_penalty: float = 1.0


FIRST = Profile("default", use_context=True, temperatures=_FALLBACK, no_speech_threshold=0.6)
RETRIES = (
    Profile("no-context", use_context=False, temperatures=_FALLBACK, no_speech_threshold=None),
    Profile("sampling", use_context=False, temperatures=(0.4, 0.6, 0.8, 1.0), no_speech_threshold=None,
            repetition_penalty=1.1),
)  # fmt: skip


@dataclass(frozen=True)
class Recognition:
    """A whole file's recognised speech.

    Attributes:
        language: the language decoding used (``"und"`` when nothing was heard to detect it from).
        language_source: ``"detected"``, ``"requested"`` (``--language``), ``"model"`` (an English-only
            model), or ``"none"`` (no speech).
        language_probability: detection confidence; ``None`` unless detected.
        segments: the segments, in time order, numbered from 0.
        retries: stretches decoded again by the loop guard or the coverage check.
        chunks: how many chunks were decoded.
    """

    language: str
    language_source: str
    language_probability: float | None
    segments: tuple[Segment, ...]
    retries: tuple[Retry, ...] = ()
    chunks: int = 0


@dataclass(frozen=True)
class _Language:
    code: str | None
    source: str
    probability: float | None


def recognise(
    model: WhisperModel,
    chunks: Iterable[tuple[Chunk, np.ndarray]],
    options: AsrOptions,
    *,
    on_progress: Callable[[float], None] = lambda seconds: None,
) -> Recognition:
    """Decode every chunk of a recording, in order, as it arrives.

    ``on_progress`` is told the file time reached, after each segment and each chunk.

    Raises:
        MemoryError: the device ran out of memory.
        TranscriptionError: the recogniser failed.
    """
    language = _Language(options.language, "requested", None) if options.language else None
    if language is None and not model.model.is_multilingual:
        language = _Language("en", "model", None)  # English-only models never detect
    done: list[Segment] = []
    previous: list[Segment] = []  # the last chunk's segments, still open to an overlap join
    retries: list[Retry] = []
    context = ""
    count = 0
    for group in _groups(chunks, options.batch_size):
        if len(group) > 1 or options.batch_size > 1:
            firsts, language = _decode_batch(model, group, options, language)
        else:
            chunk, samples = group[0]
            first, language = _decode(model, samples, chunk, options, language, FIRST, context, on_progress)
            firsts = [first]
        for (chunk, samples), first in zip(group, firsts, strict=True):
            # After an overlap the chunk starts by repeating the last one on purpose; the join handles that.
            before = [] if chunk.overlap else _plain_words(context)
            segments, found = _checked(model, chunk, samples, first, options, language, before)
            retries.extend(found)
            if chunk.overlap and previous:
                previous, segments = join_overlap(previous, segments, (chunk.start, chunk.start + chunk.overlap))
            done.extend(previous)
            previous = segments
            context = _context(segments, context)
            count += 1
            on_progress(chunk.end)
    done.extend(previous)
    if language is None:
        language = _Language("und", "none", None)
    return Recognition(
        language=language.code or "und",
        language_source=language.source,
        language_probability=language.probability,
        segments=tuple(replace(s, id=i) for i, s in enumerate(_drop_boundary_echoes(list(_monotonic(done))))),
        retries=tuple(retries),
        chunks=count,
    )


def _groups(chunks: Iterable[tuple[Chunk, np.ndarray]], size: int) -> Iterator[list[tuple[Chunk, np.ndarray]]]:
    group: list[tuple[Chunk, np.ndarray]] = []
    for item in chunks:
        group.append(item)
        if len(group) >= size:
            yield group
            group = []
    if group:
        yield group


def _decode(
    model: WhisperModel,
    samples: np.ndarray,
    chunk: Chunk,
    options: AsrOptions,
    language: _Language | None,
    profile: Profile,
    context: str = "",
    heard: Callable[[float], None] = lambda seconds: None,
    *,
    span: tuple[float, float] | None = None,
) -> tuple[list[Segment], _Language]:
    """Decode a chunk, or the ``span`` (file seconds) of it, with one profile; times come back in file seconds."""
    start, end = span or (chunk.start, chunk.end)
    audio = chunk.audio_between(samples, start, end)
    prompt = " ".join(p for p in (options.initial_prompt, context if profile.use_context else "") if p) or None
    try:
        raw_segments, info = model.transcribe(
            audio,
            language=language.code if language else None,
            task=options.task.value,
            beam_size=options.beam_size,
            temperature=list(profile.temperatures),
            condition_on_previous_text=profile.use_context,
            no_speech_threshold=profile.no_speech_threshold,
            repetition_penalty=profile.repetition_penalty,
            initial_prompt=prompt,
            hotwords=options.hotwords,
            vad_filter=False,  # chunks were cut from VAD speech already
            word_timestamps=options.word_timestamps,
        )
        segments = []
        for segment in _convert(raw_segments, lambda t: chunk.file_time(chunk.chunk_time(start) + t), start, end):
            segments.append(segment)
            heard(segment.end)
    except RuntimeError as e:
        _raise_memory_error_if_oom(e)
        raise TranscriptionError(f"speech recognition failed: {e}") from e
    if language is None:
        language = _Language(info.language, "detected", float(info.language_probability))
    return segments, language


def _decode_batch(
    model: WhisperModel,
    group: list[tuple[Chunk, np.ndarray]],
    options: AsrOptions,
    language: _Language | None,
) -> tuple[list[list[Segment]], _Language]:
    """Decode several chunks at once with faster-whisper's batched pipeline (no priming: they run together)."""
    from faster_whisper import BatchedInferencePipeline

    offsets = np.cumsum([0.0] + [c.duration for c, _ in group])
    clips = [{"start": float(a), "end": float(b)} for a, b in itertools.pairwise(offsets)]
    try:
        raw_segments, info = BatchedInferencePipeline(model).transcribe(
            np.concatenate([s for _, s in group]),
            language=language.code if language else None,
            task=options.task.value,
            beam_size=options.beam_size,
            initial_prompt=options.initial_prompt,
            hotwords=options.hotwords,
            clip_timestamps=clips,
            batch_size=len(group),
            word_timestamps=options.word_timestamps,
            # One window per chunk and no second pass: decoding with timestamp tokens lets the model end a
            # window early and lose its tail (measured: 90 of 1784 words deleted, against 13 sequentially).
            # Word times still come from the alignment.
            without_timestamps=True,
        )
        raw = list(raw_segments)
    except RuntimeError as e:
        _raise_memory_error_if_oom(e)
        raise TranscriptionError(f"speech recognition failed: {e}") from e
    if language is None:
        language = _Language(info.language, "detected", float(info.language_probability))
    per_chunk: list[list[Segment]] = []
    for (chunk, _), (a, b) in zip(group, itertools.pairwise(offsets), strict=True):
        mine = [r for r in raw if a <= (r.start + r.end) / 2 < b]
        per_chunk.append(list(_convert(mine, functools.partial(_shifted, chunk, a), chunk.start, chunk.end)))
    return per_chunk, language


def _shifted(chunk: Chunk, offset: float, seconds: float) -> float:
    """A time in a batch of joined chunks, as file seconds of ``chunk`` (which started at ``offset``)."""
    return chunk.file_time(seconds - offset)


def _checked(
    model: WhisperModel,
    chunk: Chunk,
    samples: np.ndarray,
    segments: list[Segment],
    options: AsrOptions,
    language: _Language | None,
    before: list[str],
) -> tuple[list[Segment], list[Retry]]:
    """Run the loop guard, then the coverage check, on one chunk's first decode.

    ``before`` is the end of the text before this chunk, so that a chunk that only repeats what was said
    last, or reads back its prompt, counts as a loop too.
    """
    retries = []
    for span in looping_spans(segments, before):
        segments, retry = _unloop(model, chunk, samples, segments, options, language, before, span)
        retries.append(retry)
    for gap in skipped_speech(chunk, segments):
        segments, retry = _recover(model, chunk, samples, segments, options, language, gap)
        retries.append(retry)
    return segments, retries


def looping_spans(segments: list[Segment], before: list[str]) -> list[tuple[float, float]]:
    """The stretches (file seconds) covered by segments that loop, neighbours merged.

    A segment loops when it compresses like a loop, repeats a phrase back to back (within itself or right
    after the words before it), or, as the chunk's first segment, reads back a run of the prompt ``before``
    (later on, a sentence said again is more likely said again: testimony read back, a question repeated).
    """
    spans: list[tuple[float, float]] = []
    said = list(before)
    for index, segment in enumerate(segments):
        words = _plain_words(segment.text)
        tail = said[-2 * _LONGEST_PHRASE :]
        if (
            segment.compression_ratio > _MAX_COMPRESSION
            or _loop_runs(tail + words, len(tail))
            or (index == 0 and _echoes(words, before))
        ):
            if spans and spans[-1][1] >= segment.start:
                spans[-1] = (spans[-1][0], max(spans[-1][1], segment.end))
            else:
                spans.append((segment.start, segment.end))
        said += words
    return spans


def _unloop(
    model: WhisperModel,
    chunk: Chunk,
    samples: np.ndarray,
    segments: list[Segment],
    options: AsrOptions,
    language: _Language | None,
    before: list[str],
    span: tuple[float, float],
) -> tuple[list[Segment], Retry]:
    def inside(w: Word | Segment) -> bool:
        return span[0] <= middle_of(w) <= span[1]

    earlier = _plain_words(" ".join(s.text for s in pieces(segments, lambda w: middle_of(w) < span[0])))
    prior = (before + earlier)[-2 * _LONGEST_PHRASE :]
    tried = []
    for profile in RETRIES:
        tried.append(profile.name)
        again, _ = _decode(model, samples, chunk, options, language, profile, span=span)
        again = pieces(again, inside)
        if again and not loops(again, prior):
            return splice(segments, again, span), _retry(*span, "loop", tried, "recovered", again)
    # Every decode repeats itself: keep the first, with runaway repeats said once.
    looped = pieces(segments, inside)
    collapsed = collapse_repeats(looped, prior)
    outcome = "collapsed" if collapsed != looped else "unchanged"
    kept = pieces(segments, lambda w: not inside(w))
    return sorted([*kept, *collapsed], key=lambda s: s.start), _retry(*span, "loop", tried, outcome, collapsed)


def _recover(
    model: WhisperModel,
    chunk: Chunk,
    samples: np.ndarray,
    segments: list[Segment],
    options: AsrOptions,
    language: _Language | None,
    gap: tuple[float, float],
) -> tuple[list[Segment], Retry]:
    tried = []
    for profile in RETRIES:
        tried.append(profile.name)
        found, _ = _decode(model, samples, chunk, options, language, profile, span=gap)
        # Words heard at the very edges are the neighbours' words, clipped: they are already in the text.
        found = pieces(found, lambda w: gap[0] < middle_of(w) < gap[1])
        if found and not loops(found, []):
            return splice(segments, found, gap), _retry(*gap, "coverage", tried, "recovered", found)
    return segments, _retry(*gap, "coverage", tried, "unchanged", [])


def splice(segments: list[Segment], found: list[Segment], gap: tuple[float, float]) -> list[Segment]:
    """Put the segments ``found`` in a gap into the transcript, in time order.

    The gap may lie inside a segment (its words on both sides): that segment is split there. Words timed inside
    the gap (one stretched over it, one squeezed to nothing at its edge) are dropped: the new decode heard
    them again, with the words they were hiding.
    """
    kept = pieces(segments, lambda w: not gap[0] <= middle_of(w) <= gap[1])
    kept = [piece for s in kept for piece in _split_at(s, gap[0])]
    # The new decode starts and ends in the middle of speech, so it may hear again the word on either side of
    # the gap, a little displaced: a first or last word equal to its neighbour is that neighbour.
    heard = [w for s in found for w in s.words]
    around = [w for s in kept for w in s.words]
    echoes = set()
    if heard and (left := [w for w in around if w.end <= gap[0] + 0.01]) and same_text(heard[0], left[-1]):
        echoes.add(id(heard[0]))
    if heard and (right := [w for w in around if w.start >= gap[1] - 0.01]) and same_text(heard[-1], right[0]):
        echoes.add(id(heard[-1]))
    found = pieces(found, lambda w: id(w) not in echoes)
    return sorted([*kept, *found], key=lambda s: s.start)


def _split_at(segment: Segment, time: float) -> list[Segment]:
    """The segment as two, its words before ``time`` and after (one piece when all are on one side)."""
    if not segment.words or segment.words[-1].start < time or segment.words[0].start >= time:
        return [segment]
    return pieces([segment], lambda w: w.start < time) + pieces([segment], lambda w: w.start >= time)


def _retry(start: float, end: float, reason: str, tried: list[str], outcome: str, kept: list[Segment]) -> Retry:
    words = sum(len(s.words) or len(s.text.split()) for s in kept if start <= (s.start + s.end) / 2 <= end)
    return Retry(start=start, end=end, reason=reason, attempts=tuple(tried), outcome=outcome, words=words)


def skipped_speech(chunk: Chunk, segments: list[Segment]) -> list[tuple[float, float]]:
    """Stretches of a chunk between recognised words that hold more than ``COVERAGE_GAP`` s of VAD speech.

    A "word" lasting over ``_LONG_WORD`` s covers nothing: Whisper's alignment stretches a word over speech
    the decoder skipped (measured: "the" timed over 9.6 s that hid a whole clause).
    """
    times = []
    for segment in segments:
        if not segment.words:  # without word times the segment is all there is to go by
            times.append((segment.start, segment.end))
        times += [(w.start, w.end) for w in segment.words if _SHORT_WORD < w.end - w.start <= _LONG_WORD]
    times.sort()
    edges = [chunk.start, *(t for pair in times for t in pair), chunk.end]
    gaps = []
    for a, b in zip(edges[0::2], edges[1::2], strict=True):
        if b - a > COVERAGE_GAP and chunk.speech_seconds(a, b) > COVERAGE_GAP:
            gaps.append((a, b))
    return gaps


def _context(segments: list[Segment], before: str) -> str:
    """The prompt for the next chunk: the end of this one's text, or nothing if it looks like a loop."""
    words = " ".join(s.text for s in segments).split()
    if not words:
        return before  # a chunk with no words changes nothing
    tail = " ".join(words[-_CONTEXT_WORDS:])
    looks_looped = _compression_ratio(tail) > _MAX_COMPRESSION or _loop_runs(_plain_words(tail), 0)
    return "" if looks_looped else tail


def _plain_words(text: str) -> list[str]:
    return re.findall(r"\w+(?:'\w+)?", text.casefold())


def repeated_runs(words: list[str]) -> list[tuple[int, int, int]]:
    """Back-to-back repeats in a word list, as ``(start, n, copies)``: ``words[start:start+n]`` said ``copies``
    times in a row. At each place the run covering the most words is listed, and scanning goes on after it."""
    runs = []
    i = 0
    while i < len(words):
        best = (1, 1)
        for n in range(1, min(_LONGEST_PHRASE, (len(words) - i) // 2) + 1):
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


def _is_loop(n: int, copies: int) -> bool:
    # "no, no, no" and "I, I think" are speech; a phrase of three words or more said twice in a row, or a
    # word said over and over, is Whisper looping.
    return (n >= _LOOP_NGRAM and copies >= 2) or copies >= _LOOP_SHORT_REPEATS


def _is_runaway(n: int, copies: int) -> bool:
    # What stays a loop after every retry and is removed: a phrase said three times or more. A phrase
    # said exactly twice by every decode was most likely said twice ("I don't know. I don't know.").
    return (n >= _LOOP_NGRAM and copies >= 3) or copies >= _LOOP_SHORT_REPEATS


def _loop_runs(words: list[str], first_new: int, judge=_is_loop) -> list[tuple[int, int, int]]:
    """The runs ``judge`` calls loops that reach into ``words[first_new:]``."""
    return [r for r in repeated_runs(words) if judge(r[1], r[2]) and r[0] + r[1] * r[2] > first_new]


def loops(segments: list[Segment], before: list[str]) -> bool:
    """Whether a decode loops: a segment compresses like a loop, a phrase repeats back to back in its text
    or right after the words ``before`` it, or it copies a run of words from ``before`` (the prompt: Whisper
    sometimes reads its prompt back instead of the audio)."""
    if any(s.compression_ratio > _MAX_COMPRESSION for s in segments):
        return True
    words = _plain_words(" ".join(s.text for s in segments))
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
    plain = [(_plain_words(w.text) or [""])[0] for _, w in items]
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


def _compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def _convert(raw_segments, to_file: Callable[[float], float], low: float, high: float) -> Iterator[Segment]:
    """Turn faster-whisper segments into ours, in file seconds, clamped to ``[low, high]``.

    Whisper's timestamps can step backwards by a few milliseconds between segments and can run past the end
    of the audio it was given; subtitle players and the speaker merge both need them monotonic and in range.
    """
    floor = low  # nothing may start before the last emitted segment or word started
    for raw in raw_segments:
        text = raw.text.strip()
        if not text:
            continue
        start = _clamp(to_file(raw.start), floor, high)
        words = []
        for w in raw.words or ():
            w_start = _clamp(to_file(w.start), floor, high)
            w_end = _clamp(to_file(w.end), w_start, high)
            words.append(Word(start=w_start, end=w_end, text=w.word, probability=float(w.probability)))
            floor = w_start
        end = _clamp(to_file(raw.end), start, high)
        if words:  # the segment spans its words, so every word lies inside it
            start, end = min(start, words[0].start), max(end, words[-1].end)
        floor = max(floor, start)
        yield Segment(
            id=0,
            start=start,
            end=end,
            text=text,
            words=tuple(words),
            avg_logprob=float(raw.avg_logprob),
            no_speech_prob=float(raw.no_speech_prob),
            compression_ratio=float(raw.compression_ratio),
        )


def _monotonic(segments: list[Segment]) -> Iterator[Segment]:
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


def _drop_boundary_echoes(segments: list[Segment]) -> Iterator[Segment]:
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


def _raise_memory_error_if_oom(error: Exception) -> None:
    # CTranslate2 reports exhausted CPU or GPU memory as a RuntimeError; callers map MemoryError to a
    # clear out_of_memory message.
    if "out of memory" in str(error).lower():
        raise MemoryError(str(error)) from error


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(float(value), low), high)
