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


@pytest.mark.parametrize("name", ["transcribe", "live", "status"])
def test_every_option_is_documented(name):
    command = typer.main.get_command(app).commands[name]
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
