"""A transcript's speakers against the enrolled voices: one-to-one, above a threshold. Pure logic, no model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from stt_cli.speakers.library import Voice
from stt_cli.types import NamedBy, Speaker, SpeakerTurn

# Cosine similarity a speaker's voiceprint must reach to take an enrolled name. Chosen with bench/speakers.py
# on the shared data (enrolled from one or two clips, identified in conversations built from other clips,
# with people never enrolled among them): see bench/README.md for the false-accept and false-reject rates.
MATCH_THRESHOLD = 0.5


@dataclass(frozen=True)
class Match:
    """How one speaker fared against the library.

    Attributes:
        speaker: the transcript's speaker id.
        name: the enrolled name it takes, or ``None``.
        similarity: its similarity to that voice; unmatched, to the closest voice (``None`` with no voices).
        closest: unmatched, the closest voice's name (for the record: it was not close enough, or taken).
    """

    speaker: str
    name: str | None
    similarity: float | None
    closest: str | None = None


def match_voices(
    found: dict[str, np.ndarray], voices: Sequence[Voice], threshold: float = MATCH_THRESHOLD
) -> dict[str, Match]:
    """Give each found speaker (id -> unit voiceprint) at most one enrolled voice, and each voice at most one
    speaker: the assignment with the largest total similarity, keeping only pairs at or above ``threshold``.

    One-to-one matters: two diarized speakers who both resemble the judge cannot both be the judge, and the one
    less like the judge keeps a number rather than a wrong name.
    """
    from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]

    ids = list(found)
    matches = {i: Match(i, None, None) for i in ids}
    if not ids or not voices:
        return matches
    similarity = np.stack([found[i] for i in ids]) @ np.stack([v.vector for v in voices]).T
    rows, cols = linear_sum_assignment(-similarity)
    paired = {int(r): int(c) for r, c in zip(rows, cols, strict=True) if similarity[r, c] >= threshold}
    for row, speaker in enumerate(ids):
        if row in paired:
            matches[speaker] = Match(
                speaker, voices[paired[row]].name, round(float(similarity[row, paired[row]]), 4)
            )
        else:
            best = int(np.argmax(similarity[row]))
            matches[speaker] = Match(speaker, None, round(float(similarity[row, best]), 4), voices[best].name)
    return matches


def solo_spans(turns: Sequence[SpeakerTurn], speaker: str) -> list[tuple[float, float]]:
    """The stretches where ``speaker`` speaks and nobody else does: their turns minus everyone else's."""
    others = sorted((t.start, t.end) for t in turns if t.speaker != speaker)
    spans = []
    for turn in sorted(turns, key=lambda t: t.start):
        if turn.speaker != speaker:
            continue
        pieces = [(turn.start, turn.end)]
        for a, b in others:
            if b <= turn.start or a >= turn.end:
                continue
            pieces = [p for s, e in pieces for p in ((s, min(e, a)), (max(s, b), e)) if p[1] - p[0] > 1e-6]
        spans.extend(pieces)
    return spans


def name_speakers(
    speakers: Sequence[Speaker], matches: dict[str, Match], given: Sequence[str] = ()
) -> tuple[Speaker, ...]:
    """The speakers named: a matched voice's name; else the next of the ``given`` names, in order of first
    appearance; else ``Speaker n`` (n from the id)."""
    named = []
    names = iter(given)
    for speaker in speakers:
        match = matches.get(speaker.id)
        similarity = match.similarity if match else None
        if match is not None and match.name is not None:
            named.append(replace(speaker, name=match.name, named_by=NamedBy.voice, similarity=similarity))
        elif (name := next(names, None)) is not None:
            named.append(replace(speaker, name=name, named_by=NamedBy.given, similarity=similarity))
        else:
            number = speaker.id.rsplit("_", 1)[-1]
            named.append(replace(speaker, name=f"Speaker {number}", named_by=NamedBy.order, similarity=similarity))
    return tuple(named)
