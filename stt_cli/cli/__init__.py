"""The ``stt`` program: a typer app whose commands are thin (options in, one library call, the outcome
shown). ``transcribe.py`` is the main command, ``admin.py`` the models and doctor commands, ``display.py`` how
everything looks."""

from __future__ import annotations

import signal
from typing import Annotated

import typer

from stt_cli.cli.admin import doctor, models_app
from stt_cli.cli.cite import cite
from stt_cli.cli.display import interrupts
from stt_cli.cli.edit import edit
from stt_cli.cli.live import live
from stt_cli.cli.redact import redact
from stt_cli.cli.render import render
from stt_cli.cli.speakers import speakers_app
from stt_cli.cli.status import status
from stt_cli.cli.transcribe import transcribe
from stt_cli.version import TOOL

app = typer.Typer(
    name="stt",
    help="Offline transcription of court hearings: who said what, and when.",
    add_completion=False,
    no_args_is_help=True,
    # A traceback must never print a token or a confidential path from a local variable.
    pretty_exceptions_show_locals=False,
)
app.command()(transcribe)
app.command()(render)
app.command()(edit)
app.command()(cite)
app.command()(redact)
app.command()(live)
app.command()(status)
app.add_typer(models_app, name="models")
app.add_typer(speakers_app, name="speakers")
app.command("doctor")(doctor)


def _version(value: bool) -> None:
    if value:
        typer.echo(TOOL)
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Offline transcription of court hearings: who said what, and when."""


def main() -> None:
    """The ``stt`` program: Ctrl-C and SIGTERM stop it cleanly while it works, and are ignored once the
    command has finished.

    Python puts the default handlers back while it shuts down, and a Ctrl-C then killed a run whose
    transcripts were all written (exit -2 instead of 0). An ignored signal stays ignored through shutdown,
    in every thread (a blocking mask would not: it is per thread, and CTranslate2's worker threads took the
    signal). Done here, at the process's edge, so that a command run inside another Python process, as the
    tests do, leaves that process's signal handling alone.
    """
    interrupts.install()
    try:
        app()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)


__all__ = ["app", "main"]
