"""The case roster read and checked, its labels, and the naming rule (no model)."""

from __future__ import annotations

import pytest

from stt_cli.case import Participant, read_roster
from stt_cli.errors import UsageError
from stt_cli.speakers.match import Match
from stt_cli.speakers.roster import by_roster, speaking
from stt_cli.types import NamedBy, Speaker


def test_labels_by_role_and_order():
    assert Participant("hakim_ketua", "Siti").label == "Hakim Ketua"
    assert Participant("hakim_anggota", "Ahmad", order=2).label == "Hakim Anggota 2"
    assert Participant("saksi", "Budi Santoso", order=2).label == "Saksi 2 (Budi Santoso)"
    assert Participant("terdakwa", "Andi").label == "Terdakwa (Andi)"
    assert Participant("juru_bahasa_isyarat", "Dewi").label == "Juru Bahasa Isyarat"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "lists no [[participant]]"),
        ('[[participant]]\nrole = "saksi"\n', "a name is needed"),
        ('[[participant]]\nrole = "saksi ke dua"\nname = "B"\n', "is not a role"),
        ('[[participant]]\nrole = "saksi"\nname = "B"\norder = 0\n', "is not 1, 2, 3"),
        ('[[participant]]\nrole = "saksi"\nname = "B"\nsex = "m"\n', "'sex' is not a field"),
        ('[[participant]]\nrole = "saksi"\nname = "B"\norder = 1\n[[participant]]\nrole = "saksi"\nname = "C"\n'
         'order = 1\n', "share an order"),
        ("[[participant]\n", "Expected"),
    ],
)  # fmt: skip
def test_a_bad_roster_names_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "roster.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match="roster") as found:
        read_roster(path)
    assert message in str(found.value)


def test_json_rosters_and_who_speaks(tmp_path):
    path = tmp_path / "roster.json"
    path.write_text('{"participant": [{"role": "hakim_ketua", "name": "Siti"}, {"role": "panitera_pengganti", '
                    '"name": "Rina", "speaks": false}]}', encoding="utf-8")  # fmt: skip
    roster = read_roster(path)
    assert [p.role for p in roster] == ["hakim_ketua", "panitera_pengganti"] and speaking(roster) == 1


def test_the_unmatched_get_suggestions_in_hearing_order_and_a_phantom_none():
    roster = (Participant("saksi", "Budi", order=2), Participant("saksi", "Ani", order=1),
              Participant("penuntut_umum", "Agus"), Participant("hakim_ketua", "Siti", voice="siti"))  # fmt: skip
    speakers = [Speaker("SPEAKER_1", "", 30.0), Speaker("SPEAKER_2", "", 0.8), Speaker("SPEAKER_3", "", 20.0),
                Speaker("SPEAKER_4", "", 9.0), Speaker("SPEAKER_5", "", 8.0)]  # fmt: skip
    matches = {"SPEAKER_3": Match("SPEAKER_3", "siti", 0.7), "SPEAKER_2": Match("SPEAKER_2", None, 0.2)}
    named = by_roster(speakers, matches, roster)
    assert [(s.name, s.named_by, s.suggestion) for s in named] == [
        ("Speaker 1", NamedBy.order, "Penuntut Umum"),
        ("Speaker 2", NamedBy.order, None),  # a phantom: too little speech
        ("Hakim Ketua", NamedBy.roster, None),
        ("Speaker 4", NamedBy.order, "Saksi 1 (Ani)"),
        ("Speaker 5", NamedBy.order, "Saksi 2 (Budi)"),
    ]
