"""Audio file -> Transcript, stage after stage: probe, hash, decode and recognise as a stream, diarize, check
that the recording did not change meanwhile."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stt_cli import asr, models
from stt_cli.asr import chunking, vocabulary
from stt_cli.asr.vad import NoVad, StreamingVad
from stt_cli.errors import ChannelCountError, InputError, OutOfMemoryError, UsageError
from stt_cli.fileio import FileIdentity, check_unchanged, identity_of, sha256_file, shown, text_of
from stt_cli.languages import name_of
from stt_cli.media import probe
from stt_cli.media.decode import Signal, SignalFromFile
from stt_cli.media.levels import SignalStats
from stt_cli.options import AsrOptions, DiarizationOptions, InputOptions, Task
from stt_cli.progress import ProgressHook, StageClock, no_progress
from stt_cli.review.confidence import with_confidence
from stt_cli.stream import DecodedStream, choose_track, signal_warnings
from stt_cli.types import Attribution, InputInfo, ModelInfo, NamedBy, Segment, Transcript

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

    from stt_cli.diarization import Diarizer
    from stt_cli.diarization.channels import ChannelActivity
    from stt_cli.speakers import VoiceEncoder, VoiceLibrary

logger = logging.getLogger("stt_cli")


@dataclass(frozen=True)
class Transcriber:
    """A loaded recogniser, ready to transcribe many files with the same settings.

    Build it with :meth:`load`: the model is found, verified and loaded once, before any audio is decoded.
    """

    options: AsrOptions
    model: models.ResolvedModel
    whisper: WhisperModel = field(repr=False)
    device: str
    compute_type: str
    diarization: DiarizationOptions | None = None
    diarizer: Diarizer | None = field(default=None, repr=False)
    offline: bool = False
    voices: tuple[VoiceEncoder, VoiceLibrary] | None = field(default=None, repr=False)
    channel_speakers: tuple[str, ...] = ()

    @classmethod
    def load(
        cls,
        options: AsrOptions,
        diarization: DiarizationOptions | None = None,
        *,
        offline: bool = False,
        channel_speakers: tuple[str, ...] = (),
    ) -> Transcriber:
        """Resolve, verify and load the recogniser and, when asked, the diarization pipeline.

        Both are loaded here, before any audio is decoded, so a missing pipeline fails in a second rather
        than after an hour of speech recognition; a language the model cannot do is refused here too.

        Args:
            offline: never download a model (one that is not here is an error).
            channel_speakers: one speaker per microphone channel, a name each (``-`` leaves a channel out):
                speakers come from the channels' levels, with no diarization model.

        Raises:
            ModelUnavailableError: a model is missing, damaged, or cannot run on the device.
            UsageError: the model cannot transcribe the requested language or task.
        """
        if channel_speakers and diarization is not None:
            raise UsageError(
                "`channel_speakers` and `diarize` both decide who speaks; choose one (channels need no model)"
            )
        diarizer = None
        if diarization is not None:
            from stt_cli.diarization import Diarizer

            pipeline = models.resolve_pipeline(diarization.model, offline=offline)
            diarizer = Diarizer.load(pipeline, token=diarization.token, device=models.pick_device(options.device))
            logger.info("diarization pipeline %s loaded from %s", pipeline.name, pipeline.source)
        voices = (
            _open_library(diarization.speaker_library) if diarization and diarization.speaker_library else None
        )
        resolved = models.resolve(options.model, offline=offline)
        _check_model_can(resolved, options)
        whisper, device, compute_type = models.load_whisper(resolved, options)
        logger.info("model %s loaded from %s on %s (%s)", resolved.name, resolved.path, device, compute_type)
        return cls(
            options=options,
            model=resolved,
            whisper=whisper,
            device=device,
            compute_type=compute_type,
            diarization=diarization,
            diarizer=diarizer,
            offline=offline,
            voices=voices,
            channel_speakers=channel_speakers,
        )

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
        warnings = _warnings(info, track, stream, limits, recognition)
        speakers: Attribution | None = None
        if self.channel_speakers:
            speakers = by_channel(stream.channel_activity(), segments)
        if self.diarizer is not None:
            signal = SignalFromFile(path, track.index, stream.seconds, limits.max_duration)
            try:
                speakers = self._diarize(path, signal, segments, on_progress)
            except InputError:
                check_unchanged(path, before)  # a file changed since the first reading says so
                raise
            clock.lap("diarize")
        check_unchanged(path, before)
        return Transcript(
            input=_input_info(path, before, digest, info, track, stream.meter.stats()),
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
            diarization_model=self._diarization_model() if self.diarizer else None,
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

    def _diarize(
        self, path: Path, signal: Signal, segments: tuple[Segment, ...], on_progress: ProgressHook
    ) -> Attribution:
        from stt_cli.diarization import attribute

        assert self.diarizer is not None and self.diarization is not None
        options = self.diarization
        try:
            found = self.diarizer.diarize(
                signal,
                num_speakers=options.num_speakers,
                min_speakers=options.min_speakers,
                max_speakers=options.max_speakers,
                on_progress=on_progress,
            )
        except MemoryError as e:
            raise OutOfMemoryError(path) from e
        labelled = attribute(segments, found.exclusive, found.turns, options.speaker_names)
        if self.voices is not None:
            labelled = self._identify(signal, labelled)
        logger.info("%s: %d speaker(s) in %d turn(s)", shown(path), len(labelled.speakers), len(labelled.turns))
        return labelled

    def _identify(self, signal: Signal, labelled: Attribution) -> Attribution:
        """Name the speakers who match an enrolled voice, one-to-one; the rest keep their numbers (or the
        ``speaker_names`` given, in order)."""
        from stt_cli.speakers import match_voices, name_speakers, solo_spans

        assert self.voices is not None and self.diarization is not None
        encoder, library = self.voices
        spans = {speaker.id: solo_spans(labelled.turns, speaker.id) for speaker in labelled.speakers}
        found = {
            who: voice.vector for who, voice in encoder.embed_each(signal, spans).items() if voice is not None
        }
        matches = match_voices(found, library.voices)
        speakers = name_speakers(labelled.speakers, matches, self.diarization.speaker_names)
        logger.info("voices matched: %s", {s.id: s.name for s in speakers if s.named_by is NamedBy.voice})
        return replace(labelled, speakers=speakers)

    def _diarization_model(self) -> ModelInfo:
        assert self.diarizer is not None
        pipeline = self.diarizer.model
        return ModelInfo(name=pipeline.name, path=pipeline.source, sha256=pipeline.sha256)

    def settings(self) -> dict[str, Any]:
        """The settings that shape the text and its speakers, as recorded in the transcript."""
        shaping = {**self.options.settings(), "device": self.device, "compute_type": self.compute_type}
        shaping["diarize"] = self.diarization is not None
        shaping["channel_speakers"] = list(self.channel_speakers)
        if self.diarization is not None:
            shaping.update(self.diarization.settings())
        return shaping


def by_channel(activity: ChannelActivity, segments: tuple[Segment, ...]) -> Attribution:
    """Speakers from the microphone channels' levels; each segment's confidence from the channels' power."""
    from stt_cli.diarization import attribute

    return attribute(
        segments,
        activity.exclusive(),
        activity.turns(),
        channels=activity.names_by_label(),
        confidence=activity.segment_confidence,
    )


def _open_library(folder: Path) -> tuple[VoiceEncoder, VoiceLibrary]:
    """The voice encoder and the library checked against it, before any audio is decoded."""
    from stt_cli.speakers import VoiceEncoder, VoiceLibrary

    encoder = VoiceEncoder.load()
    library = VoiceLibrary.open(folder, (encoder.name, encoder.sha256))
    for problem in library.problems:
        logger.warning("voice library: %s (not used)", problem)
    logger.info("voice library %s: %d voice(s)", folder, len(library.voices))
    return encoder, library


def _check_model_can(model: models.ResolvedModel, options: AsrOptions) -> None:
    """Refuse, before any audio is decoded, a language or task the model cannot do."""
    other = [code for code in options.languages if code != "en"]
    if model.english_only and other:
        raise UsageError(
            f"`language` {other[0]} ({name_of(other[0])}): model '{model.name}' only transcribes English; "
            "choose a multilingual `model` such as base"
        )
    if model.english_only and options.task is Task.translate:
        raise UsageError(f"`task` translate: model '{model.name}' is English-only and cannot translate")


def _warnings(
    info: probe.MediaInfo,
    track: probe.AudioTrack,
    stream: DecodedStream,
    limits: InputOptions,
    recognition: asr.Recognition,
) -> list[str]:
    warnings = []
    truncated = probe.check_complete(info, track, stream.seconds - track.start_offset)
    if truncated is not None:
        if not limits.allow_truncated:
            raise truncated
        warnings.append(
            f"declares {truncated.declared:.1f} s of audio but only {truncated.decoded:.1f} s could be "
            "decoded; transcribed what could be decoded"
        )
    warnings += signal_warnings(info, track, stream.meter.stats())
    if not recognition.segments:
        warnings.append("no speech was found: the transcript is empty")
    return warnings


def _input_info(
    path: Path,
    identity: FileIdentity,
    digest: str,
    info: probe.MediaInfo,
    track: probe.AudioTrack,
    stats: SignalStats,
) -> InputInfo:
    return InputInfo(
        path=text_of(path),
        size_bytes=identity.size,
        sha256=digest,
        container=info.container,
        codec=track.codec,
        declared_duration=track.duration,
        sample_rate=track.sample_rate,
        channels=track.channels,
        audio_track=track.index,
        audio_tracks=len(info.tracks),
        start_offset=track.start_offset,
        level_dbfs=stats.level_dbfs,
        peak_dbfs=stats.peak_dbfs,
        clipped_share=stats.clipped_share,
        creation_time=info.creation_time,
    )


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
