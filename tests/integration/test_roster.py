"""The case roster (``--roster``) on a real three-person hearing (Indonesian Common Voice voices, the bundled
diarization and CAM++ voices): the roster's count finds the three, voices are matched only against the people
on it, unnamed speakers get a suggestion that is not applied, and a phantom is flagged."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from stt_cli.review.spans import PHANTOM_SECONDS
from stt_cli.writers.reading import read_transcript
from tests.support.cli import stt
from tests.support.hearings import DATA, VOICES, build, clips, who_said

ROSTER = """
[[participant]]
role = "hakim_ketua"
name = "Dr. Siti Rahma, S.H., M.H."
{judge_voice}
[[participant]]
role = "panitera_pengganti"
name = "Rina Marlina, S.H."
speaks = false

[[participant]]
role = "penuntut_umum"
name = "Agus Wibowo, S.H."

[[participant]]
role = "saksi"
name = "Budi Santoso"
order = 1
"""


ORDER = ["judge", "prosecutor", "judge", "witness", "prosecutor", "witness", "judge", "witness", "prosecutor",
         "witness", "judge", "witness"]  # fmt: skip


@pytest.fixture(scope="module")
def hearing(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roster")
    judge, witness, prosecutor = (clips(v) for v in VOICES[:3])
    taken = {"judge": iter(judge), "witness": iter(witness), "prosecutor": iter(prosecutor)}
    turns = [(who, next(taken[who])) for who in ORDER]
    said = build(folder / "sidang.wav", turns)
    return folder, said, (judge, witness, prosecutor)


def test_the_roster_finds_its_speakers_and_suggests_without_applying(hearing, tmp_path):
    folder, said, _ = hearing
    (tmp_path / "roster.toml").write_text(ROSTER.format(judge_voice=""), encoding="utf-8")
    plain = stt(
        "transcribe", folder / "sidang.wav", "--diarize", "-l", "id", "-f", "json", "-o", tmp_path / "plain", "-q"
    )
    assert plain.exit_code == 0, plain.output
    # Left alone it finds the three as well (it found fewer before issue 27's clustering; bench/clustering.py).
    assert len(read_transcript(tmp_path / "plain" / "sidang.json").speakers) == 3
    result = stt("transcribe", folder / "sidang.wav", "--diarize", "-l", "id", "-f", "json,review", "-o", tmp_path,
                 "--roster", tmp_path / "roster.toml", "-q")  # fmt: skip
    assert result.exit_code == 0, result.output
    t = read_transcript(tmp_path / "sidang.json")
    assert len(t.speakers) == 3 and t.case.roster[0].label == "Hakim Ketua"
    assert all(s.name.startswith("Speaker ") for s in t.speakers)  # no voices: nobody is named by a guess
    suggestions = [s.suggestion for s in t.speakers]
    assert suggestions == ["Hakim Ketua", "Penuntut Umum", "Saksi 1 (Budi Santoso)"]
    # Who spoke each line, against the speaker it was given (each speaker taken for the person it holds most):
    # nine in ten right, and every line given to the wrong person in the review list (speaker_uncertain). On
    # this recording the judge's opening words went to the prosecutor, so the order of appearance, and with it
    # the suggestions, is the prosecutor's first: why a suggestion is never applied.
    heard = [(who_said(said, s.start, s.end), s) for s in t.segments]
    holds = {sp.id: Counter(w for w, s in heard if s.speaker == sp.id).most_common(1)[0][0] for sp in t.speakers}
    wrong = [s for w, s in heard if holds[s.speaker] != w]
    assert len(wrong) <= 0.1 * len(heard), wrong
    listed = (tmp_path / "sidang.review.tsv").read_text(encoding="utf-8")
    uncertain = [line.split("\t")[:2] for line in listed.splitlines() if "\tspeaker_uncertain\t" in line]
    assert all([f"{s.start:.3f}", f"{s.end:.3f}"] in uncertain for s in wrong), (wrong, uncertain)
    assert listed.count("\tspeaker_suggestion\t") == 3 and "may be Saksi 1 (Budi Santoso) (not applied)" in listed


def test_voices_are_matched_only_against_the_roster(hearing, tmp_path):
    folder, _, (judge, _, prosecutor) = hearing
    library = tmp_path / "voices"
    # Enrolled from clips the hearing does not hold: the judge (17 s of speech; from 5 s the judge stayed under
    # the 0.5 threshold, 0.45, beside a prosecutor of a close voice), and the prosecutor, who is not on the
    # roster under that voice.
    for name, enrolled in (("siti", judge[4:10]), ("eko", prosecutor[3:8])):
        result = stt(
            "speakers", "enroll", name, *(DATA / c["file"] for c in enrolled), "--speaker-library", library
        )
        assert result.exit_code == 0, result.output
    (tmp_path / "roster.toml").write_text(ROSTER.format(judge_voice='voice = "siti"\n'), encoding="utf-8")
    result = stt("transcribe", folder / "sidang.wav", "--diarize", "-l", "id", "-f", "json,txt", "-o", tmp_path,
                 "--roster", tmp_path / "roster.toml", "--speaker-library", library, "-q")  # fmt: skip
    assert result.exit_code == 0, result.output
    t = read_transcript(tmp_path / "sidang.json")
    names = {s.id: s.name for s in t.speakers}
    assert names[t.speakers[0].id] == "Hakim Ketua" and t.speakers[0].role == "hakim_ketua"
    assert "eko" not in names.values() and all(n.startswith("Speaker ") for n in list(names.values())[1:])
    assert [s.suggestion for s in t.speakers[1:]] == ["Penuntut Umum", "Saksi 1 (Budi Santoso)"]
    assert (tmp_path / "sidang.txt").read_text(encoding="utf-8").startswith("Hakim Ketua: ")
    data = json.loads((tmp_path / "sidang.json").read_text(encoding="utf-8"))
    assert data["speakers"][0]["named_by"] == "roster" and data["case"]["roster"][3]["order"] == 1


def test_a_speaker_that_is_nobody_is_never_named_and_a_phantom_is_flagged(hearing, tmp_path):
    _, _, (judge, witness, prosecutor) = hearing
    # Someone in the public gallery says one word ("delapan", under a second of speech) mid-hearing, and the
    # command line asks for four speakers where three speak at length. Under ``min_cluster_seconds`` of speech a
    # voice is not clustered but given to the nearest speaker (merged); the fourth speaker asked for is then a
    # part of someone's voice (here one of the prosecutor's lines). A speaker that is nobody's is never named by
    # the roster, and under PHANTOM_SECONDS it is flagged. (Its lines' speaker_confidence does not flag it: a
    # cluster of one line is nearest its own centroid. Flagging a speaker whose voice is another's is left to
    # do; issue 27's note.)
    gallery = next(c for c in clips("ab461a8efcbe") if c["reference_text"] == "delapan")
    taken = {"judge": iter(judge), "witness": iter(witness), "prosecutor": iter(prosecutor)}
    turns = [(who, next(taken[who])) for who in ORDER]
    said = build(tmp_path / "sidang.wav", [*turns[:5], ("gallery", gallery), *turns[5:]])
    (tmp_path / "roster.toml").write_text(ROSTER.format(judge_voice=""), encoding="utf-8")
    result = stt("transcribe", tmp_path / "sidang.wav", "--diarize", "-l", "id", "-f", "json,review",
                 "--num-speakers", "4", "--roster", tmp_path / "roster.toml", "-q")  # fmt: skip
    assert result.exit_code == 0, result.output
    t = read_transcript(tmp_path / "sidang.json")
    assert len(t.speakers) == 4  # honoured exactly
    listed = (tmp_path / "sidang.review.tsv").read_text(encoding="utf-8")
    phantoms = {s.id for s in t.speakers if s.speaking_time < PHANTOM_SECONDS}
    assert listed.count("\tspeaker_phantom\t") == len(phantoms)
    # Each person is the speaker holding most of their speech; a speaker who is nobody's is not a person.
    heard = [(who_said(said, s.start, s.end), s) for s in t.segments]
    seconds: Counter[tuple[str | None, str | None]] = Counter()
    for who, s in heard:
        seconds[(who, s.speaker)] += s.end - s.start
    people = {who: max((sp.id for sp in t.speakers), key=lambda k: seconds[(who, k)]) for who in ORDER}
    nobody = {sp.id for sp in t.speakers} - set(people.values())
    assert nobody, "four speakers for three people: one of them is nobody's"
    for sp in t.speakers:
        if sp.id in nobody:
            assert sp.name.startswith("Speaker ") and sp.named_by.value == "order", sp
        if sp.id in phantoms:
            assert sp.suggestion is None, sp
    assert listed.count("\tspeaker_suggestion\t") == 3  # the roster's three who speak


def test_a_bad_roster_is_one_usage_line(tmp_path):
    (tmp_path / "roster.toml").write_text('[[participant]]\nrole = "saksi"\n', encoding="utf-8")
    (tmp_path / "a.wav").write_bytes(b"")
    result = stt("transcribe", tmp_path / "a.wav", "--diarize", "--roster", tmp_path / "roster.toml")
    assert result.exit_code == 2 and "roster" in result.stderr and "a name is needed" in result.stderr
    assert "Traceback" not in result.output
