"""The values a command runs with: what the command line (or an environment variable) gave, else the config
file's (``stt_cli.config``), else the option's default; and a case vocabulary read from its file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from stt_cli.config import Config
from stt_cli.errors import UsageError

_NOT_SETTINGS = ("config", "inputs")


def resolve(ctx: typer.Context, config: Config, section: str) -> dict[str, Any]:
    """The command's parameter values, with the config's ``[section]`` filling what was left at its default.

    Raises:
        UsageError: the config names an option the command does not have, or gives it a value it refuses.
    """
    values = dict(ctx.params)
    for key, raw in config.table(section).items():
        param = _parameters(ctx).get(key)
        if param is None or param.name is None or param.name in _NOT_SETTINGS:
            raise UsageError(
                f"config file {config.path}: unknown setting '{key}' in [{section}]; settings are the options of "
                f"stt {section}, without their dashes"
            )
        source = ctx.get_parameter_source(param.name)
        if source is not None and source.name != "DEFAULT":
            continue  # the command line and the environment win
        value = [raw] if param.multiple and isinstance(raw, str) else raw
        try:
            values[param.name] = _beside(config, param.process_value(ctx, value))
        except typer.BadParameter as e:
            raise UsageError(f"config file {config.path}: {key} = {raw!r}: {e.message}") from None
    return values


def _beside(config: Config, value: Any) -> Any:
    """A path the config gives, ``~`` expanded and, when relative, taken from the config file's folder (a
    court's config and its vocabulary live together, wherever stt is run from)."""
    if not isinstance(value, Path) or config.path is None:
        return value
    value = value.expanduser()
    return value if value.is_absolute() else config.path.parent / value


def check(config: Config, section: str) -> None:
    """Refuse a config whose ``[section]`` names an option ``stt section`` does not have, or a value it refuses,
    without running anything (``stt doctor``).

    Raises:
        UsageError: what is wrong, as ``resolve`` would say it.
    """
    from types import SimpleNamespace

    from stt_cli.cli import app
    from stt_cli.cli.transcribe import plan

    command = typer.main.get_command(app).commands[section]  # type: ignore[attr-defined]
    with command.make_context(section, [], resilient_parsing=True) as ctx:
        values = resolve(ctx, config, section)
    try:
        plan(SimpleNamespace(**values))  # the library's own checks: formats, languages, sizes, vocabulary
    except UsageError as e:
        raise blamed(e, config, section) from None


def blamed(error: UsageError, config: Config, section: str) -> UsageError:
    """``error`` saying that the value may have come from the config file, when one gave any setting."""
    if config.path is None or not config.table(section):
        return error
    return UsageError(f"{error} (a setting not given on the command line may come from config file {config.path})")


def _parameters(ctx: typer.Context) -> dict[str, Any]:
    """Each parameter under every name a config may use for it: ``output_dir``, ``output-dir``, ``format``."""
    names: dict[str, Any] = {}
    for param in ctx.command.params:
        if param.name is None:
            continue
        names[param.name] = names[param.name.replace("_", "-")] = param
        for option in [*param.opts, *param.secondary_opts]:
            if option.startswith("--"):
                names.setdefault(option[2:], param)
    return names


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
    from stt_cli.speakers.channels import parse_channel_names

    try:
        return parse_channel_names(text)
    except ValueError as e:
        raise UsageError(f"`channel_speakers`: {e}") from e
