"""Who speaks when: pyannote.audio pipelines (stt's bundled windowed pipeline and CAM++ encoder, or a folder
in the layout of pyannote/speaker-diarization-community-1), and putting their speakers on words.

``diarizer.py`` loads and runs a pipeline (pyannote's types never leave it); ``pipeline.py`` is stt's own
pipeline and ``campplus.py`` its speaker encoder, both named in the bundled ``assets/diarization/``;
``assign.py`` is the pure logic that gives each word a speaker; ``make_bundle.py`` built the bundle.
"""

from __future__ import annotations

from stt_cli.diarization.assign import attribute
from stt_cli.diarization.diarizer import Diarization, Diarizer

__all__ = ["Diarization", "Diarizer", "attribute"]
