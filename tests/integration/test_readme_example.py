"""The README's "As a library" example runs as written, on an Indonesian hearing-like recording."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.support.media import encode_like, load_mono16k

pytestmark = pytest.mark.integration
README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_library_example_in_the_readme_runs_as_written(tmp_path, data_dir):
    section = README.read_text(encoding="utf-8").split("\n## As a library\n", 1)[1].split("\n## ", 1)[0]
    example = re.search(r"```python\n(.*?)```", section, re.S)
    assert example, "no python block under ## As a library"
    clips = sorted((data_dir / "id_commonvoice").glob("*.flac"))[:3]
    speech = np.concatenate([load_mono16k(c) for c in clips])
    encode_like(speech, tmp_path / "hearing.mp3", codec="mp3", rate=44_100, layout="mono")
    result = subprocess.run(
        [sys.executable, "-c", example.group(1)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines and all(re.match(r"^ *\d+\.\d\d \S", line) for line in lines), result.stdout
