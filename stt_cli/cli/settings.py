"""The values a command runs with: what the command line (or an environment variable) gave, else the config
file's (``stt_cli.cli.config``), else the option's default."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import typer
import typer.core

from stt_cli.cli.config import Config
from stt_cli.errors import UsageError

_NOT_SETTINGS = ("config", "inputs")


def resolve(ctx: typer.Context, config: Config, section: str, *, shared: str | None = None) -> dict[str, Any]:
    """The command's parameter values, with the config filling what was left at its default: first the
    options the command shares with the ``[shared]`` table (``stt live`` takes a court's ``[transcribe]`` model
    and language), then its own ``[section]``.

    Raises:
        UsageError: the command's own table names an option the command does not have, or a table gives a value
            the option refuses.
    """
    values = dict(ctx.params)
    tables = [(shared, False)] if shared else []
    for name, strict in [*tables, (section, True)]:
        for key, raw in config.table(name).items():
            param = _parameters(ctx).get(key)
            if param is None or param.name is None or param.name in _NOT_SETTINGS:
                if not strict:
                    continue  # an option of the other command
                raise UsageError(
                    f"config file {config.path}: unknown setting '{key}' in [{section}]; settings are the options "
                    f"of stt {section}, without their dashes"
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


def check(config: Config, command: typer.core.TyperCommand) -> None:
    """Refuse a config whose table for ``command`` (``stt transcribe``) names an option it does not have, or a
    value it refuses, without running anything (``stt doctor``).

    Raises:
        UsageError: what is wrong, as ``resolve`` would say it.
    """
    from stt_cli.cli.plan import TranscribeArgs, args_of, plan

    section = command.name or "transcribe"
    with command.make_context(section, [], resilient_parsing=True) as ctx:
        values = resolve(typing.cast(typer.Context, ctx), config, section)  # TyperCommand makes typer's
    try:
        # The library's own checks (formats, languages, sizes, vocabulary), on no recording.
        plan(args_of(TranscribeArgs, {**values, "inputs": ()}))
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
