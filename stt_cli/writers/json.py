"""JSON: the whole transcript, schema in ``stt_cli/schema/transcript.schema.json``."""

from __future__ import annotations

import json

from stt_cli.types import Transcript
from stt_cli.writers.base import ResultWriter


def transcript_json(transcript: Transcript) -> str:
    """The JSON text of a transcript (what ``-f json`` writes)."""
    return json.dumps(transcript.to_dict(), ensure_ascii=False, indent=2) + "\n"


class JsonWriter(ResultWriter):
    extension = "json"

    def render(self, transcript: Transcript) -> str:
        return transcript_json(transcript)
