"""The command's strings turned into typed values, each checked here, once, with the option's name in the
message: sizes, durations, formats, shards (also from a scheduler's array variables), channel names, case
details given as ``KEY=VALUE``, a start time, and a vocabulary file. The library takes only typed values."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from stt_cli.batch.shards import Shard
from stt_cli.case import LATEST_YEAR, check_fields
from stt_cli.diarization.channels import SKIP
from stt_cli.errors import UsageError
from stt_cli.options import OutputFormat


def parse_size(text: str) -> int:
    """``"500M"``, ``"16G"``, ``"1.5T"`` or plain bytes -> bytes (binary units)."""
    units = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
    value = text.strip().upper().removesuffix("B").removesuffix("I")
    number, unit = (value[:-1], value[-1]) if value and value[-1] in units else (value, "")
    try:
        size = float(number) * units[unit]
    except ValueError:
        size = math.nan
    if not math.isfinite(size) or size >= 2**63:  # "nan", "inf", "1e400"
        raise UsageError(f"`max_size` {text!r} is not a size; use e.g. 500M, 16G or 0 for no limit")
    if size < 0:
        raise UsageError("`max_size` cannot be negative")
    return int(size)


def parse_duration(text: str, option: str = "max_duration", *, zero: str | None = "no limit") -> float:
    """``"90"`` (seconds), ``"45m"``, ``"12h"``, ``"1h30m"`` -> seconds, for ``option`` (named in the message);
    ``zero`` says what 0 means, or ``None`` when 0 is refused.

    Raises:
        UsageError: not a duration (or 0 where it means nothing).
    """
    value = text.strip().lower()
    match = re.fullmatch(r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s?)?", value)
    example = "12h, 90m, 3600" + (f" or 0 for {zero}" if zero else "")
    if not value or not match:
        raise UsageError(f"`{option}` {text!r} is not a duration; use e.g. {example}")
    hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if total == 0 and zero is None:
        raise UsageError(f"`{option}` {text!r}: give a duration above 0, e.g. 10m")
    return total


def parse_formats(values: list[str] | tuple[str, ...]) -> tuple[OutputFormat, ...]:
    """Turn ``["json,srt", "vtt"]`` or ``["all"]`` into an ordered tuple of formats without repeats."""
    names: list[str] = []
    for value in values:
        for part in value.split(","):
            part = part.strip().lower()
            # "all" is every transcript format; rttm (speaker turns only) is asked for by name.
            names.extend(["json", "srt", "vtt", "txt"] if part == "all" else [part] if part else [])
    chosen: list[OutputFormat] = []
    for name in names:
        try:
            fmt = OutputFormat(name)
        except ValueError:
            known = ", ".join(f.value for f in OutputFormat)
            raise UsageError(f"unknown format {name!r}; choose from {known} or all") from None
        if fmt not in chosen:
            chosen.append(fmt)
    return tuple(chosen)


def parse_shard(text: str) -> Shard:
    """``K/N`` with ``1 <= K <= N`` (the K-th of N shards)."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard {text!r}: give K/N, e.g. 2/3 for the second of three shards") from None
    if n < 1:
        raise UsageError(f"--shard {text!r}: N must be 1 or more")
    return Shard(k - 1, n)


def shard_from_environment(env: Mapping[str, str]) -> Shard | None:
    """The shard a scheduler's array variables give, or ``None`` outside an array job.

    Raises:
        UsageError: the variables are there but do not make sense (an Indexed Job without STT_SHARD_COUNT).
    """
    try:
        if "SLURM_ARRAY_TASK_ID" in env and "SLURM_ARRAY_TASK_COUNT" in env:
            task, first = int(env["SLURM_ARRAY_TASK_ID"]), int(env.get("SLURM_ARRAY_TASK_MIN", "0"))
            step = int(env.get("SLURM_ARRAY_TASK_STEP", "1")) or 1
            return Shard((task - first) // step, int(env["SLURM_ARRAY_TASK_COUNT"]), "Slurm's job array")
        if "JOB_COMPLETION_INDEX" in env:
            if "STT_SHARD_COUNT" not in env:
                raise UsageError(
                    "JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but STT_SHARD_COUNT is not: "
                    "set it to the Job's completions"
                )
            return Shard(int(env["JOB_COMPLETION_INDEX"]), int(env["STT_SHARD_COUNT"]), "the Indexed Job")
    except ValueError as e:
        raise UsageError(f"the scheduler's array variables cannot be read: {e}") from None
    return None


def parse_channel_names(text: str) -> tuple[str, ...]:
    """``"Judge,Witness,-,Defence"`` -> one name per channel, ``-`` for a channel left out.

    Raises:
        ValueError: no channel named, or an empty name.
    """
    names = tuple(name.strip() for name in text.split(","))
    if any(not name for name in names):
        raise ValueError("a channel has an empty name; give one name per channel, `-` to skip one")
    if all(name == SKIP for name in names):
        raise ValueError("every channel is skipped; name at least one")
    named = [name.casefold() for name in names if name != SKIP]
    twice = next((name for name in names if name != SKIP and named.count(name.casefold()) > 1), None)
    if twice is not None:  # two microphones under one name could no longer be told apart
        raise ValueError(f"{twice!r} names two channels; give each microphone its own name")
    return names


def parse_pairs(pairs: list[str]) -> tuple[tuple[str, str], ...]:
    """``["case_number=12/Pid.B/2026", …]`` as pairs.

    Raises:
        UsageError: an item without ``=`` or with an empty key.
    """
    out = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"`meta` {pair!r}: give KEY=VALUE, e.g. case_number=12/Pid.B/2026/PN Jkt.Pst")
        out.append((key.strip(), value.strip()))
    try:
        return tuple(check_fields(out).items())
    except ValueError as e:
        raise UsageError(f"`meta`: {e}") from None


def check_start_time(text: str | None) -> str | None:
    """``--start-time`` as ISO 8601 (``2026-11-03T09:12:00``, an offset allowed).

    Raises:
        UsageError: not a date and time.
    """
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as e:
        raise UsageError(f"`start_time` {text!r}: give a date and time such as 2026-11-03T09:12:00") from e
    if not 1900 <= moment.year <= LATEST_YEAR:
        raise UsageError(f"`start_time` {text!r}: a recording's start between the years 1900 and {LATEST_YEAR}")
    return moment.isoformat()


def read_vocabulary(path: Path | None) -> tuple[str, ...]:
    """A vocabulary file's terms: one per line, UTF-8; blank lines and lines starting with ``#`` are skipped.

    Raises:
        UsageError: the file is missing or cannot be read as text.
    """
    if path is None:
        return ()
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise UsageError(f"`vocabulary` file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"`vocabulary` file {path} cannot be read as UTF-8 text ({e})") from None
    return tuple(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))


def parse_channel_speakers(text: str | None) -> tuple[str, ...]:
    """``--channel-speakers`` as one name per channel (``-`` for one left out); empty when not given."""
    if text is None:
        return ()
    try:
        return parse_channel_names(text)
    except ValueError as e:
        raise UsageError(f"`channel_speakers`: {e}") from e
