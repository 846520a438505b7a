"""The README stays true: CI runs its commands word for word, and it documents every option and exit code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
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


def _commands(group=None, path=()):
    """Every command of the program, nested ones included, with its words (``("speakers", "enroll")``)."""
    group = group or typer.main.get_command(app)
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name), command


COMMANDS = dict(_commands())


@pytest.mark.parametrize("words", list(COMMANDS), ids=[" ".join(w) for w in COMMANDS])
def test_every_option_of_every_command_is_documented(words):
    for param in COMMANDS[words].params:
        for name in [*param.opts, *param.secondary_opts]:
            if name.startswith("-") and name != "--help":
                assert f"`{name}`" in README, f"stt {' '.join(words)} {name} missing from the README"


def _examples() -> list[str]:
    """Every ``stt …`` command the README shows: in its code blocks, and inline (`` `stt …` ``), placeholders
    (``NAME``, ``[--name NAME]``) and ``…`` left out."""
    found, fenced = [], None
    for line in README.splitlines():
        if line.startswith("```"):
            fenced = None if fenced is not None else line[3:].strip()
        elif fenced in ("bash", "sh", "") and line.strip().startswith("stt "):
            found.append(line.split("  #")[0].strip())
    found += re.findall(r"`(stt [^`]+)`", README)
    return sorted({e for e in found if not re.search(r"[A-Z]{3,}|\[|…|\.\.\.|<|\|", e)})


@pytest.mark.parametrize("example", _examples())
def test_every_example_in_the_readme_is_a_command_stt_takes(example):
    import shlex

    from typer.testing import CliRunner

    words = shlex.split(example)[1:]
    for depth in (2, 1):
        if tuple(words[:depth]) in COMMANDS:
            command, args = COMMANDS[tuple(words[:depth])], words[depth:]
            break
    else:
        raise AssertionError(f"{example}: no such command")
    try:
        command.make_context(" ".join(words[:depth]), list(args), resilient_parsing=False)
    except typer.Exit:
        pass
    except Exception as e:  # an unknown option, or a value the option refuses
        if type(e).__name__ not in ("MissingParameter",):
            raise AssertionError(f"{example}: {type(e).__name__}: {e}") from None
    assert CliRunner().invoke(app, [*words[:depth], "--help"]).exit_code == 0


def test_the_help_shows_every_format_and_what_rich_would_take_for_markup():
    from typer.testing import CliRunner

    from stt_cli.options import OutputFormat

    for command in ("transcribe", "render", "live"):
        shown = " ".join(CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"}).stdout.split())
        for fmt in OutputFormat:
            assert fmt.value in shown.split("--format", 1)[1][:400], (command, fmt)
        assert "[hh:mm:ss]" in shown, command


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


def test_the_scheduler_examples_in_the_readme_are_the_files_that_are_tested():
    for example in ("examples/slurm/transcribe-array.sbatch", "examples/kubernetes/transcribe-indexed-job.yaml"):
        assert (ROOT / example).read_text(encoding="utf-8").rstrip() in README


def test_the_indexed_job_gives_stt_the_shard_count_it_runs_with():
    import yaml

    from stt_cli.batch.shards import Shard
    from stt_cli.cli.parse import shard_from_environment as from_environment

    job = yaml.safe_load((ROOT / "examples/kubernetes/transcribe-indexed-job.yaml").read_text(encoding="utf-8"))
    spec = job["spec"]
    container = spec["template"]["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert spec["completionMode"] == "Indexed" and int(env["STT_SHARD_COUNT"]) == spec["completions"]
    assert container["command"][:2] == ["stt", "transcribe"] and "--steal" in container["command"]
    shards = [from_environment({**env, "JOB_COMPLETION_INDEX": str(i)}) for i in range(spec["completions"])]
    assert shards == [Shard(i, spec["completions"], "the Indexed Job") for i in range(spec["completions"])]


def test_the_editor_keys_in_the_readme_are_the_page_s_keys():
    from stt_cli.review.page import SHORTCUTS

    section = README.split("## `stt edit`", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert rows == [f"| `{key}` | {action} |" for key, action, _ in SHORTCUTS]
