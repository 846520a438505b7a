"""``stt status``: where a batch stands across all its workers, from the files beside its outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stt_cli.cli.common import output_folder
from stt_cli.cli.display import error_line, say
from stt_cli.errors import EXIT_ALL_FAILED, EXIT_OK, EXIT_SOME_FAILED, SttError

if TYPE_CHECKING:
    from stt_cli.batch.status import BatchState


def status(
    inputs: Annotated[
        list[str],
        typer.Argument(help="The recordings, folders or patterns the batch was given.", show_default=False),
    ],
    output_dir: Annotated[Path | None, output_folder("input (as the batch was run)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the state as one JSON document.")] = False,
    claim_timeout: Annotated[
        str, typer.Option(help="As the workers were given: older claims are reported stale.")
    ] = "10m",
) -> None:
    """Show a batch's state across all workers: done, failed (with codes), pending, claimed (by whom, since
    when), stale claims, and audio hours done and left. Exits 0 when every recording is done, else 1."""
    from stt_cli.batch.inputs import discover
    from stt_cli.batch.status import batch_state, readable
    from stt_cli.cli.parse import parse_duration
    from stt_cli.options import OutputOptions

    try:
        found = discover(inputs)
        timeout = parse_duration(claim_timeout, "claim_timeout", zero=None)
        problems, recordings = readable(found)
        state = batch_state(recordings, OutputOptions(output_dir=output_dir), timeout=timeout)
    except SttError as error:
        say(error_line(error))
        raise typer.Exit(error.exit_code) from None
    for problem in problems:  # a mistyped name, a device: not a recording waiting to be done
        say(error_line(problem))
    if not state.files:
        raise typer.Exit(EXIT_ALL_FAILED)
    if as_json:
        typer.echo(json.dumps(state.to_dict(), indent=2, ensure_ascii=False))
    else:
        _table(state)
    raise typer.Exit(EXIT_OK if state.count("done") == len(state.files) else EXIT_SOME_FAILED)


def _table(state: BatchState) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from stt_cli.batch.status import STATES

    table = Table(title="stt status", title_justify="left", show_edge=False, pad_edge=False)
    for column in ("state", "files", "audio h", "detail"):
        table.add_column(column, justify="right" if column in ("files", "audio h") else "left")
    for name in STATES:
        group = [f for f in state.files if f.state == name]
        if not group:
            continue
        hours = sum(f.seconds or 0.0 for f in group) / 3600
        detail = ""
        if name == "failed":
            detail = ", ".join(f"{code} {n}" for code, n in sorted(state.codes().items()))
        elif name in ("claimed", "stale"):
            detail = "; ".join(f"{f.source.name} by {f.owner} since {f.since}" for f in group[:5])
            detail += f"; … {len(group) - 5} more" if len(group) > 5 else ""
        table.add_row(name, str(len(group)), f"{hours:.2f}", escape(detail))
    console = Console(highlight=False, soft_wrap=True)
    console.print(table)
    console.print(f"audio hours done {state.hours(done=True):.2f}, left {state.hours(done=False):.2f}")
