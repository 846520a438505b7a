"""Every revision of a transcript a person corrects (``stt edit``), kept so that no change is ever lost and any
state can be restored.

Beside ``T.json``, in ``.T.stt.revisions/``:

- ``r0000.json``: the transcript as the history began (the recogniser's own, for a fresh transcript), and a
  full copy every ``SNAPSHOT_EVERY`` revisions (``r0050.json``…);
- ``log.jsonl``: one line per saved change: its revision, the revision it was made on, when, by whom, the
  operation as the page sent it, and the sha256 of the JSON it produced.

A save is written in this order: the log line (flushed to disk), then ``T.json`` atomically (a temporary file
renamed over it). A server killed between the two leaves ``T.json`` at the last good revision, and the next
``stt edit`` finishes the save from the log (the clerk's change is not lost); killed inside the atomic write,
the same. A revision is rebuilt from the snapshot before it and the log's operations, and checked against the
sha256 the log holds for it.

One ``stt edit`` at a time holds a transcript (an exclusive lock beside it): a second clerk opening it is told
who has it. Within a session, a change made on a page that had not seen the latest revision (a second tab) is
refused with a :class:`Conflict`, and so is any change after ``T.json`` was rewritten by something else.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stt_cli.errors import EXIT_USAGE, SttError, UsageError
from stt_cli.fileio import FileIdentity, atomic_write_bytes, shown
from stt_cli.records.sidecars import edit_sidecars
from stt_cli.review import edits
from stt_cli.types import Edit, Transcript
from stt_cli.writers.json import transcript_json
from stt_cli.writers.reading import read_transcript

SNAPSHOT_EVERY = 50  # revisions between full copies: a restore replays at most 49 changes (~0.3 s, 25k words)
LOG = "log.jsonl"


class Conflict(SttError):
    """A change made on a state that is no longer the transcript's (another tab, another program): nothing was
    saved (the page gets HTTP 409)."""

    code = "edit_conflict"
    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class Entry:
    """One line of the log: a saved change."""

    revision: int
    base: int
    at: str
    editor: str
    op: dict[str, Any]
    sha256: str

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False, sort_keys=True)


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class History:
    """The revisions of one transcript JSON, held open (and locked) by one editing session.

    Args:
        path: the transcript JSON.
        gap: the pause that starts a new paragraph (as the page groups turns).

    Raises:
        UsageError: the JSON is not a transcript, cannot be written, or another ``stt edit`` holds it.
    """

    def __init__(self, path: Path, gap: float) -> None:
        self.path, self.gap = path, gap
        self.folder, lock_path = edit_sidecars(path)
        try:
            self._lock = open(lock_path, "a+")  # noqa: SIM115 - held for the session
        except OSError as e:
            raise UsageError(f"{shown(path)}: cannot lock it for editing ({e.strerror})") from e
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock.seek(0)
            holder = self._lock.read().strip() or "another stt edit"
            self._lock.close()
            raise UsageError(
                f"{shown(path)} is open in another stt edit ({holder}); close that one first"
            ) from None
        self._lock.seek(0)
        self._lock.truncate()
        self._lock.write(f"pid {os.getpid()} of {os.environ.get('USER', 'this account')}, since {now()}\n")
        self._lock.flush()
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()

    # --- opening: the log read back, a cut-short save finished ------------------------------------------------

    def _open(self) -> None:
        self.transcript = read_transcript(self.path)
        data = self.path.read_bytes()
        self.entries = self._read_log()
        first = self.entries[0].base if self.entries else self.transcript.revision
        known = {e.revision: e.sha256 for e in self.entries}
        here = self.transcript.revision
        baseline = self.folder / _snapshot(first)
        consistent = known.get(here) == _sha(data) or (
            here == first and baseline.is_file() and _sha(baseline.read_bytes()) == _sha(data)
        )
        if not consistent:  # a new history: none yet, or the JSON was replaced since (a new transcription)
            self._begin(data)
        else:
            for entry in [e for e in self.entries if e.revision > here]:  # saves the log has and T.json not
                self.transcript = self._step(self.transcript, entry)
                atomic_write_bytes(self.path, transcript_json(self.transcript).encode("utf-8"))
            self.entries = [e for e in self.entries if e.revision <= self.transcript.revision]
        self._written: FileIdentity = FileIdentity.of(self.path)

    def _begin(self, data: bytes) -> None:
        if self.folder.exists():  # an earlier history of a JSON since replaced: kept, set aside
            self.folder.rename(self.folder.with_name(f"{self.folder.name}-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}"))
        try:
            self.folder.mkdir()
            atomic_write_bytes(self.folder / _snapshot(self.transcript.revision), data)
            (self.folder / LOG).touch()
        except OSError as e:
            raise UsageError(f"{shown(self.folder)}: cannot keep the revisions there ({e.strerror})") from e
        self.entries = []

    def _read_log(self) -> list[Entry]:
        try:
            lines = (self.folder / LOG).read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        out = []
        for line in lines:
            try:
                out.append(Entry(**json.loads(line)))
            except (ValueError, TypeError):  # a line cut short by a kill: the save it began never finished
                break
        return out

    # --- saving --------------------------------------------------------------------------------------------------

    @property
    def revision(self) -> int:
        return self.transcript.revision

    def save(self, base: int, op: dict[str, Any], editor: str) -> edits.Applied:
        """Carry out ``op`` on revision ``base`` and save the result as the next revision.

        Raises:
            Conflict: ``base`` is not the latest revision, or ``T.json`` was changed by something else.
            edits.EditError: the operation does not fit the transcript.
            OutputUnwritableError: it cannot be written (nothing was saved).
        """
        self._check_current(base)
        applied, entry = self._made(op, editor)
        self._write(applied.transcript, entry)
        return applied

    def restore(self, base: int, revision: int, editor: str) -> Transcript:
        """Make revision ``revision``'s content the next revision (nothing after it is lost: it stays in the
        history)."""
        self._check_current(base)
        if not 0 <= revision <= self.revision:
            raise edits.EditError(f"revision {revision}: this transcript has revisions 0 to {self.revision}")
        entry = Entry(self.revision + 1, self.revision, now(), editor, {"op": "restore", "revision": revision}, "")
        new = self._step(self.transcript, entry)
        self._write(new, entry)
        return new

    def _check_current(self, base: int) -> None:
        if base != self.revision:
            raise Conflict(
                f"this page shows revision {base}, but the transcript is at revision {self.revision} "
                "(changed in another tab or window): reload the page to see the latest"
            )
        try:
            changed = FileIdentity.of(self.path) != self._written
        except OSError:
            changed = True
        if changed:
            raise Conflict(f"{shown(self.path)} was changed outside this editor since it was opened: nothing was "
                           "saved; close the editor and open it again")  # fmt: skip

    def _made(self, op: dict[str, Any], editor: str) -> tuple[edits.Applied, Entry]:
        entry = Entry(self.revision + 1, self.revision, now(), editor, op, "")
        applied = edits.apply(self.transcript, op, self.gap)
        return dataclasses.replace(applied, transcript=self._stamped(applied, entry)), entry

    def _stamped(self, applied: edits.Applied, entry: Entry) -> Transcript:
        edit = applied.edit(entry.revision, entry.at, entry.editor)
        return dataclasses.replace(applied.transcript, revision=entry.revision,
                                   edits=(*self.transcript.edits, edit))  # fmt: skip

    def _write(self, new: Transcript, entry: Entry) -> None:
        data = transcript_json(new).encode("utf-8")
        entry = dataclasses.replace(entry, sha256=_sha(data))
        try:
            with open(self.folder / LOG, "a", encoding="utf-8") as log:
                log.write(entry.to_json() + "\n")
                log.flush()
                os.fsync(log.fileno())
        except OSError as e:
            raise UsageError(f"{shown(self.folder / LOG)}: cannot record the change ({e.strerror}); nothing was "
                             "saved") from e  # fmt: skip
        atomic_write_bytes(self.path, data)
        self._written = FileIdentity.of(self.path)
        self.transcript = new
        self.entries.append(entry)
        if entry.revision % SNAPSHOT_EVERY == 0:
            # A copy, not a link: a program that rewrites T.json in place must not change the history.
            with contextlib.suppress(OSError):
                atomic_write_bytes(self.folder / _snapshot(entry.revision), data)

    # --- reading back ------------------------------------------------------------------------------------------

    def _step(self, t: Transcript, entry: Entry) -> Transcript:
        """``t`` with the logged change ``entry`` carried out again, as it was the first time."""
        if entry.op.get("op") == "restore":
            old = self.state_at(int(entry.op["revision"]))
            edit = Edit(entry.revision, entry.at, entry.editor, "restore", 0.0, t.duration,
                        f"revision {t.revision}", f"revision {entry.op['revision']}")  # fmt: skip
            return dataclasses.replace(old, revision=entry.revision, edits=(*t.edits, edit))
        applied = edits.apply(t, entry.op, self.gap)
        return dataclasses.replace(
            applied.transcript, revision=entry.revision,
            edits=(*t.edits, applied.edit(entry.revision, entry.at, entry.editor)),
        )  # fmt: skip

    def state_at(self, revision: int) -> Transcript:
        """The transcript as it was at ``revision``.

        Raises:
            UsageError: that revision is not in this history, or cannot be rebuilt as it was saved.
        """
        first = self.entries[0].base if self.entries else self.revision
        if revision == self.revision:
            return self.transcript
        if not first <= revision <= self.revision:
            raise edits.EditError(f"revision {revision}: this history holds revisions {first} to {self.revision}")
        start = max(
            (n for n in range(first, revision + 1) if n == first or n % SNAPSHOT_EVERY == 0
             if (self.folder / _snapshot(n)).is_file()),
            default=first,
        )  # fmt: skip
        t = read_transcript(self.folder / _snapshot(start))
        for entry in self.entries:
            if start < entry.revision <= revision:
                t = self._step(t, entry)
        saved = next((e.sha256 for e in self.entries if e.revision == revision), None)
        if saved is not None and saved != _sha(transcript_json(t).encode("utf-8")):
            raise UsageError(f"revision {revision} cannot be rebuilt exactly as it was saved (made by another "
                             "version of stt?)")  # fmt: skip
        return t

    def summary(self) -> dict[str, Any]:
        """The history, for the page and ``/api/history``."""
        return {
            "revision": self.revision,
            "first": self.entries[0].base if self.entries else self.revision,
            "edits": [e.to_dict() for e in self.transcript.edits],
        }


def _snapshot(revision: int) -> str:
    return f"r{revision:04d}.json"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
