"""Who speaks from the channels' levels: bleed ignored, overlap kept, skipped channels left out (no model)."""

from __future__ import annotations

import numpy as np
import pytest

from stt_cli.cli.parse import parse_channel_names
from stt_cli.diarization.channels import FRAME, ChannelActivity, ChannelLevels
from stt_cli.types import Segment, Word

SECOND = int(1 / FRAME)  # frames


def _power(levels_db: list[list[tuple[float, float, float]]], seconds: float = 12.0) -> np.ndarray:
    """Per channel, (start s, end s, dBFS) stretches over a -70 dBFS floor, as mean power per frame."""
    frames = int(seconds * SECOND)
    power = np.full((len(levels_db), frames), 10 ** (-70 / 10))
    for channel, stretches in enumerate(levels_db):
        for start, end, db in stretches:
            power[channel, int(start * SECOND) : int(end * SECOND)] += 10 ** (db / 10)
    return power


def _spans(activity: ChannelActivity) -> dict[str, list[tuple[float, float]]]:
    found: dict[str, list[tuple[float, float]]] = {}
    for turn in activity.turns():
        found.setdefault(turn.speaker, []).append((round(turn.start, 1), round(turn.end, 1)))
    return found


def _near(found: dict, expected: dict, slack: float = 0.15) -> bool:
    """Turn edges within ``slack`` seconds: levels are smoothed over 0.25 s to tell a voice from its bleed."""
    if found.keys() != expected.keys():
        return False
    return all(
        len(found[k]) == len(expected[k])
        and all(
            abs(a - c) <= slack and abs(b - d) <= slack
            for (a, b), (c, d) in zip(found[k], expected[k], strict=True)
        )
        for k in expected
    )


def test_bleed_at_minus_15_db_is_not_a_speaker():
    # the judge speaks 1-4 s at -20 dBFS; the witness's microphone hears them at -35
    power = _power([[(1, 4, -20)], [(1, 4, -35)]])
    assert _near(_spans(ChannelActivity.from_power(power, ["Judge", "Witness"])), {"CHANNEL_1": [(1.0, 4.0)]})


def test_two_voices_at_once_are_both_kept_and_words_go_to_the_louder():
    # judge 1-6 s, witness interrupts 4-9 s, 4 dB quieter; each bleeds into the other at -15 dB
    power = _power([[(1, 6, -20), (4, 9, -39)], [(4, 9, -24), (1, 6, -35)]])
    activity = ChannelActivity.from_power(power, ["Judge", "Witness"])
    assert _near(_spans(activity), {"CHANNEL_1": [(1.0, 6.0)], "CHANNEL_2": [(4.0, 9.0)]})
    exclusive = {t.speaker: [(t.start, t.end)] for t in activity.exclusive()}
    assert _near(exclusive, {"CHANNEL_1": [(1.0, 6.0)], "CHANNEL_2": [(6.0, 9.0)]})


def test_short_pauses_stay_inside_a_turn_and_short_bursts_are_dropped():
    power = _power([[(1, 3, -20), (3.2, 5, -20), (8, 8.1, -20)], []])
    assert _near(_spans(ChannelActivity.from_power(power, ["Judge", "Witness"])), {"CHANNEL_1": [(1.0, 5.0)]})


def test_a_skipped_channel_never_speaks_nor_silences_the_others():
    # channel 3 carries a loud hum all along (a timecode track)
    power = _power([[(1, 4, -20)], [(5, 8, -22)], [(0, 12, -6)]])
    activity = ChannelActivity.from_power(power, ["Judge", "Witness", "-"])
    assert _near(_spans(activity), {"CHANNEL_1": [(1.0, 4.0)], "CHANNEL_2": [(5.0, 8.0)]})
    assert activity.names_by_label() == {"CHANNEL_1": "Judge", "CHANNEL_2": "Witness"}


def test_segment_confidence_is_a_clear_call_against_bleed_and_a_tie_in_overlap():
    power = _power([[(1, 4, -20), (6, 9, -20)], [(1, 4, -35), (6, 9, -20)]])
    activity = ChannelActivity.from_power(power, ["Judge", "Witness"])
    alone = Segment(0, 1.5, 3.5, "x", words=(Word(1.5, 3.5, " x", 0.9),), speaker="CHANNEL_1")
    together = Segment(1, 6.5, 8.5, "y", speaker="CHANNEL_1")
    assert activity.segment_confidence(alone) == pytest.approx(0.97, abs=0.01)
    assert activity.segment_confidence(together) == pytest.approx(0.5, abs=0.01)


def test_levels_are_the_same_whatever_the_blocks():
    rng = np.random.default_rng(1)
    signal = rng.standard_normal((2, 16_000 * 3)).astype(np.float32) * [[0.1], [0.01]]
    whole, pieces = ChannelLevels(), ChannelLevels()
    whole.update(signal)
    for first in range(0, signal.shape[1], 777):
        pieces.update(signal[:, first : first + 777])
    assert np.allclose(whole.power(), pieces.power())
    assert whole.power().shape == (2, 60)


@pytest.mark.parametrize("text", ["Judge,,Witness", "-,-", " , "])
def test_channel_names_must_each_be_given(text):
    with pytest.raises(ValueError):
        parse_channel_names(text)
    assert parse_channel_names("Judge, Witness ,-") == ("Judge", "Witness", "-")
