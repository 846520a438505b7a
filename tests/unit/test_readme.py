"""The README stays true: CI runs its commands word for word, and it documents every option and exit code."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from stt_cli import errors
from stt_cli.cli import app

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def bash_block(heading: str) -> list[str]:
    section = README.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, f"no bash block under ## {heading}"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_ci_runs_the_readme_install_main_command_and_tests_word_for_word():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for heading in ("Install", "Use", "Test"):
        for line in bash_block(heading):
            assert line in ci, f"README {heading} command not run by .ci/run: {line}"


def test_every_transcribe_option_is_documented():
    command = typer.main.get_command(app).commands["transcribe"]
    for param in command.params:
        for name in [*param.opts, *param.secondary_opts]:
            if name.startswith("-") and name != "--help":
                assert f"`{name}`" in README, f"{name} missing from the README"


def test_every_exit_code_is_documented():
    codes = [getattr(errors, name) for name in dir(errors) if name.startswith("EXIT_")]
    table = README.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    for code in codes:
        assert f"\n| {code} |" in table


def test_every_error_code_is_documented():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    abstract = {errors.SttError, errors.InputError}
    for cls in subclasses(errors.SttError):
        if cls not in abstract:
            assert f"`{cls.code}`" in README, f"error code {cls.code} missing from the README"
