"""Which language a recording (or a segment) is in, chosen from the model's language probabilities: among
all the languages it knows, or among the candidates a court expects (``--language id,en``).

Measured with the bundled ``base`` on the 63 Indonesian Common Voice clips (bench/indonesian.py): free
detection called 47 of them Indonesian and the rest Tagalog (6), Malay (2), Hindi (2), English (2), Arabic,
Czech, Finnish, Japanese. Among ``id`` and ``en`` only, 57. The first candidate is the hearing's usual
language, so another wins only when the model is at least ``USUAL_ODDS`` times as sure of it: with 9, 60 of
63 (95.2 %), while every one of 184 English clips stayed English (the least sure was 0.997 English among the
two, odds of 369 to 1). The three left are clips the model calls English at 98-99 %; no prior saves them.
Adding Malay to the candidates (``id,ms,en``) cost 3 Indonesian clips to Malay: list only the languages
really spoken.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stt_cli.types import LanguageSource

USUAL_ODDS = 9.0  # another candidate must be this many times as likely as the first-listed one to win
SHOWN = 5  # probabilities recorded when detecting among every language


@dataclass(frozen=True)
class Language:
    """A recording's language and how it was decided.

    Attributes:
        code: Whisper's code (``"id"``).
        source: detected, requested, model (English-only) or none.
        probability: how sure detection was (among the candidates when there are some); ``None`` unless
            detected.
        candidates: the languages detection chose among (empty: all the model knows).
        probabilities: the model's probabilities of the candidates (or of the 5 likeliest languages).
    """

    code: str
    source: LanguageSource
    probability: float | None = None
    candidates: tuple[str, ...] = ()
    probabilities: dict[str, float] = field(default_factory=dict)


def choose(probabilities: dict[str, float], candidates: tuple[str, ...] = ()) -> Language:
    """The language ``probabilities`` point to: the likeliest of all, or the first candidate unless another is
    ``USUAL_ODDS`` times as likely."""
    if not candidates:
        ranked = sorted(probabilities, key=lambda c: -probabilities[c])
        shown = {c: probabilities[c] for c in ranked[:SHOWN]}
        return Language(ranked[0], LanguageSource.detected, probabilities[ranked[0]], (), shown)
    shown = {c: probabilities.get(c, 0.0) for c in candidates}
    total = sum(shown.values()) or 1.0
    usual = candidates[0]
    best = max(candidates, key=lambda c: shown[c])
    chosen = best if shown[best] >= USUAL_ODDS * shown[usual] else usual
    return Language(chosen, LanguageSource.detected, shown[chosen] / total, candidates, shown)
