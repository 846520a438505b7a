"""The editor page of ``stt edit``: the review page made editable, in the transcript's language (Indonesian or
English), with its script and style from ``assets/editor/`` and the transcript's state inline, so that the
page needs nothing but the local server that serves it.

The state the script reads is a compact form of the transcript (the words, times, speakers, marks and review
spans; not the decoder's statistics), sent whole once and then patched by each save's reply with the segments
that changed (``changed_segments``): a three-hour hearing's 25,000 words are about 2 MB, drawn once.
"""

from __future__ import annotations

import html
import json
from datetime import datetime
from importlib import resources
from typing import Any

from stt_cli.languages import document_language
from stt_cli.review.spans import KINDS, LOW_CONFIDENCE, WHOLE_RECORDING, Checked, kind_name, review_spans
from stt_cli.types import Segment, Transcript

# (key, what it does in English, in Indonesian): the page's help and the README's table are both this list.
SHORTCUTS = (
    ("Ctrl+Space", "play or pause (resuming rewinds a little)", "putar atau jeda (melanjutkan mundur sedikit)"),
    ("Space", "play or pause, when not typing", "putar atau jeda, saat tidak mengetik"),
    ("Ctrl+←", "back 3 seconds", "mundur 3 detik"),
    ("Ctrl+→", "forward 3 seconds", "maju 3 detik"),
    ("Ctrl+↓ / Ctrl+↑", "slower / faster (0.5–1.5×)", "lebih lambat / lebih cepat (0,5–1,5×)"),
    ("Ctrl+J / Ctrl+K", "next / previous span to check", "bagian berikut / sebelumnya untuk diperiksa"),
    ("Ctrl+L", "next low-confidence word", "kata berikut dengan keyakinan rendah"),
    ("click a word", "select it and type over it; Enter saves, Esc cancels",
     "pilih dan ketik ulang; Enter menyimpan, Esc membatalkan"),
    ("Shift+click, Shift+← →", "select a run of words", "pilih rangkaian kata"),
    ("← →", "select the previous / next word", "pilih kata sebelumnya / berikutnya"),
    ("Enter", "retype the selected words", "ketik ulang kata yang dipilih"),
    ("Ctrl+I", "insert words after the selection", "sisipkan kata setelah pilihan"),
    ("Ctrl+Delete", "delete the selected words", "hapus kata yang dipilih"),
    ("1 … 9", "give the selection (a whole segment: its turn) to speaker 1 … 9",
     "berikan pilihan (satu segmen utuh: gilirannya) ke pembicara 1 … 9"),
    ("click a name", "give the turn to another speaker, a new one, or rename the speaker",
     "berikan giliran ke pembicara lain, yang baru, atau ganti nama pembicara"),
    ("Ctrl+B", "split the turn at the selected word", "pisahkan giliran pada kata yang dipilih"),
    ("Ctrl+M", "merge the turn with the one before", "gabungkan giliran dengan yang sebelumnya"),
    ("Ctrl+U", "mark the selection inaudible", "tandai pilihan tidak terdengar"),
    ("Ctrl+O", "mark the selection crosstalk", "tandai pilihan bicara bersamaan"),
    ("Ctrl+Enter", "mark the segment checked, go to the next span", "tandai segmen diperiksa, ke bagian berikut"),
    ("F1 or ?", "show or hide these keys", "tampilkan atau sembunyikan tombol ini"),
)  # fmt: skip

_WORDS = {
    "en": {
        "title": "Correct", "play": "Play/pause", "back": "−3 s", "speed": "speed", "rewind": "rewind on play",
        "to_check": "To check", "all_kinds": "all kinds", "left": "left to check", "more": "more",
        "nothing": "Nothing to check.", "empty": "No speech in this transcript.", "saving": "saving…",
        "saved": "saved: revision", "not_saved": "NOT saved", "not_saved_server":
        "NOT saved: the stt edit server does not answer (was it stopped?). Start it again; nothing saved is lost.",
        "give_to": "Give to", "new_speaker": "New speaker…", "new_speaker_name": "Name of the new speaker:",
        "rename": "Rename", "rename_to": "New name for this speaker everywhere:",
        "is": "Is", "suggested": "suggested",
        "verified": "written by a person",
        "confidence": "confidence", "inaudible": "inaudible", "crosstalk": "crosstalk", "keys": "Keys",
        "missing": "The recording is not available to this editor (give it with --recording). Open it from "
                   "this computer to listen:",
        "revision": "revision", "changes": "changes",
    },
    "id": {
        "title": "Koreksi", "play": "Putar/jeda", "back": "−3 dtk", "speed": "kecepatan",
        "rewind": "mundur saat diputar", "to_check": "Perlu diperiksa", "all_kinds": "semua jenis",
        "left": "tersisa untuk diperiksa", "more": "lagi", "nothing": "Tidak ada yang perlu diperiksa.",
        "empty": "Tidak ada ucapan dalam transkrip ini.", "saving": "menyimpan…", "saved": "tersimpan: revisi",
        "not_saved": "TIDAK tersimpan", "not_saved_server":
        "TIDAK tersimpan: server stt edit tidak menjawab (dihentikan?). Jalankan lagi; yang sudah tersimpan "
        "tidak hilang.",
        "give_to": "Berikan ke", "new_speaker": "Pembicara baru…", "new_speaker_name": "Nama pembicara baru:",
        "rename": "Ganti nama", "rename_to": "Nama baru pembicara ini di seluruh transkrip:", "is": "Adalah",
        "suggested": "usulan",
        "verified": "ditulis oleh orang", "confidence": "keyakinan", "inaudible": "tidak terdengar",
        "crosstalk": "bicara bersamaan", "keys": "Tombol",
        "missing": "Rekaman tidak tersedia bagi editor ini (berikan dengan --recording). Buka dari komputer ini "
                   "untuk mendengarkan:",
        "revision": "revisi", "changes": "perubahan",
    },
}  # fmt: skip


def page_segment(s: Segment) -> dict[str, Any]:
    """A segment as the page's script holds it."""
    return {
        "start": s.start, "end": s.end, "text": s.text, "speaker": s.speaker, "checked": s.checked,
        "paragraph": s.paragraph,
        "words": [{"start": w.start, "end": w.end, "text": w.text.strip(), "confidence": w.confidence,
                   "verified": w.verified} for w in s.words],
    }  # fmt: skip


def page_state(t: Transcript) -> dict[str, Any]:
    """What each save's reply carries besides the changed segments: speakers, marks, spans, revision."""
    done = Checked(t)
    spans = [
        {"i": i, "start": s.start, "end": s.end, "kind": s.kind, "text": s.text, "detail": s.detail,
         "whole": s.kind in WHOLE_RECORDING, "done": done.over(s)}
        for i, s in enumerate(review_spans(t, checked=True))
    ]  # fmt: skip
    return {
        "revision": t.revision,
        "speakers": [{"id": s.id, "name": s.name, "suggestion": s.suggestion} for s in t.speakers],
        "roster": [p.label for p in t.case.roster],
        "marks": [m.to_dict() for m in t.marks],
        "spans": spans,
        "edits": len(t.edits),
    }


def changed_segments(old: tuple[Segment, ...], new: tuple[Segment, ...]) -> tuple[int, int, list[dict[str, Any]]]:
    """The segments of ``old`` from ``start`` up to ``end`` that ``new`` replaces, and what replaces them
    (the page splices them in; segment ids are positions, so a renumbering alone is no change)."""

    def same(a: Segment, b: Segment) -> bool:
        return a.words == b.words and (a.start, a.end, a.text, a.speaker, a.checked, a.paragraph) == (
            b.start, b.end, b.text, b.speaker, b.checked, b.paragraph)  # fmt: skip

    start = 0
    while start < min(len(old), len(new)) and same(old[start], new[start]):
        start += 1
    tail = 0
    while tail < min(len(old), len(new)) - start and same(old[-1 - tail], new[-1 - tail]):
        tail += 1
    return start, len(old) - tail, [page_segment(s) for s in new[start : len(new) - tail]]


def editor_page(t: Transcript, *, token: str, editor: str, gap: float, at: float | None) -> str:
    """The page for a session's ``token``, its saves signed by ``editor``, opened at second ``at``."""
    lang = document_language(t.language)
    words = dict(_WORDS[lang])
    name = t.input.path.replace("\\", "/").rsplit("/", 1)[-1]
    now = page_state(t)
    state = {
        "token": token, "editor": editor, "paragraph_gap": gap, "low": LOW_CONFIDENCE, "at": at,
        "start_epoch": _seconds_of_day(t.case.start_time),
        "words": {**words, "kinds": {k: kind_name(k, lang) for k in KINDS}},
        "transcript": {"segments": [page_segment(s) for s in t.segments], "speakers": now["speakers"],
                       "marks": now["marks"], "roster": now["roster"]},
        "revision": now["revision"], "spans": now["spans"], "edits": now["edits"],
    }  # fmt: skip
    # "</" never appears inside the inline JSON, so no text in the transcript can end the script element.
    inline = json.dumps(state, ensure_ascii=False).replace("</", "<\\/")
    kinds = "".join(f'<option value="{k}">{html.escape(kind_name(k, lang))}</option>' for k in KINDS
                    if k not in WHOLE_RECORDING)  # fmt: skip
    keys = "".join(
        f"<tr><td><kbd>{html.escape(k)}</kbd></td><td>{html.escape(en if lang == 'en' else id_)}</td></tr>"
        for k, en, id_ in SHORTCUTS
    )
    speeds = "".join(f'<option value="{r / 10:.1f}"{" selected" if r == 10 else ""}>{r / 10:.1f}×</option>'
                     for r in range(5, 16))  # fmt: skip
    rewinds = "".join(f'<option value="{s}"{" selected" if s == "1.5" else ""}>{s} s</option>'
                      for s in ("0", "1", "1.5", "2", "3"))  # fmt: skip
    title = t.case.get("case_number") or name
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(t.language)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(words['title'])}: {html.escape(title)}</title><style>{_asset('editor.css')}</style>"
        f"</head><body>\n<header><h1>{html.escape(title)}</h1>"
        f'<div class="meta">{html.escape(name)} · sha256 {t.input.sha256[:16]}… · '
        f'{html.escape(words["revision"])} <span id="rev">{t.revision}</span> · {html.escape(editor)}</div>'
        f'<div id="player"><audio id="audio" preload="metadata" src="/audio?token={token}"></audio>'
        f'<button id="playpause">▶ {words["play"]}</button><button id="back">{words["back"]}</button>'
        f'<label>{words["speed"]} <select id="speed">{speeds}</select></label>'
        f'<label>{words["rewind"]} <select id="rewind">{rewinds}</select></label>'
        f'<span id="clock"></span><button id="keys">{words["keys"]} (F1)</button><span id="status"></span></div>'
        f'<div id="missing">{words["missing"]} <input type="file" id="pick" accept="audio/*,video/*"></div>'
        "</header>\n"
        '<main><div id="text"></div>\n'
        f'<aside><div id="todo-head"><b>{words["to_check"]}</b><select id="kind"><option value="">'
        f'{words["all_kinds"]}</option>{kinds}</select><span id="left"></span></div><div id="todo"></div></aside>'
        "</main>\n"
        f'<div id="menu"></div><div id="help"><b>{words["keys"]}</b><table>{keys}</table></div>\n'
        f'<script id="state" type="application/json">{inline}</script>\n'
        f"<script>{_asset('editor.js')}</script></body></html>\n"
    )


def _asset(name: str) -> str:
    return resources.files("stt_cli").joinpath("assets", "editor", name).read_text(encoding="utf-8")


def _seconds_of_day(start_time: str | None) -> float | None:
    """The wall-clock start as seconds after its midnight (the page adds a moment's seconds to it)."""
    if start_time is None:
        return None
    try:
        moment = datetime.fromisoformat(start_time)
    except ValueError:
        return None
    return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6
