"""Speakers named from the case roster (``--roster``): the voices matched against the people on it only, each
named by role and name ("Hakim Ketua", "Saksi 2 (Budi Santoso)"); a speaker matched to nobody on it keeps its
number, with a suggestion of who it may be (for the reviewer, never applied); one with too little speech to be
a person (a phantom cluster) is neither named nor suggested, and the review list flags it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from stt_cli.case import Participant
from stt_cli.errors import UsageError
from stt_cli.review.spans import PHANTOM_SECONDS
from stt_cli.speakers.match import Match, match_voices, name_speakers, solo_spans
from stt_cli.types import Attribution, NamedBy, Speaker

if TYPE_CHECKING:
    from stt_cli.media.decode import Signal
    from stt_cli.options import DiarizationOptions
    from stt_cli.speakers.library import Voice, VoiceLibrary
    from stt_cli.speakers.voices import VoiceEncoder

# Who an unnamed speaker is suggested to be, in this order: the presiding judge opens the hearing, then the
# parties' lawyers and the bench's members; the accused, then witnesses and experts in the order called.
_SUGGESTED = ("hakim_ketua", "penuntut_umum", "penasihat_hukum", "hakim_anggota", "terdakwa", "saksi", "ahli")


def speaking(roster: Sequence[Participant]) -> int:
    """How many people on the roster speak: the number of speakers the diarization looks for.

    The number, not only a bound: on a hearing built from three Indonesian Common Voice speakers, the bundled
    diarization left alone found one speaker, and bounded by at most three found one still; told three, it
    found three and gave every segment to the right one (14 of 14). Who will not speak is ``speaks = false``.
    """
    return max(1, sum(p.speaks for p in roster))


def check_voices(roster: Sequence[Participant], library: VoiceLibrary | None) -> None:
    """Every voice the roster names is in the voice library given.

    Raises:
        UsageError: a roster voice is not in the library.
    """
    if library is None:
        return
    for person in roster:
        if person.voice and library.find(person.voice) is None:
            raise UsageError(f"roster: {person.label}'s voice {person.voice!r} is not in the voice library "
                             "(stt speakers list)")  # fmt: skip


def identify(
    signal: Signal,
    labelled: Attribution,
    voices: tuple[VoiceEncoder, VoiceLibrary] | None,
    options: DiarizationOptions,
) -> Attribution:
    """Name the speakers who match an enrolled voice (one-to-one; with a roster, only the voices of people on
    it); the rest keep their numbers, or the ``speaker_names`` given, or with a roster a suggestion."""
    matches: dict[str, Match] = {}
    if voices is not None:
        encoder, library = voices
        allowed = {p.voice for p in options.roster if p.voice}
        enrolled: list[Voice] = [v for v in library.voices if not options.roster or v.name in allowed]
        spans = {speaker.id: solo_spans(labelled.turns, speaker.id) for speaker in labelled.speakers}
        found = {who: v.vector for who, v in encoder.embed_each(signal, spans).items() if v is not None}
        matches = match_voices(found, enrolled)
    if options.roster:
        return replace(labelled, speakers=by_roster(labelled.speakers, matches, options.roster))
    return replace(labelled, speakers=name_speakers(labelled.speakers, matches, options.speaker_names))


def by_roster(
    speakers: Sequence[Speaker], matches: dict[str, Match], roster: Sequence[Participant]
) -> tuple[Speaker, ...]:
    """The speakers named from the roster: a matched voice's participant; the others numbered, each with the
    next participant not yet heard as a suggestion (a phantom gets none)."""
    by_voice = {p.voice: p for p in roster if p.voice}
    heard = set()
    named: list[Speaker] = []
    for speaker in speakers:
        match = matches.get(speaker.id)
        person = by_voice.get(match.name) if match is not None and match.name is not None else None
        similarity = match.similarity if match else None
        if person is not None and speaker.speaking_time >= PHANTOM_SECONDS:
            heard.add(person)
            named.append(replace(speaker, name=person.label, named_by=NamedBy.roster, similarity=similarity,
                                 role=person.role))  # fmt: skip
        else:
            number = speaker.id.rsplit("_", 1)[-1]
            named.append(replace(speaker, name=f"Speaker {number}", named_by=NamedBy.order, similarity=similarity))
    waiting = sorted((p for p in roster if p.speaks and p not in heard), key=_suggested_order)
    out = []
    for speaker in named:
        if speaker.named_by is NamedBy.order and speaker.speaking_time >= PHANTOM_SECONDS and waiting:
            speaker = replace(speaker, suggestion=waiting.pop(0).label)
        out.append(speaker)
    return tuple(out)


def _suggested_order(person: Participant) -> tuple[int, int]:
    rank = _SUGGESTED.index(person.role) if person.role in _SUGGESTED else len(_SUGGESTED)
    return rank, person.order or 0
