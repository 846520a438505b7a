"""A case's vocabulary, applied after recognition: near-misses of its terms written as the terms are spelled.

With ``vocabulary_bias``, decoding is biased towards the terms too (given to Whisper as hotwords, in every
window's prompt: see ``whisper.Decoder.hotwords``). Either way, what comes out near a term is corrected here,
deterministically, and every correction is recorded so that a reviewer can see what was changed.

How near is near, word by word (compared without case or punctuation):
- words of 4 letters or fewer, and anything with a digit ("340", "KUHP"'s cousins "K3"), must be the same;
- words of 5 to 7 letters may differ by one edit (a letter added, dropped or changed), and must start with
  the same letter;
- words of 8 letters or more may differ by two, and must start with the same letter.
- a word the recogniser was sure of (``CONFIDENT``) is a word it heard, not a term it misheard: it is only ever
  respelled in the term's letter case. A term one letter from a common word ("County", and "country"; "Pasar",
  and "pasal") would otherwise rewrite that word all through a hearing.
A term of several words ("Pasal 340 KUHP", "Jaksa Penuntut Umum") matches only where every one of its words
does, in order. Where several terms match, the longest wins, then the nearest (fewest edits in all), then the
one listed first. A correction that changes nothing but letter case is still made (the listed spelling wins).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from stt_cli.types import Correction, Segment, Word

_EDGE = re.compile(r"^(\W*)(.*?)(\W*)$", re.S)
# A heard word at or above this decoder probability is not corrected to a term it is only near. Measured: the
# near-misses bench/indonesian.py's vocabulary corrected rightly were heard at 0.39 ("penggamis" for
# "pengemis"), while the common word a one-letter term would take over was heard at 0.997 ("country" in the
# JFK clip, for the term "County").
CONFIDENT = 0.95


@dataclass(frozen=True)
class Term:
    """A vocabulary entry: its words as spelled, and their plain forms."""

    words: tuple[str, ...]
    keys: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> Term:
        words = tuple(text.split())
        return cls(words, tuple(plain(w) for w in words))


def near(heard: str, key: str) -> bool:
    """Whether a heard word (plain form) is the vocabulary word ``key`` (plain form), misheard."""
    return distance(heard, key) is not None


def distance(heard: str, key: str) -> int | None:
    """The edits from a heard word to the vocabulary word ``key`` (plain forms), or ``None`` when it is too far
    to be that word misheard."""
    if heard == key:
        return 0
    if len(key) <= 4 or not key.isalpha() or not heard or heard[0] != key[0]:
        return None
    return _edits(heard, key, limit=1 if len(key) <= 7 else 2)


def correct(
    segments: tuple[Segment, ...], vocabulary: tuple[str, ...]
) -> tuple[tuple[Segment, ...], tuple[Correction, ...]]:
    """The segments with every near-miss of a term written as the term is spelled, and the corrections made.

    Longer terms win, so "Jaksa Penuntut Umum" is one correction, not three.
    """
    terms = [Term.of(t) for t in vocabulary if t.strip()]
    if not terms:
        return segments, ()
    out: list[Segment] = []
    corrections: list[Correction] = []
    left: dict[tuple[str, str], Correction] = {}  # sure words near a term: the first place of each
    for segment in segments:
        fixed, made = _correct_segment(segment, terms)
        out.append(fixed)
        corrections.extend(made)
        for near in _left_as_heard(fixed, terms):
            left.setdefault((plain(near.heard), near.written), near)
    return tuple(out), tuple(sorted([*corrections, *left.values()], key=lambda c: (c.start, c.end)))


def _left_as_heard(segment: Segment, terms: list[Term]) -> list[Correction]:
    """Words the recogniser was sure of that are nonetheless near a one-word term: left as heard, each listed
    for the reviewer (the name may have been meant)."""
    found = []
    for word in segment.words:
        for term in terms:
            if len(term.keys) == 1 and word.probability >= CONFIDENT and distance(plain(word.text), term.keys[0]):
                found.append(Correction(word.start, word.end, word.text.strip(), term.words[0], applied=False))
                break
    return found


def _correct_segment(segment: Segment, terms: list[Term]) -> tuple[Segment, list[Correction]]:
    # Without word times (--no-word-timestamps) how sure the recogniser was of each word is not known: every
    # near-miss is corrected.
    words = list(segment.words) or [Word(segment.start, segment.end, " " + t, 0.0) for t in segment.text.split()]
    made: list[Correction] = []
    i = 0
    while i < len(words):
        term = _nearest(words[i:], terms)
        if term is None:
            i += 1
            continue
        window = words[i : i + len(term.words)]
        spelled = [replace(w, text=_respell(w.text, new)) for w, new in zip(window, term.words, strict=True)]
        if [w.text for w in spelled] != [w.text for w in window]:
            heard = "".join(w.text for w in window).strip()
            made.append(Correction(window[0].start, window[-1].end, heard, " ".join(term.words)))
            words[i : i + len(window)] = spelled
        i += len(window)
    if not made:
        return segment, []
    text = "".join(w.text for w in words).strip()
    return (
        replace(segment, text=text, words=tuple(words)) if segment.words else replace(segment, text=text)
    ), made


def _nearest(words: list[Word], terms: list[Term]) -> Term | None:
    """The term the words from here on are, misheard: the longest that matches, then the nearest (so with
    "Suryadarma" and "Suryadirmi" listed, "Suryadarmo" is the first, 1 edit against 2), then the first listed."""
    best: tuple[int, int, int] | None = None
    chosen = None
    for order, term in enumerate(terms):
        window = words[: len(term.keys)]
        if len(window) < len(term.keys):
            continue
        edits = [_edits_if_misheard(w, k) for w, k in zip(window, term.keys, strict=True)]
        if any(e is None for e in edits):
            continue
        rank = (-len(term.keys), sum(e or 0 for e in edits), order)
        if best is None or rank < best:
            best, chosen = rank, term
    return chosen


def _edits_if_misheard(word: Word, key: str) -> int | None:
    """:func:`distance`, for a word the recogniser may have misheard: one it was sure of is only its own word."""
    edits = distance(plain(word.text), key)
    return None if edits and word.probability >= CONFIDENT else edits


def _respell(text: str, spelling: str) -> str:
    """``text`` with its word written as ``spelling``, keeping its leading space and its punctuation."""
    lead, _, trail = _EDGE.match(text).groups()  # type: ignore[union-attr]
    return f"{lead}{spelling}{trail}"


def plain(text: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


def _edits(a: str, b: str, *, limit: int) -> int | None:
    """The insertions, deletions and substitutions that make ``a`` into ``b``, or ``None`` over ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return None
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        row = [i]
        for j, y in enumerate(b, start=1):
            row.append(min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (x != y)))
        if min(row) > limit:
            return None
        previous = row
    return previous[-1] if previous[-1] <= limit else None
