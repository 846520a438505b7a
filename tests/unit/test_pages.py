"""The filed document's layout, without a model or a word processor: numbered lines, fixed pages, timecodes and
the markers a reader needs."""

from __future__ import annotations

import dataclasses

from stt_cli.case import CaseInfo
from stt_cli.types import Retry, RetryOutcome, RetryReason, Speaker, SpeakerTurn
from stt_cli.writers.pages import lay_out
from tests.support.builders import spoken, transcript


def _hearing(language: str = "en", **fields):
    judge = "Please state your full name and your address for the record " * 60  # a long turn: 3 pages
    segments = (
        dataclasses.replace(spoken(1.0, judge.strip(), step=0.05), speaker="SPEAKER_1"),
        dataclasses.replace(spoken(95.0, "Siti Aminah, Jalan Merdeka ten."), speaker="SPEAKER_2"),
        dataclasses.replace(spoken(220.0, "Thank you."), speaker="SPEAKER_1"),
    )
    return dataclasses.replace(
        transcript(segments),
        language=language,
        speakers=(Speaker("SPEAKER_1", "Judge", 60.0), Speaker("SPEAKER_2", "Witness", 3.0)),
        turns=(SpeakerTurn(1.0, 61.0, "SPEAKER_1"), SpeakerTurn(60.0, 98.0, "SPEAKER_2")),
        retries=(Retry(150.0, 158.0, RetryReason.coverage, ("no-context",), RetryOutcome.unchanged, 0),),
        **fields,
    )


def test_every_page_has_the_set_number_of_lines_and_a_long_turn_runs_on():
    pages = lay_out(_hearing(), width=56, lines_per_page=25, mark_pauses=10.0)
    assert len(pages) >= 3 and [p.number for p in pages] == list(range(1, len(pages) + 1))
    assert all(len(p.lines) == 25 for p in pages[:-1]) and 0 < len(pages[-1].lines) <= 25
    assert all(len(line.text) <= 56 for p in pages for line in p.lines)
    judge_lines = [line for p in pages for line in p.lines if "full name" in line.text or "Judge" in line.text]
    first, second = pages[0].lines, pages[1].lines
    assert any(line.text.startswith("[00:00:01] JUDGE: Please state") for line in first)
    assert "full name" in second[0].text or "address" in second[0].text  # the turn carries on over the page
    assert len(judge_lines) > 25


def test_markers_say_pauses_unheard_speech_and_crosstalk_in_the_transcripts_language():
    english = [
        line.text for p in lay_out(_hearing(), width=56, lines_per_page=25, mark_pauses=10.0) for line in p.lines
    ]
    assert "[Pause 2 min 3 s]" in english  # 96.9 s to 220 s
    assert "[inaudible 00:02:30–00:02:38]" in english
    assert "[crosstalk 00:01:00: Judge, Witness]" in english
    assert any(t.startswith("[00:01:35] WITNESS: Siti Aminah") for t in english)
    bahasa = [
        line.text
        for p in lay_out(_hearing("id"), width=56, lines_per_page=25, mark_pauses=10.0)
        for line in p.lines
    ]
    assert bahasa[0].strip() == "TRANSKRIP PERSIDANGAN"
    assert "[Jeda 2 menit 3 detik]" in bahasa and "[tidak terdengar jelas 00:02:30–00:02:38]" in bahasa
    assert "[bicara bersamaan 00:01:00: Judge, Witness]" in bahasa
    assert not any("Pause" in t for t in lay_out_texts(_hearing(), mark_pauses=0.0))


def lay_out_texts(hearing, mark_pauses: float) -> list[str]:
    return [
        line.text
        for p in lay_out(hearing, width=56, lines_per_page=25, mark_pauses=mark_pauses)
        for line in p.lines
    ]


def test_timecodes_read_on_the_wall_clock_when_the_start_is_known():
    case = CaseInfo((("case_number", "12/Pid/2026"), ("room", "3")), "2026-11-03T09:12:00", "given")
    texts = lay_out_texts(_hearing(case=case), mark_pauses=10.0)
    assert any(t.startswith("[09:13:35] WITNESS:") for t in texts)
    assert "Duration: 1 h 2 min 10 s" in texts
    assert "Case number: 12/Pid/2026" in texts and "Room: 3" in texts and "Started: 2026-11-03 09:12:00" in texts
