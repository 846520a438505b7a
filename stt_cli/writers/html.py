"""The review page, ``<stem>.html``: the transcript by speaker turn beside its recording, for the person who
checks it. One self-contained file (no network, no external script or font): click a line or a word to play
from there, the spans worth a listen marked in the text and listed beside it, the space bar to play or pause.

The audio element points at the recording by its path relative to the page, so the page works where it was
written and on any copy of the folder that keeps both; moved elsewhere, the page says the recording is not
found and offers a button to open it from disk (nothing is uploaded: the browser plays the local file).
"""

from __future__ import annotations

import html
import os
import urllib.parse
from pathlib import Path

from stt_cli.fileio import sha256_file
from stt_cli.languages import document_language
from stt_cli.review.confidence import mean_confidence
from stt_cli.review.spans import LOW_CONFIDENCE, WHOLE_RECORDING, ReviewSpan, kind_name, review_spans
from stt_cli.types import Transcript, Word
from stt_cli.writers.base import ResultWriter
from stt_cli.writers.pages import CERTIFICATION_KEYS
from stt_cli.writers.turns import paragraph_gap, speaker_turns

_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d1d1f}
header{padding:10px 18px;border-bottom:1px solid #ccc;background:#f6f6f6;position:sticky;top:0;z-index:2}
h1{font-size:17px;margin:0 0 4px}
.meta{font-size:12px;color:#555}
audio{width:100%;margin-top:6px}
#missing{display:none;background:#fff3cd;padding:6px;font-size:13px}
main{display:flex;gap:18px;padding:12px 18px}
#text{flex:3}
aside{flex:1.2;font-size:13px;border-left:1px solid #ddd;padding-left:12px;max-height:80vh;overflow:auto;
position:sticky;top:120px}
.turn{margin:0 0 10px;cursor:pointer}
.turn .tc{color:#777;font-family:monospace;margin-right:6px}
.turn .who{font-weight:600;margin-right:4px}
.w{cursor:pointer;border-radius:3px}
.w:hover{background:#e4ecff}
.low{text-decoration:underline wavy #d9822b}
.flag{background:#fde7c8}
.flag.target{outline:2px solid #d9822b}
.now{background:#bcd4ff}
aside a{display:block;color:#1d1d1f;text-decoration:none;padding:4px 2px;border-bottom:1px solid #eee}
aside a:hover{background:#f0f0f0}
.kind{font-weight:600;margin-right:6px}
.note{background:#fff3cd;padding:4px 6px;font-size:13px;margin-top:4px}
"""

# Nothing may be fetched: scripts and styles are inline, the only media is the local recording.
_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; media-src 'self' file: blob:"
_SCRIPT = """
const audio=document.getElementById('audio');
function play(at){audio.currentTime=at;const p=audio.play();if(p){p.catch(()=>{});}}
document.getElementById('text').addEventListener('click',e=>{
  const w=e.target.closest('[data-start]');if(w){e.stopPropagation();play(parseFloat(w.dataset.start));}});
document.querySelectorAll('aside a').forEach(a=>a.addEventListener('click',e=>{e.preventDefault();
  const t=document.getElementById(a.dataset.target);
  document.querySelectorAll('.target').forEach(x=>x.classList.remove('target'));
  if(t){t.classList.add('target');t.scrollIntoView({block:'center'});}play(parseFloat(a.dataset.start));}));
document.addEventListener('keydown',e=>{if(e.target.tagName==='INPUT')return;
  if(e.code==='Space'){e.preventDefault();audio.paused?audio.play().catch(()=>{}):audio.pause();}});
const words=[...document.querySelectorAll('.w')];let last=null;
audio.addEventListener('timeupdate',()=>{const t=audio.currentTime;
  const w=words.find(x=>parseFloat(x.dataset.start)<=t&&t<parseFloat(x.dataset.end));
  if(w!==last){if(last)last.classList.remove('now');if(w)w.classList.add('now');last=w;}});
audio.addEventListener('error',()=>{document.getElementById('missing').style.display='block';});
if(!audio.getAttribute('src')){document.getElementById('missing').style.display='block';}
document.getElementById('pick').addEventListener('change',e=>{const f=e.target.files[0];
  if(f){audio.src=URL.createObjectURL(f);document.getElementById('missing').style.display='none';}});
const cited=/^#t=([0-9.]+)$/.exec(location.hash);
if(cited){const t=parseFloat(cited[1]);audio.currentTime=t;
  const w=words.find(x=>parseFloat(x.dataset.end)>t);
  if(w){w.classList.add('now');w.scrollIntoView({block:'center'});}}
"""


_PAGE_WORDS = {
    "en": {
        "to_check": "To check", "nothing": "Nothing flagged.", "confidence": "confidence",
        "spans": "spans to check",
        "missing": "The recording was not found beside this page, nor where it was transcribed (or the file "
                   "there is not the one transcribed: its sha256 differs). Open it from this computer:",
        "note": "Note",
    },
    "id": {
        "to_check": "Perlu diperiksa", "nothing": "Tidak ada yang ditandai.", "confidence": "keyakinan",
        "spans": "bagian untuk diperiksa",
        "missing": "Rekaman tidak ditemukan di samping halaman ini, maupun di tempat ia ditranskripsi (atau "
                   "berkas di sana bukan yang ditranskripsi: sha256-nya berbeda). Buka dari komputer ini:",
        "note": "Catatan",
    },
}  # fmt: skip


class HtmlWriter(ResultWriter):
    extension = "html"

    def render(self, transcript: Transcript) -> str:
        return self.page(transcript, None)

    def render_bytes(self, transcript: Transcript, target: Path | None = None) -> bytes:
        return self.page(transcript, target).encode("utf-8")

    def page(self, transcript: Transcript, target: Path | None) -> str:
        spans = review_spans(transcript)
        lang = document_language(transcript.language)
        words = _PAGE_WORDS[lang]
        name = transcript.input.path.replace("\\", "/").rsplit("/", 1)[-1]
        source = recording_url(transcript, target)
        confidence = mean_confidence(w.confidence for w in transcript.words)
        facts = [
            f"{html.escape(k.replace('_', ' '))}: {html.escape(v)}"
            for k, v in transcript.case.fields
            if k not in CERTIFICATION_KEYS
        ]
        facts.append(f"{html.escape(name)} · sha256 {transcript.input.sha256[:16]}…")
        if confidence is not None:
            facts.append(f"{words['confidence']} {confidence:.0%} · {len(spans)} {words['spans']}")
        notes = "".join(f'<div class="note">{words["note"]}: {html.escape(w)}</div>' for w in transcript.warnings)
        return (
            f'<!DOCTYPE html>\n<html lang="{html.escape(transcript.language)}"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">'
            f"<title>{html.escape(name)}</title><style>{_STYLE}</style></head><body>\n"
            f"<header><h1>{html.escape(transcript.case.get('case_number') or name)}</h1>"
            f'<div class="meta">{" · ".join(facts)}</div>{notes}'
            f'<audio id="audio" controls preload="metadata" src="{html.escape(source)}"></audio>'
            f'<div id="missing">{words["missing"]} <input type="file" id="pick" accept="audio/*,video/*"></div>'
            "</header>\n"
            f'<main><div id="text">{_turns(transcript, spans, paragraph_gap(self.options.mark_pauses))}</div>\n'
            f"<aside><b>{words['to_check']}</b>{_listed(transcript, spans, lang)}</aside></main>\n"
            f"<script>{_SCRIPT}</script></body></html>\n"
        )


def recording_url(transcript: Transcript, target: Path | None) -> str:
    """The recording as a URL path from the page's folder: the file beside the page, else where the transcript
    says it was (as given, from where stt runs), whichever is the very recording transcribed (its size, then
    its sha256); ``""`` when neither is, so a page never plays another hearing of the same name (a recording
    of that name in the folder stt render was run from once won)."""
    found = find_recording(transcript, target)
    if found is None:
        return ""
    if target is not None:
        try:
            found = Path(os.path.relpath(found.resolve(), target.resolve().parent))
        except ValueError:  # another drive on Windows: the absolute path, as a file URL would give it
            found = found.resolve()
    return urllib.parse.quote(found.as_posix())


def find_recording(transcript: Transcript, beside: Path | None) -> Path | None:
    """The very recording transcribed (its size, then its sha256): the file of its name beside ``beside``
    (a page, a transcript JSON), else where the transcript says it was; ``None`` when neither is."""
    given = Path(transcript.input.path)
    candidates = [given] if beside is None else [beside.parent / given.name, given]
    return next((p for p in candidates if is_the_recording(p, transcript)), None)


def is_the_recording(path: Path, transcript: Transcript) -> bool:
    try:
        if not path.is_file() or path.stat().st_size != transcript.input.size_bytes:
            return False
        return sha256_file(path) == transcript.input.sha256
    except OSError:
        return False


def _turns(transcript: Transcript, spans: list[ReviewSpan], gap: float) -> str:
    flagged = [(i, s) for i, s in enumerate(spans) if s.kind not in WHOLE_RECORDING]
    anchored: set[int] = set()  # spans whose first word already carries the id the review list jumps to
    out = []
    for turn in speaker_turns(transcript.segments, gap):
        name = transcript.speaker_name(turn.speaker)
        who = f'<span class="who">{html.escape(name)}:</span>' if name else ""
        words = [w for s in turn.segments for w in s.words]
        body = "".join(_word(w, flagged, anchored) for w in words) if words else html.escape(turn.text)
        clock = transcript.case.clock(turn.start)
        out.append(
            f'<p class="turn" data-start="{turn.start:.3f}"><span class="tc">[{clock}]</span>{who}{body}</p>'
        )
    return "\n".join(out)


def _word(word: Word, flagged: list[tuple[int, ReviewSpan]], anchored: set[int]) -> str:
    inside = [i for i, s in flagged if s.start <= word.start < s.end or s.start < word.end <= s.end]
    first = [i for i in inside if i not in anchored]
    anchored.update(first)
    classes = ["w"]
    if word.confidence is not None and word.confidence < LOW_CONFIDENCE:
        classes.append("low")
    anchor = ""
    if inside:
        classes.append("flag")
        anchor = f' id="r{first[0]}w"' if first else ""
    title = f' title="confidence {word.confidence:.0%}"' if word.confidence is not None else ""
    return (
        f'{html.escape(word.text[: len(word.text) - len(word.text.lstrip())])}<span class="{" ".join(classes)}"'
        f' data-start="{word.start:.3f}" data-end="{word.end:.3f}"{anchor}{title}>'
        f"{html.escape(word.text.strip())}</span>"
    )


def _listed(transcript: Transcript, spans: list[ReviewSpan], lang: str) -> str:
    clock = transcript.case.clock

    return (
        "".join(
            f'<a href="#r{i}" id="r{i}" data-target="r{i}w" data-start="{s.start:.3f}">'
            f'<span class="kind">{clock(s.start)} {html.escape(kind_name(s.kind, lang))}</span>'
            f"{html.escape(s.text[:80])} <i>{html.escape(s.detail)}</i></a>"
            for i, s in enumerate(spans)
        )
        or f"<p>{_PAGE_WORDS[lang]['nothing']}</p>"
    )
