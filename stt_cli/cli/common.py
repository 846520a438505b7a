"""Options more than one command takes, defined once."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer


def _formats_help() -> str:
    from stt_cli.options import OutputFormat

    return f"{', '.join(f.value for f in OutputFormat)}: comma list or repeated; all for json,srt,vtt,txt."


Formats = Annotated[list[str], typer.Option("--format", "-f", help=_formats_help())]
LineWidth = Annotated[int, typer.Option(help="Subtitle characters per line (SRT, VTT).")]
LineCount = Annotated[int, typer.Option(help="Subtitle lines per cue (SRT, VTT).")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")]

# How speech is recognised: the same options in every command that loads a model.
Model = Annotated[
    str,
    typer.Option(
        "--model", "-m", help="Bundled name (base, tiny.en), Whisper size (large-v3), hub id, or model folder."
    ),
]
Language = Annotated[
    str | None,
    typer.Option(
        "--language",
        "-l",
        help="Language (id, ind, id-ID, Indonesian), or candidates to detect among with the usual one "
        "first (id,en); detected among all when left out.",
    ),
]
ComputeType = Annotated[
    str, typer.Option(help="auto (int8 on CPU, float16 on GPU), int8, int8_float16, float16, float32, …")
]
Threads = Annotated[int, typer.Option(help="CPU threads; 0 uses every available CPU.")]
InitialPrompt = Annotated[str | None, typer.Option(help="Text to prime decoding with: names, spellings, style.")]
Hotwords = Annotated[str | None, typer.Option(help="Words to bias decoding towards.")]
Vad = Annotated[
    bool,
    typer.Option(
        "--vad/--no-vad",
        help="Skip non-speech with Silero VAD and cut chunks in pauses (stops loops on silence).",
    ),
]
Offline = Annotated[
    bool,
    typer.Option("--offline", envvar="STT_OFFLINE", help="Touch no network at all; a missing model is an error."),
]
ConfigFile = Annotated[
    Path | None,
    typer.Option(
        help="A TOML file of defaults for these options (default: $XDG_CONFIG_HOME/stt/config.toml).",
        dir_okay=False,
    ),
]
ChannelSpeakers = Annotated[
    str | None,
    typer.Option(
        show_default=False,
        help="One speaker per microphone channel, named in channel order, e.g. 'Judge,Witness,-,Defence' "
        "(- leaves a channel out); who speaks is read from the channels' levels, no --diarize needed.",
    ),
]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Log what each stage does.")]


def output_folder(beside: str) -> object:
    """The ``--output-dir`` option, saying what outputs are written beside without it."""
    return typer.Option(
        "--output-dir", "-o", help=f"Write here instead of next to each {beside}.", file_okay=False
    )


OutputDir = Annotated[Path | None, output_folder("input")]

Timecodes = Annotated[
    bool,
    typer.Option(
        "--timecodes/--no-timecodes", help="TXT: put \\[hh:mm:ss] before each turn (DOCX always has them)."
    ),
]
MarkPauses = Annotated[float, typer.Option(help="DOCX: mark pauses of at least this many seconds (0: none).")]
LinesPerPage = Annotated[int, typer.Option(help="DOCX: numbered lines per page.")]
Meta = Annotated[
    list[str] | None,
    typer.Option("--meta", help="A case detail for documents, KEY=VALUE (repeatable): case_number, court, judge…"),
]
MetaFile = Annotated[
    Path | None,
    typer.Option(
        help="Case details for every file, a JSON or TOML table (a <stem>.meta.json/.toml "
        "beside a recording adds its own).",
        dir_okay=False,
    ),
]
Roster = Annotated[
    Path | None,
    typer.Option(
        help="The case roster, TOML ([[participant]] role, name, voice, order): bounds the speakers, names "
        "them by role (Hakim Ketua, Saksi 2 (Budi)), heads the BAS.",
        dir_okay=False,
    ),
]
StartTime = Annotated[
    str | None,
    typer.Option(
        help="Wall-clock start of the recording, e.g. 2026-11-03T09:12:00 (default: the file's "
        "creation_time tag, if any): timecodes then read on the clock."
    ),
]


def go_offline() -> None:
    """Tell every library stt loads that the network is off (stt itself is told by ``offline``)."""
    # huggingface_hub reads these: no library stt loads tries the network (stt itself is told by `offline`).
    for variable in ("STT_OFFLINE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        os.environ[variable] = "1"


def configure_logging(verbose: bool) -> None:
    """Send the library's log to stderr: what each stage does with ``verbose``, else errors only."""
    # The library only logs; the CLI decides what reaches the terminal.
    level = logging.INFO if verbose else logging.ERROR
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for name in ("stt_cli", "faster_whisper"):
        logging.getLogger(name).setLevel(level)
