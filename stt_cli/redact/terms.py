"""``--terms``: what a public copy takes out, read from a UTF-8 file, one entry a line (``#`` starts a comment).

- a name or other words, with every spelling of it on one line: ``Budi Santoso | Budi | Pak Budi``;
- a number or other pattern, as a regular expression between slashes: ``/\\d{16}/`` (an identity number);
- a closed part of the hearing, by time: ``@ 0:12:30 - 0:14:05`` (h:mm:ss, m:ss or seconds).

Each may end in ``= replacement``: the words written in its place (``= Anak Korban``), or ``= initials`` (``B. S.``
for Budi Santoso). Without one, a neutral marker stands in (``[disamarkan]`` in an Indonesian transcript,
``[redacted]`` in any other).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from stt_cli.asr.vocabulary import Term, plain
from stt_cli.errors import UsageError

INITIALS = "initials"
MARKERS = {"id": "[disamarkan]"}
MARKER = "[redacted]"
_CLOCK = re.compile(r"^(?:(\d+):)?(?:(\d{1,2}):)?(\d+(?:\.\d+)?)$")


class EntryKind(StrEnum):
    """What an entry of ``--terms`` takes out."""

    words = "words"
    pattern = "pattern"
    time = "time"


@dataclass(frozen=True)
class Entry:
    """One line of ``--terms``.

    Attributes:
        line: its line number in the file (messages and the report name it).
        kind: words, a pattern or a stretch of time.
        shown: the line as written, before ``=`` (for the court's report; never in the public copy).
        spellings: for words, every spelling given, as vocabulary terms.
        pattern: for a pattern, the regular expression (matched against whole words, up to 8 in a row).
        span: for time, (start, end) in seconds.
        replacement: what is written in its place; ``None``: the transcript's language's neutral marker.
    """

    line: int
    kind: EntryKind
    shown: str
    spellings: tuple[Term, ...] = ()
    pattern: re.Pattern[str] | None = None
    span: tuple[float, float] | None = None
    replacement: str | None = None

    def written(self, language: str) -> str:
        """What stands in the copy where this entry was said."""
        if self.replacement is None:
            return MARKERS.get(language, MARKER)
        if self.replacement.casefold() == INITIALS and self.spellings:
            return " ".join(f"{word[0].upper()}." for word in self.spellings[0].words if plain(word))
        return self.replacement


def read_terms(path: Path) -> tuple[Entry, ...]:
    """The entries of a terms file.

    Raises:
        UsageError: the file cannot be read, holds no entry, or a line is not an entry (named by its number).
    """
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise UsageError(f"`terms` file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"`terms` file {path} cannot be read as UTF-8 text ({e})") from None
    entries = tuple(entry for number, text in enumerate(lines, 1) if (entry := parse_entry(text, number)))
    if not entries:
        raise UsageError(f"`terms` file {path} lists nothing to take out")
    return entries


def parse_entry(text: str, line: int) -> Entry | None:
    """One line of a terms file; ``None`` for a blank line or a comment.

    Raises:
        UsageError: not an entry.
    """
    text = text.strip()
    if not text or text.startswith("#"):
        return None
    what, _, given = text.partition("=") if not text.startswith("/") else _after_pattern(text)
    what, replacement = what.strip(), given.strip() or None
    where = f"`terms` line {line}"
    if what.startswith("@"):
        return Entry(line, EntryKind.time, what, span=_span(what[1:], where), replacement=replacement)
    if what.startswith("/"):
        if len(what) < 3 or not what.endswith("/"):
            raise UsageError(f"{where}: a pattern is written between slashes, e.g. /\\d{{16}}/")
        try:
            pattern = re.compile(what[1:-1], re.IGNORECASE)
        except re.error as e:
            raise UsageError(f"{where}: {what} is not a regular expression ({e})") from None
        return Entry(line, EntryKind.pattern, what, pattern=pattern, replacement=replacement)
    spellings = tuple(Term.of(s.strip()) for s in what.split("|") if plain(s))
    if not spellings:
        raise UsageError(f"{where}: {text!r} names nothing to take out (no letters or digits)")
    return Entry(line, EntryKind.words, what, spellings=spellings, replacement=replacement)


def _after_pattern(text: str) -> tuple[str, str, str]:
    """A pattern line split at the ``=`` after its closing slash (a pattern may hold ``=`` itself)."""
    close = text.rfind("/")
    rest = text[close + 1 :]
    _, equals, replacement = rest.partition("=")
    return text[: close + 1], equals, replacement


def _span(text: str, where: str) -> tuple[float, float]:
    first, dash, last = text.partition("-")
    if not dash:
        raise UsageError(f"{where}: a stretch of time is written @ START - END, e.g. @ 0:12:30 - 0:14:05")
    start, end = _seconds(first, where), _seconds(last, where)
    if end <= start:
        raise UsageError(f"{where}: the stretch ends ({last.strip()}) before it starts ({first.strip()})")
    return start, end


def _seconds(text: str, where: str) -> float:
    match = _CLOCK.match(text.strip())
    if not match:
        raise UsageError(f"{where}: {text.strip()!r} is not a time (h:mm:ss, m:ss or seconds)")
    a, b, c = match.groups()
    hours, minutes = (float(a), float(b)) if b is not None else (0.0, float(a or 0))
    return hours * 3600 + minutes * 60 + float(c)
