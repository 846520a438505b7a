"""Where each entry of ``--terms`` is said: every word of the transcript, matched as the vocabulary matches its
terms (``asr/vocabulary.py``: a name Whisper spelt another way is still found), and every string elsewhere in the
record (speaker names, case details, settings) the same way.

For a public copy a near-miss is taken out as surely as the name itself: a name left in once is a harm that
cannot be undone, a common word taken out with it is a blank the reader sees. So the recogniser's confidence,
which keeps the vocabulary from rewriting a word it was sure of, is not asked here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from stt_cli.asr.vocabulary import Term, distance, plain
from stt_cli.redact.terms import Entry, EntryKind
from stt_cli.types import Segment, Transcript

LONGEST_PATTERN = 8  # words a pattern may cover (an identity number said in groups: "3201 2345 6789 0001")
_TOKEN = re.compile(r"\S+")
# A string of the record or a file of the copy is searched word by word at every letter-and-digit run, so that
# no markup, underscore or hyphen can hide a name: "<b>Tom</b>", "sidang_Tom", "Budi-Santoso".
_RUN = re.compile(r"[^\W_]+")
_SEPARATORS = re.compile(r"[\s.,/-]+")
_EDGE = re.compile(r"^([\W_]*)(.*?)([\W_]*)$", re.S)


@dataclass(frozen=True)
class Place:
    """A word of the transcript: the segment it is in, its place there, its times and its text as written."""

    segment: int
    word: int
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Hit:
    """An entry found: the places ``first`` to ``last`` (inclusive) of the transcript's words.

    Attributes:
        exact: every word as listed (without case or punctuation); otherwise a near spelling.
    """

    entry: Entry
    first: int
    last: int
    start: float
    end: float
    heard: str
    exact: bool


def places(t: Transcript) -> list[Place]:
    """Every word of the transcript in order; a segment without word times is its text's words, each timed as
    the whole segment (taken out, the whole segment is silenced)."""
    out: list[Place] = []
    for s, segment in enumerate(t.segments):
        out.extend(_places(s, segment))
    return out


def _places(s: int, segment: Segment) -> Iterator[Place]:
    if segment.words:
        for w, word in enumerate(segment.words):
            yield Place(s, w, word.start, word.end, word.text)
    else:
        for w, token in enumerate(_TOKEN.findall(segment.text)):
            yield Place(s, w, segment.start, segment.end, token)


def locate(found: list[Place], entries: tuple[Entry, ...]) -> list[Hit]:
    """Every place an entry is said, in time order; where two would cover the same word, the longer wins.

    A stretch of time (``@ start - end``) covers every word whose middle lies inside it.
    """
    hits = _spoken(found, [e for e in entries if e.kind is not EntryKind.time])
    covered = {i for h in hits for i in range(h.first, h.last + 1)}
    for entry in entries:
        if entry.span is None:
            continue
        inside = [i for i, p in enumerate(found) if entry.span[0] <= (p.start + p.end) / 2 <= entry.span[1]]
        for run in _runs([i for i in inside if i not in covered]):
            hits.append(_hit(entry, found, run[0], run[-1], exact=True))
    return sorted(hits, key=lambda h: h.first)


def _spoken(found: list[Place], entries: list[Entry]) -> list[Hit]:
    keys = [plain(p.text) for p in found]
    hits: list[Hit] = []
    i = 0
    while i < len(found):
        best: Hit | None = None
        if keys[i]:
            for entry in entries:
                hit = _at(entry, found, keys, i)
                if hit is not None and (best is None or hit.last > best.last):
                    best = hit
        if best is None:
            i += 1
            continue
        hits.append(best)
        i = best.last + 1
    return hits


def _at(entry: Entry, found: list[Place], keys: list[str], i: int) -> Hit | None:
    """The longest match of ``entry`` starting at word ``i``, or ``None``."""
    best: tuple[int, bool] | None = None  # (last place, exact)
    if entry.pattern is not None:
        for n in range(1, min(LONGEST_PATTERN, len(found) - i) + 1):
            said = " ".join(p.text.strip(" \t.,;:!?\"'()[]") for p in found[i : i + n])
            if entry.pattern.fullmatch(said) or entry.pattern.fullmatch(_SEPARATORS.sub("", said)):
                best = (i + n - 1, True)
    for term in entry.spellings:
        # Of one spelling's matches the nearest, then the longest: "Budi Santoso. Ya" run together is two
        # edits from "budisantoso", but the two words alone are none.
        matches = sorted(_term_at(term, keys, i), key=lambda m: (m[1], -m[0]))
        if matches and (best is None or matches[0][0] > best[0]):
            best = (matches[0][0], matches[0][1] == 0)
    return None if best is None else _hit(entry, found, i, best[0], exact=best[1])


def _term_at(term: Term, keys: list[str], i: int) -> Iterator[tuple[int, int]]:
    """Where ``term`` ends if it starts at word ``i``, and the edits it takes: word for word, or run together
    (``BudiSantoso``, or a name Whisper split: ``Ta naka``) into as many words as it has, one more or fewer."""
    n = len(term.keys)
    said = keys[i : i + n]
    if len(said) == n:
        edits = [distance(heard, key) for heard, key in zip(said, term.keys, strict=True)]
        if all(e is not None for e in edits):
            yield i + n - 1, sum(e or 0 for e in edits)
    joined = "".join(term.keys)
    for m in range(max(1, n - 1), n + 2):
        if i + m <= len(keys) and (m != n or n > 1):
            edits_joined = distance("".join(keys[i : i + m]), joined)
            if edits_joined is not None:
                yield i + m - 1, edits_joined


def _hit(entry: Entry, found: list[Place], first: int, last: int, *, exact: bool) -> Hit:
    words = found[first : last + 1]
    heard = " ".join(p.text.strip() for p in words)
    return Hit(entry, first, last, min(p.start for p in words), max(p.end for p in words), heard, exact)


def _runs(indices: list[int]) -> Iterator[list[int]]:
    run: list[int] = []
    for i in indices:
        if run and i != run[-1] + 1:
            yield run
            run = []
        run.append(i)
    if run:
        yield run


def scrub(text: str, entries: tuple[Entry, ...], language: str) -> tuple[str, list[Hit]]:
    """``text`` with every entry (words and patterns) said in it replaced, and where they were."""
    tokens = list(_RUN.finditer(text))
    found = [Place(0, i, 0.0, 0.0, m.group()) for i, m in enumerate(tokens)]
    hits = _spoken(found, [e for e in entries if e.kind is not EntryKind.time])
    for hit in reversed(hits):
        start, end = tokens[hit.first].start(), tokens[hit.last].end()
        text = text[:start] + joined("", hit.entry.written(language), text[end : end + 1]) + text[end + 1 :]
    return text, hits


def joined(lead: str, written: str, trail: str) -> str:
    """A replacement between the punctuation of the words it stands for ("T." for "Tom.", not "T..")."""
    if trail[:1] == "." and written.endswith("."):
        trail = trail[1:]
    return f"{lead}{written}{trail}"


def edges(text: str) -> tuple[str, str, str]:
    """A word's leading space and punctuation, its letters, and its trailing punctuation."""
    match = _EDGE.match(text)
    assert match is not None  # the pattern matches any string
    return match.group(1), match.group(2), match.group(3)
