"""Defaults a court sets once, in a TOML file: the languages it hears, its model, its vocabulary, its formats.

``$XDG_CONFIG_HOME/stt/config.toml`` (by default ``~/.config/stt/config.toml``) is read when it exists;
``--config FILE`` names another. Its ``[transcribe]`` table takes any option of ``stt transcribe``, named as
on the command line without the dashes (``output-dir``) or with underscores (``output_dir``)::

    [transcribe]
    language = "id,en"
    model = "large-v3"
    vocabulary = "/srv/court/pn-jakarta/terms.txt"
    format = ["srt", "json", "docx"]

A ``[live]`` table does the same for ``stt live``, which also takes from ``[transcribe]`` the options the two
commands share (the model, the languages, the vocabulary of the court), so a court sets them once.

What is given on the command line wins, then environment variables, then this file, then stt's defaults.
A relative path in the file (``vocabulary = "terms.txt"``) is taken from the file's own folder.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stt_cli.errors import UsageError

SECTIONS = ("transcribe", "live")


@dataclass(frozen=True)
class Config:
    """A config file as read: where it is, and its tables (empty when there is none)."""

    path: Path | None
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)

    def table(self, name: str) -> dict[str, Any]:
        return self.tables.get(name, {})


def default_path() -> Path:
    """``$XDG_CONFIG_HOME/stt/config.toml``, by default ``~/.config/stt/config.toml``."""
    return Path(os.environ.get("XDG_CONFIG_HOME") or "~/.config").expanduser() / "stt" / "config.toml"


def load(path: Path | None = None) -> Config:
    """Read ``path``, or the default file when it exists (no file is no config).

    Raises:
        UsageError: the file named does not exist, cannot be read, is not TOML, or has a table stt does not
            know.
    """
    chosen = path if path is not None else default_path()
    if path is None and not chosen.is_file():
        return Config(None)
    try:
        data = tomllib.loads(chosen.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"config file {chosen} does not exist") from None
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"config file {chosen} cannot be read ({getattr(e, 'strerror', None) or e})") from e
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"config file {chosen} is not valid TOML ({e})") from e
    where = ", ".join(f"[{s}]" for s in SECTIONS)
    loose = [key for key, value in data.items() if not isinstance(value, dict)]
    if loose:
        raise UsageError(f"config file {chosen}: '{loose[0]}' is at the top level; settings go under {where}")
    unknown = [key for key in data if key not in SECTIONS]
    if unknown:
        raise UsageError(f"config file {chosen}: unknown table [{unknown[0]}]; settings go under {where}")
    return Config(chosen, {name: dict(value) for name, value in data.items()})
