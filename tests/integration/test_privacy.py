"""Nothing leaves the machine, proved by watching the process: every socket call of a real run, traced with
strace (installed by .ci/run), on a recording long enough that onnxruntime's telemetry sender would wake up.

Measured before the fix (issue 10, bug 1): a 3.7-minute transcription sent 4 DNS queries for onnxruntime's
telemetry host and left a device id under ~/.cache/Microsoft/DeveloperTools/.onnxruntime/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.support.media import load_mono16k, write_wav

pytestmark = [pytest.mark.integration, pytest.mark.diarization, pytest.mark.system]
# Calls that open or use a network endpoint, and the files glibc reads to resolve a host name. Loopback and
# UNIX sockets are not the network (torch looks the user name up through nscd, then /etc/passwd).
_CALLS = "connect,sendto,sendmsg,sendmmsg,bind,openat"
_RESOLVER_FILES = ("/etc/resolv.conf", "/etc/hosts", "/etc/gai.conf")
_LOOPBACK = re.compile(r'inet_addr\("127\.|inet_pton\(AF_INET6, "::1"|sin6_addr=in6addr_loopback')


def traced(command: list[str], home: Path, log: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("strace") is None:
        pytest.fail("strace is missing: .ci/run installs it (apt-get install strace)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "PYANNOTE_", "ORT_", "DO_NOT"))}
    env["HOME"] = str(home)  # telemetry state would appear under it
    env.pop("XDG_CACHE_HOME", None)
    return subprocess.run(
        ["strace", "-f", "-qq", "-e", f"trace={_CALLS}", "-o", str(log), *command],
        capture_output=True, text=True, env=env, timeout=900,
    )  # fmt: skip


def network_calls(log: Path) -> list[str]:
    calls = []
    for line in log.read_text(errors="replace").splitlines():
        if "openat(" in line:
            if any(f'"{name}"' in line for name in _RESOLVER_FILES):
                calls.append(line)  # a host name is being resolved
            continue
        if ("AF_INET" in line or "htons(53)" in line) and not _LOOPBACK.search(line):
            calls.append(line)
    return calls


@pytest.fixture(scope="module")
def long_recording(tmp_path_factory, data_dir) -> Path:
    """About 3.5 minutes of real reading: the LibriSpeech clips and jfk, four times over."""
    clips = [load_mono16k(p) for p in sorted((data_dir / "en_librispeech").glob("*.flac"))]
    clips.append(load_mono16k(data_dir / "en_jfk" / "jfk.flac"))
    gap = np.zeros(8_000, dtype=np.float32)
    signal = np.concatenate([part for _ in range(4) for clip in clips for part in (clip, gap)])
    return write_wav(tmp_path_factory.mktemp("long") / "long.wav", signal)


def test_a_long_diarized_run_makes_no_network_call_and_leaves_no_telemetry_state(tmp_path, long_recording):
    home = tmp_path / "home"
    home.mkdir()
    log = tmp_path / "strace.log"
    command = [sys.executable, "-m", "stt_cli", "transcribe", str(long_recording), "-m", "tiny.en", "--diarize",
               "-f", "json", "-o", str(tmp_path / "out")]  # fmt: skip
    result = traced(command, home, log)
    assert result.returncode == 0, result.stderr
    assert network_calls(log) == []
    left = [str(p.relative_to(home)) for p in home.rglob("*")]
    assert not [p for p in left if "Microsoft" in p or "onnxruntime" in p], left


def test_a_recording_named_like_a_network_address_is_read_from_disk(tmp_path, jfk):
    # FFmpeg given this *name* connects to 203.0.113.9:80; stt hands it the open file instead.
    source = tmp_path / "tcp:203.0.113.9:80.flac"
    shutil.copy(jfk, source)
    log = tmp_path / "strace.log"
    command = [sys.executable, "-m", "stt_cli", "transcribe", str(source), "-m", "tiny.en", "-o", str(tmp_path)]
    result = traced(command, tmp_path, log)
    assert result.returncode == 0, result.stderr
    assert network_calls(log) == []
    assert (tmp_path / "tcp:203.0.113.9:80.srt").read_text().strip()


def test_every_library_is_told_to_keep_quiet_before_it_loads():
    code = (
        "import os, stt_cli\n"
        "from stt_cli.privacy import SETTINGS, audit\n"
        "assert all(os.environ[k] == v for k, v in SETTINGS.items())\n"
        "bad = [c for c in audit() if not c.ok]\n"
        "assert not bad, bad\n"
    )
    env = {**os.environ, "PYANNOTE_METRICS_ENABLED": "true", "ORT_DISABLE_TELEMETRY": "0"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
