// The stt editor: the review page made editable. Every change is sent to the local stt edit server at once and
// saved there as a new revision; this page keeps nothing of its own. No network but that server.
(() => {
'use strict';
const S = JSON.parse(document.getElementById('state').textContent);
const W = S.words;                      // the page's own words, in the transcript's language
let T = S.transcript, rev = S.revision, spans = S.spans;
const audio = document.getElementById('audio');
const text = document.getElementById('text');
const status = document.getElementById('status');
const api = (path) => `${path}?token=${encodeURIComponent(S.token)}`;
const PARAGRAPH_GAP = S.paragraph_gap;  // s: one speaker's pause that starts a new paragraph (as the writers)
let sel = null;                         // {seg, first, last}: the selected word(s), within one segment
let editing = null;                     // the element being typed into
let wordEls = [];                       // every word element, in time order (for playback highlight)
let lastShown = null, rewindOnPlay = 1.5, wasPaused = true;

// --- rendering -------------------------------------------------------------------------------------------------
const esc = (s) => s.replace(/[&<>"]/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]));
const clock = (t) => {
  if (S.start_epoch !== null) t += S.start_epoch;
  const s = Math.floor(t), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};
const name = (id) => (T.speakers.find((s) => s.id === id) || {name: id || ''}).name;

function turnsOf(segments) {
  const turns = [];
  segments.forEach((s, i) => {
    const last = turns[turns.length - 1];
    const prev = i ? segments[i - 1] : null;
    const same = last && s.speaker !== null && prev.speaker === s.speaker && !s.paragraph &&
      s.start - prev.end < PARAGRAPH_GAP;
    if (same) last.push(i); else turns.push([i]);
  });
  return turns;
}

let flags = [];  // the open spans' stretches, merged and in time order, searched for each word drawn
function indexFlags() {
  const open = spans.filter((x) => !x.whole && !x.done).map((x) => [x.start, x.end]).sort((a, b) => a[0] - b[0]);
  flags = [];
  for (const [a, b] of open) {
    const last = flags[flags.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b); else flags.push([a, b]);
  }
}
function lastStartingBefore(t, strict) {  // the index of the last merged stretch starting at or before t
  let lo = 0, hi = flags.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (strict ? flags[mid][0] < t : flags[mid][0] <= t) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}
function flaggedAt(start, end) {  // as the review page: a span holds the word's start, or its end
  const a = lastStartingBefore(start, false), b = lastStartingBefore(end, true);
  return (a >= 0 && start < flags[a][1]) || (b >= 0 && end <= flags[b][1]);
}

function wordHtml(w, si, wi) {
  const c = ['w'];
  if (w.verified) c.push('verified');
  else if (w.confidence !== null && w.confidence < S.low) c.push('low');
  if (!w.verified && flaggedAt(w.start, w.end)) c.push('flag');
  const title = w.verified ? W.verified : (w.confidence === null ? '' : `${W.confidence} ${Math.round(w.confidence * 100)}%`);
  return `<span class="${c.join(' ')}" data-seg="${si}" data-i="${wi}" data-start="${w.start.toFixed(3)}" ` +
    `data-end="${w.end.toFixed(3)}" title="${title}">${esc(w.text)}</span>`;
}

function marksIn(start, end) {
  return T.marks.filter((m) => m.start >= start && m.start < end)
    .map((m) => `<span class="mark" data-start="${m.start.toFixed(3)}">[${esc(W[m.kind])} ${clock(m.start)}–${clock(m.end)}]</span>`).join(' ');
}

function turnHtml(turn) {
  const first = T.segments[turn[0]], last = T.segments[turn[turn.length - 1]];
  const who = first.speaker ? `<button class="who" data-seg="${turn[0]}">${esc(name(first.speaker))}:</button>` : '';
  const body = turn.map(segHtml).join(' ');
  const marks = marksIn(first.start, last.end + 0.001);
  return `<p class="turn" data-first="${turn[0]}" data-start="${first.start.toFixed(3)}">` +
    `<span class="tc">[${clock(first.start)}]</span>${who}${body}${marks ? ' ' + marks : ''}</p>`;
}

function segHtml(si) {
  const s = T.segments[si];
  const words = s.words.length ? s.words.map((w, wi) => wordHtml(w, si, wi)).join(' ') : esc(s.text);
  return `<span class="seg${s.checked ? ' checked' : ''}" data-seg="${si}">${words}</span>`;
}

// After a change that leaves the segments' number, speakers, times and paragraphs as they were (a word
// corrected, a segment checked: most changes), only its segments are drawn again: a three-hour hearing's
// 25,000 words take 150 ms to draw whole, its one segment under a millisecond.
function redraw(from, to) {
  indexFlags();
  for (let si = from; si < to; si++) {
    const el = text.querySelector(`.seg[data-seg="${si}"]`);
    if (el) el.outerHTML = segHtml(si);
  }
  wordEls = [...text.querySelectorAll('.w')];
  renderTodo();
  showSelection();
}

function render() {
  indexFlags();
  text.innerHTML = turnsOf(T.segments).map(turnHtml).join('\n') || `<p>${W.empty}</p>`;
  wordEls = [...text.querySelectorAll('.w')];
  renderTodo();
  showSelection();
}

// --- the review list, a to-do list -----------------------------------------------------------------------------
const todo = document.getElementById('todo');
const kindSelect = document.getElementById('kind');
const LIST_MAX = 300;  // entries drawn at once: a six-hour hearing has thousands; the rest come with "more"
let listed = LIST_MAX;

function renderTodo() {
  const kind = kindSelect.value;
  const shown = spans.filter((x) => !kind || x.kind === kind);
  const left = spans.filter((x) => !x.done && !x.whole).length;
  document.getElementById('left').textContent = `${left} ${W.left}`;
  todo.innerHTML = shown.slice(0, listed).map((x) =>
    `<a href="#" data-i="${x.i}" class="${x.done ? 'done' : ''}"><span class="kind">${clock(x.start)} ${esc(W.kinds[x.kind] || x.kind)}</span>` +
    `${esc(x.text.slice(0, 80))} <i>${esc(x.detail)}</i></a>`).join('') +
    (shown.length > listed ? `<a href="#" id="more">… ${shown.length - listed} ${W.more}</a>` : '') ||
    `<p>${W.nothing}</p>`;
}

kindSelect.addEventListener('change', () => { listed = LIST_MAX; renderTodo(); });
todo.addEventListener('click', (e) => {
  const a = e.target.closest('a');
  if (!a) return;
  e.preventDefault();
  if (a.id === 'more') { listed += LIST_MAX; renderTodo(); return; }
  goToSpan(spans.find((x) => x.i === Number(a.dataset.i)));
});

function goToSpan(x) {
  if (!x) return;
  const el = wordEls.find((w) => parseFloat(w.dataset.end) > x.start) || wordEls[wordEls.length - 1];
  if (el) { select(Number(el.dataset.seg), Number(el.dataset.i)); el.scrollIntoView({block: 'center'}); }
  todo.querySelectorAll('.target').forEach((a) => a.classList.remove('target'));
  const entry = todo.querySelector(`a[data-i="${x.i}"]`);
  if (entry) { entry.classList.add('target'); entry.scrollIntoView({block: 'nearest'}); }
  play(Math.max(0, x.start - 0.5));
}

function nextSpan(step) {
  const now = audio.currentTime;
  const open = spans.filter((x) => !x.done && !x.whole && (!kindSelect.value || x.kind === kindSelect.value));
  const found = step > 0 ? open.find((x) => x.start > now + 0.6) : [...open].reverse().find((x) => x.start < now - 0.6);
  goToSpan(found || (step > 0 ? open[0] : open[open.length - 1]));
}

function nextLowWord() {
  const now = audio.currentTime;
  const el = wordEls.find((w) => parseFloat(w.dataset.start) > now + 0.05 && w.classList.contains('low'));
  if (el) { select(Number(el.dataset.seg), Number(el.dataset.i)); el.scrollIntoView({block: 'center'}); play(parseFloat(el.dataset.start) - 0.3); }
}

// --- listening -------------------------------------------------------------------------------------------------
function play(at) {
  if (at !== undefined) audio.currentTime = Math.max(0, at);
  const p = audio.play(); if (p) p.catch(() => {});
}
function toggle() {
  if (audio.paused) { if (wasPaused && rewindOnPlay) audio.currentTime = Math.max(0, audio.currentTime - rewindOnPlay); play(); }
  else audio.pause();
}
audio.addEventListener('pause', () => { wasPaused = true; });
audio.addEventListener('play', () => { wasPaused = false; });
const speed = document.getElementById('speed');
speed.addEventListener('change', () => { audio.playbackRate = parseFloat(speed.value); });
function faster(step) {
  const rate = Math.min(1.5, Math.max(0.5, Math.round((audio.playbackRate + step) * 10) / 10));
  audio.playbackRate = rate; speed.value = rate.toFixed(1);
}
document.getElementById('rewind').addEventListener('change', (e) => { rewindOnPlay = parseFloat(e.target.value); });
document.getElementById('playpause').addEventListener('click', toggle);
document.getElementById('back').addEventListener('click', () => { audio.currentTime = Math.max(0, audio.currentTime - 3); });
audio.addEventListener('timeupdate', () => {
  const t = audio.currentTime;
  document.getElementById('clock').textContent = `${clock(t)} · ${audio.playbackRate.toFixed(1)}×`;
  let lo = 0, hi = wordEls.length - 1, found = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1, w = wordEls[mid];
    if (parseFloat(w.dataset.end) <= t) lo = mid + 1;
    else if (parseFloat(w.dataset.start) > t) hi = mid - 1;
    else { found = w; break; }
  }
  if (found !== lastShown) { if (lastShown) lastShown.classList.remove('now'); if (found) found.classList.add('now'); lastShown = found; }
});
audio.addEventListener('error', () => { document.getElementById('missing').style.display = 'block'; });
document.getElementById('pick').addEventListener('change', (e) => {
  const f = e.target.files[0];
  if (f) { audio.src = URL.createObjectURL(f); document.getElementById('missing').style.display = 'none'; }
});

// --- selecting and editing -------------------------------------------------------------------------------------
function wordEl(si, wi) { return text.querySelector(`.w[data-seg="${si}"][data-i="${wi}"]`); }
function select(si, wi, extend) {
  if (extend && sel && sel.seg === si) sel = {seg: si, first: Math.min(sel.anchor, wi), last: Math.max(sel.anchor, wi), anchor: sel.anchor};
  else sel = {seg: si, first: wi, last: wi, anchor: wi};
  showSelection();
}
function showSelection() {
  text.querySelectorAll('.w.sel').forEach((w) => w.classList.remove('sel'));
  if (!sel) return;
  for (let i = sel.first; i <= sel.last; i++) { const el = wordEl(sel.seg, i); if (el) el.classList.add('sel'); }
}

text.addEventListener('click', (e) => {
  const who = e.target.closest('.who');
  if (who) { speakerMenu(who, Number(who.dataset.seg)); return; }
  const tc = e.target.closest('.tc, .mark');
  if (tc) { const at = tc.closest('[data-start]'); play(parseFloat(at.dataset.start)); return; }
  const w = e.target.closest('.w');
  if (!w || w === editing) return;
  const si = Number(w.dataset.seg), wi = Number(w.dataset.i);
  if (e.shiftKey) { select(si, wi, true); return; }
  select(si, wi);
  if (audio.paused) audio.currentTime = Math.max(0, parseFloat(w.dataset.start) - 0.3);
  edit(w);  // click, type, Enter: the word is replaced
});

function edit(el) {
  finishEditing(false);
  editing = el;
  el.contentEditable = 'true';
  el.focus();
  const range = document.createRange(); range.selectNodeContents(el);
  const s = window.getSelection(); s.removeAllRanges(); s.addRange(range);
}
function finishEditing(save) {
  if (!editing) return;
  const el = editing; editing = null;
  el.contentEditable = 'false'; el.removeAttribute('contenteditable');
  const typed = el.textContent.replace(/\s+/g, ' ').trim();
  const si = Number(el.dataset.seg), wi = Number(el.dataset.i);
  const before = T.segments[si].words[wi].text;
  if (!save || typed === before) { el.textContent = before; return; }
  send(typed ? {op: 'replace', seg: si, first: wi, last: wi, text: typed} : {op: 'delete', seg: si, first: wi, last: wi});
}
function ask(anchor, value, done) {  // a small input box after ``anchor`` (a run's new text, inserted words)
  const box = document.createElement('input');
  box.id = 'entry'; box.value = value;
  anchor.after(box); box.focus(); box.select();
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); const v = box.value.replace(/\s+/g, ' ').trim(); box.remove(); done(v); }
    else if (e.key === 'Escape') { e.preventDefault(); box.remove(); }
    e.stopPropagation();
  });
  box.addEventListener('blur', () => box.remove());
}
function editRun() {
  if (!sel) return;
  if (sel.first === sel.last) { edit(wordEl(sel.seg, sel.first)); return; }
  const words = T.segments[sel.seg].words.slice(sel.first, sel.last + 1).map((w) => w.text).join(' ');
  const {seg, first, last} = sel;
  ask(wordEl(seg, last), words, (v) => send(v ? {op: 'replace', seg, first, last, text: v} : {op: 'delete', seg, first, last}));
}
function insertAfter() {
  if (!sel) return;
  const {seg, last} = sel;
  ask(wordEl(seg, last), '', (v) => { if (v) send({op: 'insert', seg, after: last, text: v}); });
}

// --- speakers --------------------------------------------------------------------------------------------------
const menu = document.getElementById('menu');
function speakerMenu(button, si) {
  const turn = turnsOf(T.segments).find((t) => t.includes(si));
  const current = T.segments[si].speaker;
  menu.innerHTML = T.speakers.filter((s) => s.id !== current)
    .map((s, k) => `<button data-to="${s.id}">${W.give_to} ${esc(s.name)}</button>`).join('') +
    `<button data-new="1">${W.new_speaker}</button><button data-rename="${current}">${W.rename} ${esc(name(current))}…</button>` +
    castButtons(current);
  const r = button.getBoundingClientRect();
  Object.assign(menu.style, {display: 'block', left: `${r.left + window.scrollX}px`, top: `${r.bottom + window.scrollY}px`});
  menu.onclick = (e) => {
    const b = e.target.closest('button'); if (!b) return;
    menu.style.display = 'none';
    if (b.dataset.to) send({op: 'speaker', segs: [turn[0], turn[turn.length - 1]], speaker: b.dataset.to});
    else if (b.dataset.cast) send({op: 'cast', speaker: current, participant: Number(b.dataset.cast)});
    else if (b.dataset.new) { const n = prompt(W.new_speaker_name); if (n && n.trim()) send({op: 'speaker', segs: [turn[0], turn[turn.length - 1]], speaker: null, name: n.trim()}); }
    else { const n = prompt(W.rename_to, name(current)); if (n && n.trim()) send({op: 'rename', speaker: current, name: n.trim()}); }
  };
}
// The case roster's people (--roster): the speaker named as one of them, by role; the suggestion first.
function castButtons(current) {
  const suggested = (T.speakers.find((s) => s.id === current) || {}).suggestion;
  const order = (T.roster || []).map((label, i) => [label, i]).sort((a, b) => (b[0] === suggested) - (a[0] === suggested));
  return order.map(([label, i]) => `<button data-cast="${i}">${W.is} ${esc(label)}${label === suggested ? ` (${W.suggested})` : ''}</button>`).join('');
}
document.addEventListener('click', (e) => { if (!e.target.closest('#menu, .who')) menu.style.display = 'none'; });
function giveTo(k) {
  if (!sel || k >= T.speakers.length) return;
  const to = T.speakers[k].id;
  const seg = T.segments[sel.seg];
  if (sel.first === 0 && sel.last === seg.words.length - 1) {
    const turn = turnsOf(T.segments).find((t) => t.includes(sel.seg));
    send({op: 'speaker', segs: [turn[0], turn[turn.length - 1]], speaker: to});
  } else send({op: 'speaker', seg: sel.seg, first: sel.first, last: sel.last, speaker: to});
}

// --- saving ----------------------------------------------------------------------------------------------------
let queue = Promise.resolve();
function say(what, kind) { status.textContent = what; status.className = kind || ''; }
function send(op) {
  queue = queue.then(async () => {
    say(W.saving, 'busy');
    const started = performance.now();
    let reply;
    try {
      reply = await fetch(api('/api/edit'), {method: 'POST', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({base: rev, op, editor: S.editor})});
    } catch (e) { say(W.not_saved_server, 'bad'); return; }
    const data = await reply.json();
    if (reply.status === 409) { say(data.error, 'bad'); document.body.classList.add('stale'); return; }
    if (!reply.ok) { say(data.error || W.not_saved, 'bad'); render(); return; }
    const old = T.segments.slice(data.from, data.to), now = data.segments;
    const inPlace = old.length === now.length && old.every((s, k) => s.speaker === now[k].speaker &&
      s.paragraph === now[k].paragraph && s.start === now[k].start && s.end === now[k].end) &&
      JSON.stringify(T.speakers) === JSON.stringify(data.speakers) && JSON.stringify(T.marks) === JSON.stringify(data.marks);
    T.segments.splice(data.from, data.to - data.from, ...now);
    T.speakers = data.speakers; T.marks = data.marks; T.roster = data.roster; spans = data.spans; rev = data.revision;
    const keep = sel;
    if (inPlace) redraw(data.from, data.to); else render();
    sel = keep; showSelection();
    window.sttLastSave = performance.now() - started;  // bench/edit.py reads it: sent to drawn again
    say(`${W.saved} ${rev} · ${data.edits} ${W.changes}`);
    document.getElementById('rev').textContent = rev;
  });
  return queue;
}
window.sttSend = send;

// --- keys: every action has one (listed in the page and in the README) ----------------------------------------
document.addEventListener('keydown', (e) => {
  const inBox = e.target.id === 'entry';
  if (editing && e.target === editing) {
    if (e.key === 'Enter' && !e.ctrlKey) { e.preventDefault(); finishEditing(true); return; }
    if (e.key === 'Escape') { e.preventDefault(); finishEditing(false); return; }
    if (!e.ctrlKey && !e.altKey) return;  // typing
  }
  if (inBox) return;
  const k = e.key, ctrl = e.ctrlKey || e.metaKey;
  const act = (f) => { e.preventDefault(); finishEditing(true); f(); };
  if (ctrl && k === ' ') return act(toggle);
  if (!ctrl && k === ' ' && !editing) return act(toggle);
  if (ctrl && k === 'ArrowLeft') return act(() => { audio.currentTime = Math.max(0, audio.currentTime - 3); });
  if (ctrl && k === 'ArrowRight') return act(() => { audio.currentTime += 3; });
  if (ctrl && k === 'ArrowDown') return act(() => faster(-0.1));
  if (ctrl && k === 'ArrowUp') return act(() => faster(0.1));
  if (ctrl && (k === 'j' || k === 'J')) return act(() => nextSpan(1));
  if (ctrl && (k === 'k' || k === 'K')) return act(() => nextSpan(-1));
  if (ctrl && (k === 'l' || k === 'L')) return act(nextLowWord);
  if (ctrl && k === 'Enter') return act(() => { if (sel) { send({op: 'check', seg: sel.seg}); nextSpan(1); } });
  if (!ctrl && k === 'Enter' && sel && !editing) return act(editRun);
  if (ctrl && (k === 'i' || k === 'I')) return act(insertAfter);
  if (ctrl && k === 'Delete' && sel) return act(() => send({op: 'delete', seg: sel.seg, first: sel.first, last: sel.last}));
  // Plain digits: the browser keeps Ctrl+1…9 (and Alt+1…9 on Linux) for switching tabs.
  if (!ctrl && !e.altKey && k >= '1' && k <= '9' && sel && !editing) return act(() => giveTo(Number(k) - 1));
  if (ctrl && (k === 'b' || k === 'B') && sel) return act(() => send({op: 'split', seg: sel.seg, at: sel.first}));
  if (ctrl && (k === 'm' || k === 'M') && sel) return act(() => send({op: 'merge', seg: sel.seg}));
  const mark = (kind) => { const s = T.segments[sel.seg]; send({op: 'mark', start: s.words[sel.first].start, end: s.words[sel.last].end, kind}); };
  if (ctrl && (k === 'u' || k === 'U') && sel) return act(() => mark('inaudible'));
  if (ctrl && (k === 'o' || k === 'O') && sel) return act(() => mark('crosstalk'));
  if (k === 'F1' || (k === '?' && !editing)) return act(toggleHelp);
  if (!ctrl && (k === 'ArrowRight' || k === 'ArrowLeft') && sel && !editing) {
    return act(() => {
      const i = wordEls.indexOf(wordEl(sel.seg, sel.first)) + (k === 'ArrowRight' ? 1 : -1);
      const el = wordEls[Math.max(0, Math.min(wordEls.length - 1, i))];
      if (el) select(Number(el.dataset.seg), Number(el.dataset.i), e.shiftKey);
    });
  }
});

function toggleHelp() { const h = document.getElementById('help'); h.style.display = h.style.display === 'block' ? 'none' : 'block'; }
document.getElementById('keys').addEventListener('click', toggleHelp);

render();
say(`${W.revision} ${rev} · ${S.edits} ${W.changes}`);
if (!audio.getAttribute('src')) document.getElementById('missing').style.display = 'block';
if (S.at !== null) { const el = wordEls.find((w) => parseFloat(w.dataset.end) > S.at); if (el) { el.scrollIntoView({block: 'center'}); audio.currentTime = S.at; } }
window.sttReady = true;  // bench/edit.py and the tests wait for it
})();
