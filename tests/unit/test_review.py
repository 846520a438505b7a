"""The review list: which spans are worth a listen, and how they are written (no model)."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np

from stt_cli.options import OutputOptions
from stt_cli.provenance import InputInfo
from stt_cli.review.confidence import calibrated
from stt_cli.review.spans import KINDS, review_spans, review_summary
from stt_cli.types import Retry, RetryOutcome, RetryReason, Speaker, SpeakerTurn, Word
from stt_cli.writers.review import ReviewWriter
from tests.support.builders import segment, transcript


def _words(*confidences: float, start: float = 0.0) -> tuple[Word, ...]:
    return tuple(
        Word(start + i * 0.5, start + i * 0.5 + 0.4, f" w{i}", c, confidence=c) for i, c in enumerate(confidences)
    )


def _hearing(**fields):
    first = dataclasses.replace(segment(*_words(0.9, 0.2, 0.3, 0.9, 0.9, 0.9, 0.1)), speaker="SPEAKER_1",
                                speaker_confidence=0.95)  # fmt: skip
    second = dataclasses.replace(segment(*_words(0.9, 0.95, start=10.0), text="Yes\tsir"), speaker="SPEAKER_2",
                                 speaker_confidence=0.55)  # fmt: skip
    return dataclasses.replace(
        transcript((first, second)),
        speakers=(Speaker("SPEAKER_1", "Judge", 4.0), Speaker("SPEAKER_2", "Witness", 1.0)),
        turns=(SpeakerTurn(0.0, 4.0, "SPEAKER_1"), SpeakerTurn(3.0, 11.0, "SPEAKER_2")),
        retries=(
            Retry(5.0, 7.0, RetryReason.coverage, ("no-context",), RetryOutcome.unchanged, 0),
            Retry(20.0, 24.0, RetryReason.coverage, ("no-context",), RetryOutcome.recovered, 6),
            Retry(30.0, 34.0, RetryReason.loop, ("no-context", "penalised"), RetryOutcome.collapsed, 9),
            Retry(40.0, 41.0, RetryReason.loop, ("no-context",), RetryOutcome.recovered, 3),
        ),
        **fields,
    )


def test_every_kind_of_doubt_becomes_a_span_in_time_order():
    spans = review_spans(_hearing())
    kinds = [(s.kind, s.start) for s in spans]
    assert ("low_confidence", 0.5) in kinds and ("low_confidence", 3.0) in kinds  # 0.2+0.3 joined; 0.1 alone
    low = [s for s in spans if s.kind == "low_confidence"]
    assert low[0].text == "w1 w2" and low[0].detail == "confidence 0.20"
    assert ("inaudible", 5.0) in kinds and ("coverage_retry", 20.0) in kinds
    assert ("loop_collapsed", 30.0) in kinds and ("loop_recovered", 40.0) in kinds
    assert ("speaker_uncertain", 10.0) in kinds and ("overlap", 3.0) in kinds
    assert [s.start for s in spans] == sorted(s.start for s in spans)
    assert not any(s.kind in ("quiet_audio", "clipped") for s in spans)


def test_a_quiet_or_clipped_recording_is_one_span_over_the_whole_file():
    hearing = _hearing()
    quiet = dataclasses.replace(hearing.input, level_dbfs=-58.0, clipped_share=0.004)
    spans = review_spans(dataclasses.replace(hearing, input=quiet))
    whole = [(s.kind, s.start, s.end) for s in spans if s.kind in ("quiet_audio", "clipped")]
    assert whole == [("quiet_audio", 0.0, hearing.duration), ("clipped", 0.0, hearing.duration)]
    assert isinstance(hearing.input, InputInfo)


def test_the_tsv_has_one_row_per_span_and_no_stray_tab_and_the_summary_counts_them():
    hearing = _hearing()
    rows = ReviewWriter(OutputOptions()).render(hearing).splitlines()
    assert rows[0] == "start\tend\tkind\ttext\tdetail"
    assert len(rows) == 1 + len(review_spans(hearing)) and all(r.count("\t") == 4 for r in rows)
    assert any(r.startswith("10.000\t10.900\tspeaker_uncertain\tYes sir\t") for r in rows)
    summary = review_summary(hearing)
    assert set(summary["counts"]) == set(KINDS) and summary["counts"]["low_confidence"] == 2
    assert summary["confidence"] == round(float(np.mean([0.9, 0.2, 0.3, 0.9, 0.9, 0.9, 0.1, 0.9, 0.95])), 3)


def test_calibrated_confidence_is_a_probability_that_never_goes_down():
    grid = np.linspace(0, 1, 101)
    values = [calibrated(p) for p in grid]
    assert all(0.0 <= v <= 1.0 for v in values)
    assert all(b >= a - 1e-12 for a, b in itertools.pairwise(values))
