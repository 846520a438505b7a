"""``stt speakers …``: the voice library (enrol, list, remove). Thin: the work is in ``stt_cli.speakers``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stt_cli.cli.admin import fail, guarded_stdout, show_rows
from stt_cli.cli.display import stderr, stdout
from stt_cli.errors import EXIT_USAGE, SttError

if TYPE_CHECKING:
    from stt_cli.speakers import VoiceEncoder, VoiceLibrary

speakers_app = typer.Typer(help="Enrol, list and remove the voices that name speakers.", no_args_is_help=True)

Library = Annotated[
    Path | None,
    typer.Option(
        "--speaker-library",
        envvar="STT_SPEAKER_LIBRARY",
        help="The voice library folder (default: $STT_SPEAKER_LIBRARY).",
        show_default=False,
    ),
]


def _open(folder: Path | None, *, create: bool = False) -> tuple[VoiceEncoder, VoiceLibrary]:
    from stt_cli.speakers import VoiceEncoder, VoiceLibrary

    if folder is None:
        stderr.print(
            "stt: error [usage]: no voice library: pass --speaker-library DIR or set STT_SPEAKER_LIBRARY",
            markup=False,
        )
        raise typer.Exit(EXIT_USAGE)
    encoder = VoiceEncoder.load()
    library = VoiceLibrary.open(folder, (encoder.name, encoder.sha256), create=create)
    for problem in library.problems:
        stderr.print(f"stt: warning: damaged voice entry, not used: {problem}", markup=False)
    return encoder, library


@speakers_app.command("enroll")
def enroll(
    name: Annotated[str, typer.Argument(help="The person's name, as transcripts will show it.")],
    audio: Annotated[
        list[Path] | None, typer.Argument(help="Clips of the person speaking alone.", show_default=False)
    ] = None,
    from_: Annotated[
        Path | None,
        typer.Option("--from", help="A diarized stt JSON transcript to take the voice from.", show_default=False),
    ] = None,
    speaker: Annotated[
        str | None,
        typer.Option(help="With --from: the speaker (SPEAKER_2, or the name shown) who is this person."),
    ] = None,
    recording: Annotated[
        Path | None,
        typer.Option("--audio", help="With --from: the recording, if it has moved since it was transcribed."),
    ] = None,
    speaker_library: Library = None,
) -> None:
    """Store a person's voice (never the audio): from clips, or from a speaker of an earlier transcript."""
    from stt_cli.speakers.enrolment import from_clip, from_transcript
    from stt_cli.speakers.library import check_name

    if bool(audio) == (from_ is not None) or (from_ is not None) != (speaker is not None):
        stderr.print(
            "stt: error [usage]: give clips (stt speakers enroll NAME CLIP...) or --from TRANSCRIPT.json "
            "--speaker SPEAKER_ID, not both",
            markup=False,
        )
        raise typer.Exit(EXIT_USAGE)
    try:
        check_name(name)
        encoder, library = _open(speaker_library, create=True)
        if from_ is not None and speaker is not None:
            clips = [from_transcript(encoder, from_, speaker, recording)]
        else:
            clips = [from_clip(encoder, path) for path in audio or []]
        voice, again = library.enrol(name, clips)
    except SttError as error:
        raise fail(error) from None
    new = [c for c in clips if c not in again]
    with guarded_stdout():
        for clip in again:
            stdout.print(
                f"already enrolled: {clip.source} is in {voice.name}'s voice (not added twice)", markup=False
            )
        stdout.print(
            f"enrolled {voice.name}: {sum(c.seconds for c in new):.1f} s of speech from {len(new)} clip(s) "
            f"({voice.seconds:.1f} s in {len(voice.clips)} clip(s) in all) in {library.folder}",
            markup=False,
        )


@speakers_app.command("list")
def list_voices(speaker_library: Library = None) -> None:
    """Every enrolled person: name, seconds of speech, clips, last enrolled, encoder."""
    try:
        _, library = _open(speaker_library)
    except SttError as error:
        raise fail(error) from None
    rows = [(v.name, f"{v.seconds:.1f}", str(len(v.clips)), v.updated, library.encoder[0]) for v in library.voices]
    if rows or not stdout.is_terminal:
        show_rows(("name", "seconds", "clips", "updated", "encoder"), rows)
        return
    with guarded_stdout():
        stdout.print(f"no voices enrolled in {library.folder}", markup=False)


@speakers_app.command("remove")
def remove(
    name: Annotated[str, typer.Argument(help="The enrolled person's name.")], speaker_library: Library = None
) -> None:
    """Delete a person's voice from the library."""
    try:
        voice = _open(speaker_library)[1].remove(name)
    except SttError as error:
        raise fail(error) from None
    with guarded_stdout():
        stdout.print(f"removed {voice.name} ({voice.seconds:.1f} s in {len(voice.clips)} clip(s))", markup=False)
