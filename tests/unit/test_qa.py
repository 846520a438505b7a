"""The question-and-answer record (``writers/qa.py``) and its procedure, on hand-made turns."""

from __future__ import annotations

import dataclasses

from stt_cli.case import CaseInfo, Participant
from stt_cli.types import Speaker
from stt_cli.writers.qa import record_of
from tests.support.builders import spoken, transcript

ROSTER = (Participant("hakim_ketua", "Siti"), Participant("saksi", "Budi", order=1))


def hearing(*lines: tuple[str, str]):
    segments = [
        dataclasses.replace(spoken(i * 20.0, text, id=i), speaker=who) for i, (who, text) in enumerate(lines)
    ]
    segments = [dataclasses.replace(s, words=tuple(dataclasses.replace(w, speaker=s.speaker) for w in s.words))
                for s in segments]  # fmt: skip
    speakers = (
        Speaker("SPEAKER_1", "Hakim Ketua", 9.0, role="hakim_ketua"),
        Speaker("SPEAKER_2", "Saksi 1 (Budi)", 9.0, role="saksi"),
        Speaker("SPEAKER_3", "Speaker 3", 4.0),
    )
    return transcript(tuple(segments), speakers=speakers, case=CaseInfo(roster=ROSTER))


def test_questions_answers_and_the_procedure_where_the_transcript_says_it():
    t = hearing(("SPEAKER_1", "Sidang dibuka dan dinyatakan terbuka untuk umum"),
                ("SPEAKER_1", "Saksi silakan bersumpah menurut agama"), ("SPEAKER_2", "Saya bersumpah"),
                ("SPEAKER_1", "Di mana saudara malam itu"), ("SPEAKER_2", "Di rumah"),
                ("SPEAKER_3", "Keberatan"), ("SPEAKER_1", "Sidang ditunda sampai minggu depan"))  # fmt: skip
    record = record_of(t, 10.0)
    kinds = [(e.kind, e.who) for e in record.entries]
    assert kinds == [("statement", "Hakim Ketua"), ("statement", "Hakim Ketua"), ("examined", "Saksi 1 (Budi)"),
                     ("answer", "Saksi 1 (Budi)"), ("question", "Hakim Ketua"), ("answer", "Saksi 1 (Budi)"),
                     ("unknown", "Speaker 3"), ("question", "Hakim Ketua")]  # fmt: skip
    assert record.entries[4].to == "Saksi 1 (Budi)"
    assert (
        record.opened == 0.0
        and record.adjourned == (120.0, "ditunda")
        and record.sworn == {"Saksi 1 (Budi)": 40.0}
    )


def test_nothing_is_made_up_when_the_transcript_does_not_say_it():
    record = record_of(hearing(("SPEAKER_1", "Baik"), ("SPEAKER_2", "Ya")), 10.0)
    assert record.opened is None and record.adjourned is None and record.sworn == {}
