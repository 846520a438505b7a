"""Skip what is already done: a small record beside each finished transcript.

After every requested output of an input is written, ``.<stem>.stt.json`` is written last (atomically) in the
same folder. It holds the input's size, mtime and sha256, a fingerprint of every setting that shapes the text,
and each output's sha256. A rerun skips the input when the record matches the input, the settings and
the outputs on disk. Anything else (a changed recording, another model or option, an edited or missing
output, no record because the run was killed) means the input is transcribed again.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from stt_cli.fileio import atomic_write_text, sha256_file

RECORD_VERSION = 1


def record_path(source: Path, folder: Path) -> Path:
    return folder / f".{source.stem}.stt.json"


def fingerprint(settings: dict[str, Any]) -> str:
    """A digest of the settings that shape the output, independent of key order."""
    canonical = json.dumps(settings, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def is_current(source: Path, outputs: dict[str, Path], record: Path, settings_digest: str) -> bool:
    """Whether ``outputs`` were made from this very ``source`` with these settings and are intact."""
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        if data.get("record_version") != RECORD_VERSION or data.get("fingerprint") != settings_digest:
            return False
        recorded = data["outputs"]
        for fmt, path in outputs.items():
            if fmt not in recorded or recorded[fmt]["file"] != path.name:
                return False
            if not path.is_file() or sha256_file(path) != recorded[fmt]["sha256"]:
                return False
        stat = source.stat()
        known = data["input"]
        if stat.st_size != known["size_bytes"]:
            return False
        # Same size and mtime: the very file. Otherwise (copied, touched) let the content decide.
        return stat.st_mtime_ns == known["mtime_ns"] or sha256_file(source) == known["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        return False  # no record, or one we cannot trust: do the work again


def write_record(
    source: Path, source_sha256: str, outputs: dict[str, Path], record: Path, settings_digest: str, tool: str
) -> None:
    stat = source.stat()
    data = {
        "record_version": RECORD_VERSION,
        "tool": tool,
        "fingerprint": settings_digest,
        "input": {
            "path": str(source),
            "size_bytes": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "sha256": source_sha256,
        },
        "outputs": {fmt: {"file": path.name, "sha256": sha256_file(path)} for fmt, path in outputs.items()},
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    atomic_write_text(record, json.dumps(data, indent=2) + "\n")
