"""``stt cite`` on a real recording: page:line ranges of its DOCX back to the audio. For 20 ranges drawn at
random, the stretch written with ``--audio`` is the recording's own audio of the cited words, sample for sample,
and transcribed again by the same model it holds the cited words."""

from __future__ import annotations

import random
import re

import av
import numpy as np
import pytest

from stt_cli.fileio import sha256_file
from stt_cli.options import AsrOptions
from stt_cli.pipeline import Transcriber
from stt_cli.types import WORD_EDGE
from stt_cli.writers.docx import Geometry
from stt_cli.writers.pages import lay_out
from stt_cli.writers.reading import read_transcript
from tests.support.cli import stt
from tests.support.hearings import VOICES, build, clips
from tests.support.scoring import normalise_indonesian


@pytest.fixture(scope="module")
def hearing(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cite")
    voices = [iter(clips(v)) for v in VOICES[:3]]
    build(folder / "sidang.wav", [(str(i % 3), next(voices[i % 3])) for i in range(15)])
    result = stt("transcribe", folder / "sidang.wav", "--diarize", "-l", "id", "-f", "json,docx", "-q")
    assert result.exit_code == 0, result.output
    return folder / "sidang.json"


def test_twenty_random_ranges_hold_the_cited_words_in_the_audio_written(hearing, tmp_path):
    t = read_transcript(hearing)
    geometry = Geometry.of(25)
    pages = lay_out(t, width=geometry.width, lines_per_page=25, mark_pauses=10.0)
    spoken = [(p.number, n) for p in pages for n, line in enumerate(p.lines, start=1) if line.start is not None]
    assert len(spoken) >= 20
    again = Transcriber.load(AsrOptions(language="id"))
    recording = _samples(hearing.with_name("sidang.wav"))
    everything = [(p.number, n) for p in pages for n, _ in enumerate(p.lines, start=1)]
    index = everything.index
    rng = random.Random(26)
    found_all = said_all = 0
    for case in range(20):
        first = rng.randrange(len(spoken) - 3)
        first_line, last_line = spoken[first], spoken[first + rng.randrange(3)]
        cited = f"{first_line[0]}:{first_line[1]}-{last_line[0]}:{last_line[1]}"
        clip = tmp_path / f"cite{case}.flac"
        result = stt("cite", hearing, cited, "--audio", clip)
        assert result.exit_code == 0, result.output
        printed = [line.split("\t") for line in result.stdout.splitlines() if not line.startswith("audio: ")]
        assert printed[0][0] == f"{first_line[0]}:{first_line[1]}"
        assert f"sha256 {sha256_file(clip)}" in result.stdout and t.input.sha256 in result.stdout
        # The audio is the recording's own, sample for sample, from WORD_EDGE before the first cited word to
        # WORD_EDGE after the last (the words whole: their times fall inside their sound).
        lines = [line for page in pages for line in page.lines][index(first_line) : index(last_line) + 1]
        timed = [line for line in lines if line.start is not None and line.end is not None]
        start = max(0.0, min(line.start for line in timed) - WORD_EDGE)
        end = min(t.duration, max(line.end for line in timed) + WORD_EDGE)
        excerpt = _samples(clip)
        assert abs(len(excerpt) - round((end - start) * 16_000)) <= 2
        assert any(np.array_equal(excerpt, recording[at : at + len(excerpt)])
                   for at in range(round(start * 16_000) - 2, round(start * 16_000) + 3)), cited  # fmt: skip
        # Transcribed again on its own (a second or two of speech, no context: the bundled model is far less
        # sure of it than of the hearing), it holds the cited words: counted over all twenty ranges.
        words = normalise_indonesian(" ".join(re.sub(r"^\[\d\d:\d\d:\d\d\] [^:]+: ", "", p[3]) for p in printed))
        heard = set(normalise_indonesian(again.transcribe(clip).text).split())
        found_all += sum(w in heard for w in words.split())
        said_all += len(words.split())
    assert found_all >= 0.8 * said_all, (found_all, said_all)


def _samples(path):
    with av.open(str(path)) as container:
        return np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(audio=0)])


def test_a_citation_is_checked_against_the_docx_and_the_range(hearing):
    assert stt("cite", hearing, "1:4-1:2").exit_code == 2
    assert "PAGE:LINE" in stt("cite", hearing, "twelve").stderr
    assert "is not in the document" in stt("cite", hearing, "99:1").stderr
    other = stt("cite", hearing, "2:1", "--lines-per-page", "12")  # not how the DOCX was laid out
    assert other.exit_code == 2 and "other layout options" in other.stderr
