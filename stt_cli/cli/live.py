"""``stt live``: options in, one live session, text shown as it is committed. All work is in ``stt_cli.live``."""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from stt_cli.cli import settings
from stt_cli.cli.common import (
    ChannelSpeakers,
    ComputeType,
    ConfigFile,
    Formats,
    Hotwords,
    InitialPrompt,
    Language,
    LineCount,
    LinesPerPage,
    LineWidth,
    MarkPauses,
    Model,
    Offline,
    Quiet,
    Threads,
    Timecodes,
    Vad,
    Verbose,
    configure_logging,
    go_offline,
    output_folder,
)
from stt_cli.cli.display import error_line, interrupts, say
from stt_cli.cli.parse import parse_channel_speakers
from stt_cli.cli.plan import LiveArgs, args_of
from stt_cli.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_SOME_FAILED, InputNotFoundError, SttError, UsageError
from stt_cli.options import DEFAULT_MODEL, AsrOptions, Device

if TYPE_CHECKING:
    from stt_cli.live.job import LiveJob, LiveOutcome
    from stt_cli.live.session import LiveEvent


def live(
    ctx: typer.Context,
    source: Annotated[
        str | None,
        typer.Argument(
            help="Nothing: the microphone. '-': audio on stdin (a container, or raw PCM with --rate). A file: "
            "replayed at --pace, or read as it grows with --follow.",
            show_default=False,
        ),
    ] = None,
    follow: Annotated[
        bool, typer.Option("--follow", help="The file is still being written: read it as it grows.")
    ] = False,
    idle: Annotated[
        float, typer.Option(help="--follow: the file is finished once it has not grown for this many seconds.")
    ] = 10.0,
    pace: Annotated[
        float, typer.Option(help="A finished file: replay at this many times real time (0: as fast as decoded).")
    ] = 1.0,
    rate: Annotated[
        int | None, typer.Option(help="stdin is raw signed 16-bit little-endian PCM at this rate (Hz).")
    ] = None,
    channels: Annotated[int, typer.Option(help="Raw PCM: interleaved channels.")] = 1,
    microphone: Annotated[
        str | None, typer.Option(help="Microphone by index or name (default: the system's; --list-devices).")
    ] = None,
    list_devices: Annotated[bool, typer.Option("--list-devices", help="List the microphones and exit.")] = False,
    jsonl: Annotated[
        bool,
        typer.Option("--jsonl", help="Print each commit as a JSON line (start, end, text, words, committed_at)."),
    ] = False,
    name: Annotated[
        str | None, typer.Option(help="Stem of the files written for a microphone or stdin (default live-<time>).")
    ] = None,
    record: Annotated[
        Path | None, typer.Option(help="Keep the audio heard here (16 kHz mono WAV).", dir_okay=False)
    ] = None,
    final_pass: Annotated[
        bool,
        typer.Option(
            "--final-pass",
            help="Afterwards, transcribe the audio again offline for the archive copy (<stem>.<ext>; the "
            "live one is kept as <stem>.live.json).",
        ),
    ] = False,
    channel_speakers: ChannelSpeakers = None,
    model: Model = DEFAULT_MODEL,
    language: Language = None,
    device: Annotated[Device, typer.Option(help="auto uses a CUDA GPU when one is visible.")] = Device.auto,
    compute_type: ComputeType = "auto",
    threads: Threads = 0,
    beam_size: Annotated[
        int,
        typer.Option(help="Beam search width; greedy (1) keeps up. An utterance's last decode: 5 or more."),
    ] = 1,
    initial_prompt: InitialPrompt = None,
    hotwords: Hotwords = None,
    vad: Vad = True,
    formats: Formats = ["json", "txt"],  # noqa: B006 - typer needs a literal default; it is never mutated
    max_line_width: LineWidth = 42,
    max_line_count: LineCount = 2,
    timecodes: Timecodes = True,
    mark_pauses: MarkPauses = 10.0,
    lines_per_page: LinesPerPage = 25,
    output_dir: Annotated[Path | None, output_folder("followed file (or in the current folder)")] = None,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite", help="Outputs (and --record) that exist already are kept as <stem>.edited-<time>.<ext>."
        ),
    ] = False,
    offline: Offline = False,
    config: ConfigFile = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Transcribe as it is heard, from a microphone, stdin or a growing file; write the final transcript at the
    end (input ended, --idle, Ctrl-C or SIGTERM)."""
    from stt_cli.cli.config import load

    try:
        found = load(config)
        args = args_of(LiveArgs, settings.resolve(ctx, found, "live", shared="transcribe"))
        configure_logging(args.verbose)
        if args.offline:
            go_offline()
        if args.list_devices:
            _list_devices()
            raise typer.Exit(EXIT_OK)
        job = _job(args)
        names = parse_channel_speakers(args.channel_speakers)
        outcome = _listen(args.asr(), job, names, offline=args.offline, jsonl=args.jsonl, quiet=args.quiet)
    except SttError as error:
        say(error_line(error))
        raise typer.Exit(error.exit_code) from None
    except KeyboardInterrupt:  # while loading the model: nothing was heard yet
        say("stt: interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    for problem in outcome.problems:
        say(error_line(problem))
    if not args.quiet:
        for path in outcome.outputs:
            say(f"wrote {path}")
    raise typer.Exit(EXIT_SOME_FAILED if outcome.problems else EXIT_OK)


def _job(args: LiveArgs) -> LiveJob:
    from stt_cli.live.job import LiveJob
    from stt_cli.live.session import LiveSource

    if args.follow and args.source in (None, "-"):
        raise UsageError("--follow needs the file a recorder is writing")
    if args.rate is not None and args.source != "-":
        raise UsageError("--rate is for raw PCM on stdin ('stt live - --rate 16000')")
    finite = math.isfinite(args.pace) and math.isfinite(args.idle)  # "nan" passes every comparison
    slow = args.rate is not None and args.rate < 1000
    if not finite or args.pace < 0 or args.idle <= 0 or args.channels < 1 or slow:
        raise UsageError("--pace must be 0 or more, --idle above 0, --channels 1 or more, --rate 1000 Hz or more")
    if args.source is None:
        source = LiveSource("microphone", device=args.microphone)
    elif args.source == "-":
        source = LiveSource("stdin", rate=args.rate, channels=args.channels, stdin_fd=sys.stdin.fileno())
    else:
        path = Path(args.source)
        if not args.follow and not path.is_file():
            raise UsageError(f"{args.source}: no such file (a recording still being written needs --follow)")
        if args.follow and not path.parent.is_dir():  # a file yet to be created is waited for; its folder not
            raise InputNotFoundError(path, "its folder does not exist")
        source = LiveSource("follow" if args.follow else "file", path=path, idle=args.idle, pace=args.pace)
    return LiveJob(source=source, output=args.output(), name=args.name, record=args.record,
                   final_pass=args.final_pass, overwrite=args.overwrite)  # fmt: skip


def _listen(
    options: AsrOptions, job: LiveJob, channels: tuple[str, ...], *, offline: bool, jsonl: bool, quiet: bool
) -> LiveOutcome:
    from stt_cli.batch.guards import check_writable
    from stt_cli.live.job import run_live
    from stt_cli.pipeline import Transcriber

    check_writable(job.folder)
    if job.source.kind == "microphone":  # no device, or no PortAudio: say so before loading the model
        from stt_cli.live.microphone import pick_device

        pick_device(job.source.device)
    transcriber = Transcriber.load(options, offline=offline, channel_speakers=channels)
    stop = threading.Event()
    display = LiveDisplay(sys.stdout, jsonl=jsonl, stop=stop)
    if not quiet:  # on stderr, so a JSON-lines reader on stdout is not disturbed
        say(f"listening to {job.source.label} ({transcriber.model.name}); Ctrl-C ends it, writing the transcript")
        if job.source.kind == "follow" and job.source.path is not None and not job.source.path.exists():
            say(f"waiting for {job.source.path} to be created (by the recorder)")
    interrupts.stop_with(stop.set)
    try:
        return run_live(transcriber, job, display.show, stop)
    finally:
        interrupts.stop_with(None)
        display.end()


class LiveDisplay:
    """Committed text on stdout as it is decided: lines with timecodes (and, at a terminal, the provisional
    tail dimmed after them, rewritten in place), or one JSON object per commit with ``--jsonl``.

    A reader that goes away (``stt live | head``) ends the session as Ctrl-C would: the transcript is still
    written.
    """

    def __init__(self, out: TextIO, *, jsonl: bool, stop: threading.Event) -> None:
        self.out, self.jsonl, self.stop = out, jsonl, stop
        self.terminal = out.isatty() and not jsonl
        self.closed = False

    def show(self, event: LiveEvent) -> None:
        if self.closed:
            return
        if self.jsonl:
            text = self._commit_json(event) if event.update.committed else ""
        elif self.terminal:
            text = self._terminal(event)
        else:
            text = _closed_lines(event)
        self._write(text)

    def end(self) -> None:
        if self.terminal and not self.closed:
            self._write("\r\x1b[2K")

    def _commit_json(self, event: LiveEvent) -> str:
        words = event.update.committed
        record = {
            "start": round(words[0].start, 3), "end": round(words[-1].end, 3),
            "text": "".join(w.text for w in words).strip(),
            "words": [{"start": round(w.start, 3), "end": round(w.end, 3), "text": w.text.strip(),
                       "probability": round(w.probability, 4), "speaker": who}
                      for w, who in zip(words, event.speakers or [None] * len(words), strict=True)],
            "committed_at": round(event.committed_at, 3), "heard": round(event.update.heard, 3),
            "line_end": bool(event.lines) and not event.open_line,
        }  # fmt: skip
        return json.dumps(record, ensure_ascii=False) + "\n"

    def _terminal(self, event: LiveEvent) -> str:
        text = _closed_lines(event, "\r\x1b[2K")
        words = (*event.open_line, *event.update.provisional)
        if not words:
            return text + "\r\x1b[2K"
        width = shutil.get_terminal_size().columns - 12
        committed = "".join(w.text for w in event.open_line).strip()
        provisional = "".join(w.text for w in event.update.provisional)
        shown = (committed + provisional)[-width:]  # the end of a long line, on one screen line
        cut = max(0, len(shown) - len(provisional))
        return text + f"\r\x1b[2K{_clock(words[0].start)} {shown[:cut]}\x1b[2m{shown[cut:]}\x1b[0m"

    def _write(self, text: str) -> None:
        if not text:
            return
        try:
            self.out.write(text)
            self.out.flush()
        except (BrokenPipeError, ValueError):
            self.closed = True
            self.stop.set()
            # Python would report the broken pipe again when it flushes stdout at exit.
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), self.out.fileno())


def _closed_lines(event: LiveEvent, before: str = "") -> str:
    """The lines an event closed, with timecodes and (with ``--channel-speakers``) who said them."""
    return "".join(
        f"{before}{_clock(line.start)} {f'{line.speaker}: ' if line.speaker else ''}{line.text}\n"
        for line in event.lines
    )


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"[{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}]"


def _list_devices() -> None:
    from stt_cli.errors import LiveSourceError
    from stt_cli.live.microphone import input_devices

    found_any = input_devices()
    if not found_any:  # an empty list looked like a hung or broken command
        raise LiveSourceError("microphone", "PortAudio sees no input device (is a microphone plugged in?)")
    for found in found_any:
        mark = "*" if found.default else " "
        typer.echo(f"{mark} {found.index:>3}  {found.name}  ({found.channels} ch, {found.sample_rate} Hz)")
