"""Who speaks in a recording, and who that is: the diarization's speakers put on the words, then named from
the voice library and the case roster. Loaded once per run by ``pipeline.Prepared.who_speaks``; used when a
recording is transcribed and when only its speakers are found again (``Prepared.speakers_again``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from stt_cli.errors import OutOfMemoryError
from stt_cli.fileio import shown
from stt_cli.media.decode import Signal
from stt_cli.options import DiarizationOptions
from stt_cli.progress import ProgressHook
from stt_cli.types import Attribution, ModelInfo, Segment

if TYPE_CHECKING:
    from stt_cli.diarization import Diarizer
    from stt_cli.speakers.library import VoiceLibrary
    from stt_cli.speakers.voices import VoiceEncoder

logger = logging.getLogger("stt_cli")


@dataclass(frozen=True)
class WhoSpeaks:
    """The loaded models that find who speaks in a recording: the diarization pipeline, and the speaker encoder
    with the voice library when one is used. Build it with :meth:`Prepared.who_speaks`."""

    options: DiarizationOptions
    diarizer: Diarizer = field(repr=False)
    voices: tuple[VoiceEncoder, VoiceLibrary] | None = field(default=None, repr=False)

    def attribute(
        self, path: Path, signal: Signal, segments: tuple[Segment, ...], on_progress: ProgressHook
    ) -> Attribution:
        """Who speaks when in ``signal``, put on ``segments``' words, and named (voice library, roster).

        Raises:
            OutOfMemoryError: the machine ran out of memory.
            TranscriptionError: the diarization failed.
        """
        from stt_cli.diarization import attribute
        from stt_cli.speakers.roster import identify, speaking

        options = self.options
        count = options.num_speakers
        if options.roster and count is None and options.min_speakers is None and options.max_speakers is None:
            count = speaking(options.roster)  # who is present and speaks, unless the command line said
        try:
            found = self.diarizer.diarize(
                signal,
                num_speakers=count,
                min_speakers=options.min_speakers,
                max_speakers=options.max_speakers,
                on_progress=on_progress,
            )
        except MemoryError as e:
            raise OutOfMemoryError(path) from e
        evidence = found.evidence.confidence if found.evidence is not None else None
        labelled = attribute(segments, found.exclusive, found.turns, options.speaker_names, confidence=evidence)
        if self.voices is not None or options.roster:
            labelled = identify(signal, labelled, self.voices, options)
        logger.info("%s: %d speaker(s) in %d turn(s)", shown(path), len(labelled.speakers), len(labelled.turns))
        return labelled

    def model_info(self) -> ModelInfo:
        pipeline = self.diarizer.model
        return ModelInfo(name=pipeline.name, path=pipeline.source, sha256=pipeline.sha256)
