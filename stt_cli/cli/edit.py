"""``stt edit``: correct a transcript while listening, in the browser, every change saved as it is made."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stt_cli.cli.display import error_line
from stt_cli.cli.plan import EditArgs, args_of
from stt_cli.errors import SttError, UsageError

if TYPE_CHECKING:
    from stt_cli.review.server import EditorServer
    from stt_cli.review.session import EditSession
    from stt_cli.types import Transcript


def edit(
    ctx: typer.Context,
    transcript: Annotated[Path, typer.Argument(help="A transcript JSON written by `stt transcribe -f json`.")],
    recording: Annotated[
        Path | None,
        typer.Option(
            help="The recording to listen to (default: the one of its name beside the JSON, or where "
            "it was transcribed; either must be the very file, by its sha256)."
        ),
    ] = None,
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port on 127.0.0.1 (default 0: a free one).")] = 0,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Do not open the browser; open the printed URL yourself.")
    ] = False,
    editor: Annotated[
        str | None, typer.Option(help="Who is correcting, for the audit trail (default: the account's name).")
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(help="Open the page here: a second of the recording (734.2), or a DOCX page:line (12:4)."),
    ] = None,
    restore: Annotated[
        int | None,
        typer.Option(min=0, help="Make revision N the newest (a new revision; nothing is lost) and exit."),
    ] = None,
) -> None:
    """Correct a transcript in the browser while listening: every change is saved at once as a new revision,
    with who made it and when. The first line printed is the URL to open."""
    from stt_cli.review.server import EditorServer
    from stt_cli.review.session import EditSession
    from stt_cli.writers.html import find_recording, is_the_recording
    from stt_cli.writers.turns import PARAGRAPH_GAP

    args = args_of(EditArgs, ctx.params)
    name = args.editor.strip() if args.editor and args.editor.strip() else getpass.getuser()
    try:
        session = EditSession(args.transcript, editor=name, gap=PARAGRAPH_GAP, at=None)
    except SttError as error:
        typer.echo(error_line(error), err=True)
        raise typer.Exit(error.exit_code) from None
    try:
        session.at = _opened_at(args.at, session.transcript) if args.at is not None else None
        if args.restore is not None:
            session.history.restore(session.history.revision, args.restore, name)
            session.close()
            now = session.history.revision
            typer.echo(f"{args.transcript}: revision {args.restore} restored as revision {now}", err=True)
            return
        source = args.recording
        if source is not None and not is_the_recording(source, session.transcript):
            raise UsageError(f"`recording` {source}: not the recording this transcript was made from (its size or "
                             f"sha256 differs from {session.transcript.input.sha256[:16]}…)")  # fmt: skip
        if source is None:
            source = find_recording(session.transcript, args.transcript)
        server = EditorServer(page=session.page, history=session.summary, apply=session.apply, recording=source,
                              port=args.port)  # fmt: skip
    except SttError as error:
        session.close()
        typer.echo(error_line(error), err=True)
        raise typer.Exit(error.exit_code) from None
    _serve(server, session, args)


def _opened_at(at: str, transcript: Transcript) -> float:
    """``--at``: seconds, or a page:line of the DOCX (laid out with the default options), as seconds.

    Raises:
        UsageError: neither, or a page:line with no speech.
    """
    try:
        seconds = float(at)
    except ValueError:
        from stt_cli.writers.citation import cite, parse_range

        first, _ = parse_range(at)
        line = cite(transcript, first, first, lines_per_page=25, mark_pauses=10.0)[0]
        if line.start is None:
            raise UsageError(f"`at` {at}: that line holds no speech") from None
        return line.start
    if not seconds >= 0:
        raise UsageError(f"`at` {at}: not a second of the recording")
    return seconds


def _serve(server: EditorServer, session: EditSession, args: EditArgs) -> None:
    typer.echo(server.url)  # the first line: what to open (tests and scripts read it)
    heard = "no recording: the page offers to open one" if server.recording is None else str(server.recording)
    typer.echo(f"stt edit: {args.transcript} at revision {session.history.revision}, listening to {heard}; "
               "Ctrl-C to stop (every change is already saved)", err=True)  # fmt: skip
    if not args.no_browser:
        import webbrowser

        webbrowser.open(server.url)
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()  # waits for a save in progress
        session.close()
    typer.echo(f"stt edit: stopped; {session.saved} change(s) saved in this session, now revision "
               f"{session.history.revision}", err=True)  # fmt: skip
