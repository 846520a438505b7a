"""A hearing as the berita acara sidang records it: in question-and-answer form (*sistem tanya jawab*).

The turns of the transcript in order, each one what the record makes of it, from the speaker's roster role
(``--roster``, or a speaker cast in ``stt edit``): a turn of someone examined (a witness, an expert, the
accused) is an answer, and the first of theirs opens their examination; a turn of anyone else while someone is
being examined is a question to them; before anyone is examined it is a statement. A turn of a speaker the
roster does not name is kept as it was said, marked for the clerk: the record never guesses who spoke. The
procedural moments the record must state (the hearing opened and declared open to the public, a witness's oath
or affirmation, the adjournment or closing) are found where the transcript says them, else left for the clerk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stt_cli.case import ANSWERING
from stt_cli.types import Transcript
from stt_cli.writers.turns import speaker_turns

_OPENED = re.compile(r"\bdibuka\b.{0,60}\bterbuka untuk umum\b", re.I | re.S)
_OATH = re.compile(r"\b(bersumpah|sumpah|berjanji|janji)\b", re.I)
_ADJOURNED = re.compile(r"\b(sidang|persidangan)\b.{0,80}\b(ditunda|ditutup)\b", re.I | re.S)


@dataclass(frozen=True)
class Entry:
    """One entry of the record.

    Attributes:
        kind: ``examined`` (an examination begins: ``who`` is the one examined), ``question``, ``answer``,
            ``statement``, or ``unknown`` (a speaker nobody named).
        who: who spoke, as the roster names them ("Hakim Ketua", "Saksi 1 (Budi Santoso)").
        to: for a question, who it was put to.
        text: what was said.
        start: seconds from the start of the recording.
        end: seconds.
    """

    kind: str
    who: str
    text: str
    start: float
    end: float
    to: str = ""


@dataclass(frozen=True)
class Record:
    """The entries, and what the transcript shows of the procedure (each a time, or ``None``: for the clerk)."""

    entries: tuple[Entry, ...]
    opened: float | None
    adjourned: tuple[float, str] | None  # when, and "ditunda" or "ditutup"
    sworn: dict[str, float]  # an examined person's label -> when the oath or affirmation is heard


def record_of(transcript: Transcript, gap: float) -> Record:
    """The transcript in question-and-answer form."""
    roles = {s.id: s.role for s in transcript.speakers}
    entries: list[Entry] = []
    examined: str | None = None
    sworn: dict[str, float] = {}
    for turn in speaker_turns(transcript.segments, gap):
        who = transcript.speaker_name(turn.speaker) or ""
        role = roles.get(turn.speaker or "")
        if role is None:
            entries.append(Entry("unknown", who, turn.text, turn.start, turn.end))
        elif role in ANSWERING:
            if who != examined:
                examined = who
                entries.append(Entry("examined", who, "", turn.start, turn.start))
            entries.append(Entry("answer", who, turn.text, turn.start, turn.end))
        elif examined is not None:
            entries.append(Entry("question", who, turn.text, turn.start, turn.end, to=examined))
        else:
            entries.append(Entry("statement", who, turn.text, turn.start, turn.end))
        if examined is not None and examined not in sworn and _OATH.search(turn.text):
            sworn[examined] = turn.start
    said = [e for e in entries if e.text]
    opened = next((e.start for e in said if _OPENED.search(e.text)), None)
    adjourned = next(((e.start, m.group(2).lower()) for e in reversed(said) if (m := _ADJOURNED.search(e.text))),
                     None)  # fmt: skip
    return Record(tuple(entries), opened, adjourned, sworn)
