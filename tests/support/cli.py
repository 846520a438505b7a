"""Running the ``stt`` command in the tests: in-process through typer's CliRunner, on real files."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from stt_cli.cli import app


def stt(*args: object) -> Result:
    """``stt ARGS…`` in this process (paths and bytes become their names).

    The environment is put back afterwards, as a separate process would leave it: ``--offline`` sets
    STT_OFFLINE and HF_HUB_OFFLINE for the libraries, and a later test would otherwise run offline too.
    """
    saved = dict(os.environ)
    try:
        return CliRunner().invoke(app, [os.fsdecode(a) if isinstance(a, bytes) else str(a) for a in args])
    finally:
        os.environ.clear()
        os.environ.update(saved)


def error_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("stt: error")]


def visible(folder: Path) -> list[str]:
    """File names without the hidden resume records."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
