"""``stt models …`` and ``stt doctor``: what a court IT department runs to trust the install. Thin, as every
command is."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import typer.core

from stt_cli.cli.display import error_line, silence, stderr, stdout, with_flags
from stt_cli.errors import EXIT_ALL_FAILED, EXIT_SOME_FAILED, SttError

if TYPE_CHECKING:
    from stt_cli.privacy import Check

Offline = Annotated[
    bool, typer.Option("--offline", envvar="STT_OFFLINE", help="Touch no network: a model not here is an error.")
]
models_app = typer.Typer(help="List, check, locate, download and import models.", no_args_is_help=True)


def fail(error: SttError) -> typer.Exit:
    """The error's one line on stderr, and the exit that carries its code (``raise fail(e) from None``)."""
    stderr.print(error_line(error), markup=False)
    return typer.Exit(error.exit_code)


@contextlib.contextmanager
def guarded_stdout() -> Iterator[None]:
    """Everything a command prints, flushed inside: ``| head -1`` closing the pipe ends the command quietly
    with 0 (the reader had what it wanted); a full disk (``> /dev/full``) is one error line and exit 3."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        silence(sys.stdout)
        raise typer.Exit(0) from None
    except OSError as e:
        silence(sys.stdout)
        stderr.print(
            f"stt: error [output_unwritable]: cannot write to standard output ({e.strerror or e})", markup=False
        )
        raise typer.Exit(EXIT_ALL_FAILED) from None


@models_app.command("list")
def list_models() -> None:
    """Every model here: bundled, imported and downloaded, with size, sha256, languages and place."""
    from stt_cli.models.store import inventory

    columns = ("name", "kind", "origin", "size MB", "sha256", "languages", "where")
    rows = []
    try:
        found = inventory()
    except SttError as error:
        raise fail(error) from None
    for m in found:
        where = str(m.path) if m.path else f"unusable: {m.problem}"
        size = f"{m.size_bytes / 2**20:.0f}" if m.size_bytes else "-"
        rows.append((m.name, m.kind, m.origin, size, m.sha256 or "-", m.languages or "-", where))
    show_rows(columns, rows, short={4: 16})


def show_rows(
    columns: tuple[str, ...], rows: Sequence[tuple[str, ...]], *, short: dict[int, int] | None = None
) -> None:
    """A table on a terminal (columns in ``short`` cut to that width), whole values tab-separated for scripts."""
    from rich.table import Table

    with guarded_stdout():
        if not stdout.is_terminal:
            for row in (columns, *rows):
                typer.echo("\t".join(row))  # plain: rich would expand the tabs
            return
        table = Table(show_edge=False, pad_edge=False)
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*(value[: (short or {}).get(i, len(value))] for i, value in enumerate(row)))
        stdout.print(table)


@models_app.command("path")
def path(
    name: Annotated[str, typer.Argument(help="A model name, e.g. base, tiny.en, or an imported name.")],
    offline: Offline = False,
) -> None:
    """Print the folder a model loads from (joining the bundled parts first if needed)."""
    from stt_cli import models

    try:
        folder = models.resolve(name, offline=offline).path
    except SttError as error:
        raise fail(error) from None
    with guarded_stdout():
        stdout.print(str(folder), markup=False)


@models_app.command("verify")
def verify() -> None:
    """Recompute the sha256 of every model file against stt_cli/assets/manifest.json and import records."""
    from stt_cli.models.store import verify as run_checks

    try:
        checks = run_checks()
    except SttError as error:
        raise fail(error) from None
    with guarded_stdout():
        for check in checks:
            status = "ok" if check.ok else "FAILED"
            stdout.print(f"{status:6} {check.model:12} {check.path}  {check.detail}", markup=False)
    failed = [c for c in checks if not c.ok]
    if failed:
        stderr.print(
            f"stt: {len(failed)} model file(s) failed verification: do not use them; reinstall the bundled models "
            "(pip install --force-reinstall, git checkout -- stt_cli/assets) or import the model again",
            markup=False,
        )
        raise typer.Exit(EXIT_SOME_FAILED)
    with guarded_stdout():
        stdout.print(f"all {len(checks)} model files verified")


@models_app.command("download")
def download(
    name: Annotated[
        str, typer.Argument(help="A Whisper size (large-v3) or a hub id (Systran/faster-whisper-small).")
    ],
    offline: Offline = False,
) -> None:
    """Download a model into the store with progress, record its checksums and verify it (then copy the store,
    or `stt models import` the folder, to offline machines)."""
    from stt_cli import models

    try:
        resolved = models.resolve(name, offline=offline, progress=not offline)
    except SttError as error:
        raise fail(error) from None
    with guarded_stdout():
        stdout.print(
            f"{name}: {resolved.path} (verified; model.bin sha256 {resolved.sha256[:16]}…, {resolved.origin})",
            markup=False,
        )


@models_app.command("import")
def import_(
    folder: Annotated[
        Path, typer.Argument(help="A CTranslate2 Whisper model folder copied from another machine.")
    ],
    name: Annotated[
        str | None, typer.Option(help="Name to use with --model (default: the folder's name).")
    ] = None,
) -> None:
    """Copy a model folder into the store and record its checksums; then use it with --model NAME."""
    from stt_cli.models.store import import_model

    try:
        model = import_model(folder, name)
    except SttError as error:
        raise fail(error) from None
    with guarded_stdout():
        stdout.print(f"imported {model.name} into {model.path} (sha256 {str(model.sha256)[:16]}…)", markup=False)


def doctor(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(help="The config file to check (default: $XDG_CONFIG_HOME/stt/config.toml).", dir_okay=False),
    ] = None,
) -> None:
    """Check this machine: Python, libraries, device, models, store, config, privacy. Each line says ok or what
    to do."""
    lines: list[tuple[bool, str]] = []
    lines.append((sys.version_info[:2] == (3, 11), f"Python {sys.version.split()[0]} (stt is built for 3.11)"))
    lines += _torch_pair()
    for package in ("ctranslate2", "faster_whisper", "pyannote.audio", "av"):
        try:
            module = __import__(package, fromlist=["__version__"])
            lines.append((True, f"{package} {getattr(module, '__version__', '?')}"))
        except Exception as e:  # a broken install shows up here as any kind of error
            lines.append((False, f"{package} does not import ({type(e).__name__}): {_reinstall()}"))
    lines.append(_environment_line())
    try:
        import ctranslate2

        gpus = ctranslate2.get_cuda_device_count()
        lines.append((True, f"{gpus} CUDA GPU(s) found: --device auto uses {'cuda' if gpus else 'cpu'}"))
    except Exception as e:
        lines.append((False, f"cannot query CUDA ({type(e).__name__}); --device cpu still works"))
    import av

    libavformat = ".".join(map(str, av.library_versions["libavformat"]))
    lines.append((True, f"no ffmpeg program needed: PyAV {av.__version__} carries libavformat {libavformat}"))
    lines += _model_lines()
    root = ctx.find_root().command
    lines.append(_config_line(config, root.commands["transcribe"]))  # type: ignore[attr-defined]
    for check in privacy_audit():
        lines.append((check.ok, f"{check.library}: {check.detail}"))
    offline = os.environ.get("STT_OFFLINE", "") not in ("", "0")
    lines.append(
        (True, f"offline mode {'on' if offline else 'off'} (--offline or STT_OFFLINE=1 forbids downloads)")
    )
    with guarded_stdout():
        for ok, text in lines:
            stdout.print(f"{'ok  ' if ok else 'FIX '} {text}", markup=False)
    if not all(ok for ok, _ in lines):
        raise typer.Exit(EXIT_ALL_FAILED)


def _torch_pair() -> list[tuple[bool, str]]:
    """torch, then torchaudio loaded beside it: the two are built for each other, and torchaudio's compiled
    library (libtorchaudio.so) fails to load beside any other torch build."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        import torch
    except Exception as e:  # a broken install shows up here as any kind of error
        return [(False, f"torch does not import ({type(e).__name__}): {_reinstall()}")]
    lines = [(True, f"torch {torch.__version__}")]
    try:
        import torchaudio
        import torchaudio.compliance.kaldi  # the part stt's speaker encoder uses (diarization/campplus.py)
    except Exception as e:
        try:
            installed = version("torchaudio")
        except PackageNotFoundError:
            installed = "(not installed)"
        pinned = _pinned(("torch", "torchaudio"))
        fix = f"pip install {' '.join(f'{n}=={v}' for n, v in pinned.items())}" if len(pinned) == 2 else ""
        problem = f"({type(e).__name__}: the two must be built for each other)"
        lines.append((False, f"torchaudio {installed} does not load beside torch {version('torch')} {problem}: "
                      + _reinstall(fix)))  # fmt: skip
        return lines
    lines.append((True, f"torchaudio {torchaudio.__version__} loads beside torch {torch.__version__}"))
    return lines


def _pinned(names: tuple[str, ...]) -> dict[str, str]:
    """The exact versions stt's own requirements pin these packages to (``torch==2.11.0``)."""
    import re
    from importlib.metadata import PackageNotFoundError, requires

    try:
        wanted = requires("stt-cli") or []
    except PackageNotFoundError:
        return {}
    pins = {}
    for line in wanted:
        found = re.fullmatch(r"\s*([A-Za-z0-9._-]+)\s*==\s*([^\s;,]+)\s*", line)
        if found and found.group(1).lower() in names:
            pins[found.group(1).lower()] = found.group(2)
    return pins


def _reinstall(instead: str = "") -> str:
    """What to run to put the tested packages back: the lock this stt carries, or else ``instead``."""
    from stt_cli.provenance import LOCK

    if LOCK.is_file():
        return f"run pip install --require-hashes -r {LOCK}" + (f" (or {instead})" if instead else "")
    return f"run {instead}" if instead else "reinstall stt (pip install --force-reinstall stt-cli)"


def _environment_line() -> tuple[bool, str]:
    """The installed packages against the tested lock: information, not a fault (pip without the lock picks
    newer releases, which work); every transcript records the same comparison."""
    from stt_cli.provenance import LOCK, environment

    found = environment()
    if found.lock_sha256 is None:
        return True, "environment: this install carries no requirements.lock to compare with"
    digest = found.lock_sha256[:16]
    if found.matches:
        return True, f"environment: exactly the tested requirements.lock (sha256 {digest}…)"
    shown = ", ".join(found.differences[:4]) + (", …" if len(found.differences) > 4 else "")
    return True, (
        f"environment: {len(found.differences)} package(s) differ from the tested requirements.lock "
        f"(sha256 {digest}…): {shown}; to install exactly the tested set: pip install --require-hashes -r {LOCK}"
    )


def _config_line(path: Path | None, transcribe: typer.core.TyperCommand) -> tuple[bool, str]:
    from stt_cli.cli import config, settings

    try:
        found = config.load(path)
        settings.check(found, transcribe)
    except SttError as error:
        return False, f"config: {with_flags(str(error))}"
    if found.path is None:
        return True, f"config: none ({config.default_path()} does not exist; it is optional)"
    keys = sorted(found.table("transcribe"))
    return (
        True,
        f"config {found.path} in force: {len(keys)} setting(s) for transcribe ({', '.join(keys) or 'none'})",
    )


def _model_lines() -> list[tuple[bool, str]]:
    from stt_cli import models
    from stt_cli.models.store import inventory

    try:
        found = inventory()
    except SttError as error:
        return [(False, str(error))]
    lines = [
        (m.problem is None, f"model {m.name} ({m.kind}, {m.origin}): " + (m.problem or "present, verified"))
        for m in found
    ]
    store = models.store_dir()
    if store.exists():
        usable = store.is_dir() and os.access(store, os.W_OK | os.X_OK)
        what = "writable" if usable else ("not a folder" if not store.is_dir() else "not writable")
    else:
        parent = next((p for p in store.parents if p.exists()), store.parent)
        usable = parent.is_dir() and os.access(parent, os.W_OK | os.X_OK)
        what = "absent; it can be created" if usable else "absent and cannot be created"
    lines.append((usable, f"model store {store} is {what}" + ("" if usable else ": set STT_MODELS_DIR")))
    return lines


def privacy_audit() -> list[Check]:
    from stt_cli.privacy import audit

    return audit()
