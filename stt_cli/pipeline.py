"""Audio file -> Transcript, stage after stage: probe, hash, decode and recognise as a stream, diarize, check
that the recording did not change meanwhile."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stt_cli import asr, models
from stt_cli.asr import chunking, vocabulary
from stt_cli.asr.vad import NoVad, StreamingVad
from stt_cli.diarization.assign import unattributed
from stt_cli.diarization.channels import by_channel
from stt_cli.errors import ChannelCountError, InputError, OutOfMemoryError, UsageError
from stt_cli.fileio import check_unchanged, identity_of, sha256_file, shown
from stt_cli.media import probe
from stt_cli.media.decode import SignalFromFile
from stt_cli.options import AsrOptions, DiarizationOptions, InputOptions
from stt_cli.progress import ProgressHook, StageClock, no_progress
from stt_cli.review.confidence import with_confidence
from stt_cli.stream import DecodedStream, choose_track, input_info, transcript_warnings
from stt_cli.types import Attribution, ModelInfo, Transcript

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

    from stt_cli.speakers import VoiceLibrary
    from stt_cli.speakers.who import WhoSpeaks

logger = logging.getLogger("stt_cli")


@dataclass(frozen=True)
class Prepared:
    """A recogniser chosen and checked but not loaded: every model found and verified, the voice library
    opened, the language and task checked against the model, so what it will be (and the settings that shape
    its transcripts) is known before any weights are loaded. A batch that only renders kept transcripts never
    loads anything (a 30 s diarized clip's rerun for another format took 30 s and 1.2 GB loading models it did
    not use); the first recording that needs recognition loads it, once.

    Build it with :meth:`of`; :meth:`load` gives the :class:`Transcriber`.
    """

    options: AsrOptions
    model: models.ResolvedModel
    device: str
    compute_type: str
    diarization: DiarizationOptions | None = None
    pipeline: models.ResolvedPipeline | None = None
    library: VoiceLibrary | None = field(default=None, repr=False)
    offline: bool = False
    channel_speakers: tuple[str, ...] = ()
    _loaded: list[Transcriber] = field(default_factory=list, repr=False, compare=False)
    _who: list[WhoSpeaks] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def of(
        cls,
        options: AsrOptions,
        diarization: DiarizationOptions | None = None,
        *,
        offline: bool = False,
        channel_speakers: tuple[str, ...] = (),
    ) -> Prepared:
        """Find and verify the recogniser and, when asked, the diarization pipeline and the voice library,
        before any audio is decoded: a missing pipeline fails in a second rather than after an hour of speech
        recognition; a language the model cannot do is refused here too.

        Args:
            offline: never download a model (one that is not here is an error).
            channel_speakers: one speaker per microphone channel, a name each (``-`` leaves a channel out):
                speakers come from the channels' levels, with no diarization model.

        Raises:
            ModelUnavailableError: a model is missing or damaged.
            SpeakerLibraryError: the voice library cannot be used.
            UsageError: the model cannot transcribe the requested language or task.
        """
        if channel_speakers and diarization is not None:
            raise UsageError(
                "`channel_speakers` and `diarize` both decide who speaks; choose one (channels need no model)"
            )
        pipeline = models.resolve_pipeline(diarization.model, offline=offline) if diarization else None
        folder = diarization.speaker_library if diarization else None
        library = _open_library(folder) if folder is not None else None
        if diarization is not None and diarization.roster:
            from stt_cli.speakers.roster import check_voices

            check_voices(diarization.roster, library)
        resolved = models.resolve(options.model, offline=offline)
        models.check_can(resolved, options)
        device = models.pick_device(options.device)
        compute_type = models.pick_compute_type(options.compute_type, device)
        return cls(options=options, model=resolved, device=device, compute_type=compute_type,
                   diarization=diarization, pipeline=pipeline, library=library, offline=offline,
                   channel_speakers=channel_speakers)  # fmt: skip

    @property
    def model_sha256(self) -> str:
        return self.model.sha256

    def settings(self) -> dict[str, Any]:
        """The settings that shape the text and its speakers, as recorded in the transcript (the voice library
        by its path and by what it holds: a voice removed or added is another setting)."""
        shaping = {**self.options.settings(), "device": self.device, "compute_type": self.compute_type}
        shaping["diarize"] = self.diarization is not None
        shaping["channel_speakers"] = list(self.channel_speakers)
        if self.diarization is not None:
            shaping.update(self.diarization.settings())
            shaping["speaker_library_voices"] = self.library.digest if self.library is not None else None
        return shaping

    def load(self) -> Transcriber:
        """Load the recogniser, and the diarization pipeline and speaker encoder when asked for (once).

        Raises:
            ModelUnavailableError: a model cannot be loaded, or not on this device.
        """
        if self._loaded:
            return self._loaded[0]
        who = self.who_speaks() if self.pipeline is not None else None
        whisper, device, compute_type = models.load_whisper(self.model, self.options)
        logger.info("model %s loaded from %s on %s (%s)", self.model.name, self.model.path, device, compute_type)
        loaded = Transcriber(prepared=self, whisper=whisper, who=who)
        self._loaded.append(loaded)
        return loaded

    def who_speaks(self) -> WhoSpeaks:
        """Load the diarization pipeline, and the speaker encoder when a voice library is used (once): what
        finds who speaks, without the recogniser.

        Raises:
            ModelUnavailableError: a model cannot be loaded, or not on this device.
        """
        if self._who:
            return self._who[0]
        assert self.pipeline is not None and self.diarization is not None
        from stt_cli.diarization import Diarizer

        diarizer = Diarizer.load(self.pipeline, token=self.diarization.token, device=self.device)
        logger.info("diarization pipeline %s loaded from %s", self.pipeline.name, self.pipeline.source)
        voices = None
        if self.library is not None:
            from stt_cli.speakers import VoiceEncoder

            voices = (VoiceEncoder.load(), self.library)
        from stt_cli.speakers.who import WhoSpeaks

        self._who.append(WhoSpeaks(options=self.diarization, diarizer=diarizer, voices=voices))
        return self._who[0]

    def transcribe(
        self, path: Path, *, limits: InputOptions | None = None, on_progress: ProgressHook = no_progress
    ) -> Transcript:
        """:meth:`Transcriber.transcribe`, the models loaded first if they are not yet (reported as the
        ``load`` stage)."""
        if not self._loaded:
            on_progress("load", 0.0, 1.0)
            self.load()
            on_progress("load", 1.0, 1.0)
        return self._loaded[0].transcribe(path, limits=limits, on_progress=on_progress)

    def speakers_again(
        self,
        kept: Transcript,
        path: Path,
        *,
        limits: InputOptions | None = None,
        on_progress: ProgressHook = no_progress,
    ) -> Transcript:
        """``kept``, a transcript of this very recording whose words were made with these settings, with its
        speakers found again as these settings say (or taken off, without diarization): no speech recognition
        runs, and the recogniser is not loaded. The caller has checked the recording's sha256 against the
        kept transcript's; it is checked unchanged afterwards. Microphone-channel speakers come from the audio
        as it is decoded, so with ``channel_speakers`` the recording is transcribed again.

        Raises:
            InputError: the recording cannot be read again, or changed while it was read.
            TranscriptionError: the diarization failed.
        """
        if self.channel_speakers:
            return self.transcribe(path, limits=limits, on_progress=on_progress)
        limits = limits or InputOptions()
        who = None
        if self.pipeline is not None:
            on_progress("load", 0.0, 1.0)
            who = self.who_speaks()
            on_progress("load", 1.0, 1.0)
        clock = StageClock()
        before = identity_of(path)
        segments = tuple(unattributed(s) for s in kept.segments)
        speakers: Attribution | None = None
        if who is not None:
            signal = SignalFromFile(path, kept.input.audio_track, kept.duration, limits.max_duration)
            speakers = who.attribute(path, signal, segments, on_progress)
            clock.lap("diarize")
        check_unchanged(path, before)
        return dataclasses.replace(
            kept, segments=speakers.segments if speakers else segments,
            speakers=speakers.speakers if speakers else (), turns=speakers.turns if speakers else (),
            diarization_model=who.model_info() if who else None, settings=self.settings(),
            provenance=clock.provenance(offline=self.offline, mode="speakers-again"),
        )  # fmt: skip


@dataclass(frozen=True)
class Transcriber:
    """A loaded recogniser, ready to transcribe many files with the same settings.

    Build it with :meth:`load` (or :meth:`Prepared.load`): the model is found, verified and loaded once,
    before any audio is decoded.
    """

    prepared: Prepared
    whisper: WhisperModel = field(repr=False)
    who: WhoSpeaks | None = field(default=None, repr=False)

    @classmethod
    def load(
        cls,
        options: AsrOptions,
        diarization: DiarizationOptions | None = None,
        *,
        offline: bool = False,
        channel_speakers: tuple[str, ...] = (),
    ) -> Transcriber:
        """:meth:`Prepared.of` and :meth:`Prepared.load` at once.

        Raises:
            ModelUnavailableError: a model is missing, damaged, or cannot run on the device.
            UsageError: the model cannot transcribe the requested language or task.
        """
        return Prepared.of(options, diarization, offline=offline, channel_speakers=channel_speakers).load()

    @property
    def options(self) -> AsrOptions:
        return self.prepared.options

    @property
    def model(self) -> models.ResolvedModel:
        return self.prepared.model

    @property
    def device(self) -> str:
        return self.prepared.device

    @property
    def compute_type(self) -> str:
        return self.prepared.compute_type

    @property
    def diarization(self) -> DiarizationOptions | None:
        return self.prepared.diarization

    @property
    def offline(self) -> bool:
        return self.prepared.offline

    @property
    def channel_speakers(self) -> tuple[str, ...]:
        return self.prepared.channel_speakers

    @property
    def model_sha256(self) -> str:
        return self.model.sha256

    def transcribe(
        self, path: Path, *, limits: InputOptions | None = None, on_progress: ProgressHook = no_progress
    ) -> Transcript:
        """Transcribe one file: validate it, decode it, recognise it, and check it did not change meanwhile.

        Raises:
            InputError: the file is missing, empty, not media, without audio, over a limit, truncated, or
                changed while it was read.
            TranscriptionError: the recogniser failed.
        """
        limits = limits or InputOptions()
        clock = StageClock()
        info = probe.validate(path, limits)
        before = identity_of(path)
        digest = sha256_file(path)
        track = choose_track(path, info, limits.audio_track)
        logger.info(
            "%s: %s, audio track %d of %d (%s, %d Hz, %d channel(s)), sha256 %s",
            shown(path), info.container, track.index, len(info.tracks), track.codec, track.sample_rate,
            track.channels, digest[:16],
        )  # fmt: skip
        if self.channel_speakers and track.channels != len(self.channel_speakers):
            raise ChannelCountError(path, track.channels, len(self.channel_speakers))
        clock.lap("decode")
        # Nothing is kept beyond the chunk being decoded, so memory does not grow with the recording's length;
        # the diarization reads the recording again (audio.SignalFromFile says why).
        stream = DecodedStream(path, track.index, limits.max_duration, clock=clock, channels=self.channel_speakers)
        recognition = self._recognise(path, stream, track, on_progress)
        segments, corrections = vocabulary.correct(recognition.segments, self.options.vocabulary)
        segments = with_confidence(segments)
        clock.lap("transcribe")
        warnings = transcript_warnings(info, track, stream, limits, heard=bool(recognition.segments))
        speakers: Attribution | None = None
        if self.channel_speakers:
            speakers = by_channel(stream.channel_activity(), segments)
        if self.who is not None:
            signal = SignalFromFile(path, track.index, stream.seconds, limits.max_duration)
            try:
                speakers = self.who.attribute(path, signal, segments, on_progress)
            except InputError:
                check_unchanged(path, before)  # a file changed since the first reading says so
                raise
            clock.lap("diarize")
        check_unchanged(path, before)
        return Transcript(
            input=input_info(path, before, digest, info, track, stream.meter.stats()),
            duration=stream.seconds,
            language=recognition.language,
            language_source=recognition.language_source,
            language_probability=recognition.language_probability,
            language_candidates=recognition.language_candidates,
            language_probabilities=recognition.language_probabilities,
            task=self.options.task,
            segments=speakers.segments if speakers else segments,
            model=ModelInfo(name=self.model.name, path=str(self.model.path), sha256=self.model.sha256),
            settings=self.settings(),
            warnings=tuple(warnings),
            retries=recognition.retries,
            chunks=recognition.chunks,
            provenance=clock.provenance(offline=self.offline),
            speakers=speakers.speakers if speakers else (),
            turns=speakers.turns if speakers else (),
            diarization_model=self.who.model_info() if self.who else None,
            corrections=corrections,
        )

    def _recognise(
        self, path: Path, stream: DecodedStream, track: probe.AudioTrack, on_progress: ProgressHook
    ) -> asr.Recognition:
        detector = StreamingVad() if self.options.vad else NoVad()
        length = self.options.chunk_seconds
        policy = chunking.ChunkPolicy(max_seconds=length, overlap_seconds=min(5.0, length / 3))
        expected = (track.duration or 0.0) + track.start_offset

        def reached(seconds: float) -> None:
            # The declared length is the honest total while decoding runs; a file that declares none, or
            # too little, shows what has been heard so far.
            on_progress("transcribe", seconds, max(expected, seconds))

        on_progress("transcribe", 0.0, expected)
        try:
            chunks = chunking.stream_chunks(stream, policy, detector)
            recognition = asr.recognise(self.whisper, chunks, self.options, on_progress=reached)
        except MemoryError as e:
            raise OutOfMemoryError(path) from e
        on_progress("transcribe", stream.seconds, stream.seconds)
        logger.info(
            "%s: %.1f s decoded in %d chunk(s), %d segment(s), %d retried stretch(es), language %s (%s)",
            shown(path), stream.seconds, recognition.chunks, len(recognition.segments), len(recognition.retries),
            recognition.language, recognition.language_source.value,
        )  # fmt: skip
        return recognition

    def settings(self) -> dict[str, Any]:
        """The settings that shape the text and its speakers (:meth:`Prepared.settings`)."""
        return self.prepared.settings()


def _open_library(folder: Path) -> VoiceLibrary:
    """The library checked against the bundled speaker encoder (by name and sha256: nothing is loaded), before
    any audio is decoded."""
    from stt_cli.speakers import VoiceLibrary

    library = VoiceLibrary.open(folder, models.voice_encoder_identity())
    for problem in library.problems:
        logger.warning("voice library: %s (not used)", problem)
    logger.info("voice library %s: %d voice(s)", folder, len(library.voices))
    return library


def transcribe_file(
    path: str | Path,
    *,
    options: AsrOptions | None = None,
    diarization: DiarizationOptions | None = None,
    on_progress: ProgressHook = no_progress,
) -> Transcript:
    """Transcribe one file with a freshly loaded model (for many files, load a :class:`Transcriber` once).

    Example:
        >>> transcript = transcribe_file("hearing.mp3", options=AsrOptions(model="base", language="id"))
    """
    transcriber = Transcriber.load(options or AsrOptions(), diarization)
    return transcriber.transcribe(Path(path), on_progress=on_progress)
