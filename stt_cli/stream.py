"""One recording's audio on its way to the recogniser: which track to hear, the decoded stream (metered,
counted and timed as it goes, never kept whole), and what the levels say."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from stt_cli.asr.vad import FRAME_SECONDS, StreamingVad
from stt_cli.diarization.channels import SKIP, ChannelActivity, ChannelLevels
from stt_cli.errors import ChannelCountError, NoAudioStreamError
from stt_cli.fileio import FileIdentity, shown, text_of
from stt_cli.media import decode as audio
from stt_cli.media.decode import full_scale
from stt_cli.media.levels import SignalMeter, SignalStats
from stt_cli.media.probe import AudioTrack, MediaInfo, check_complete
from stt_cli.options import InputOptions
from stt_cli.progress import StageClock
from stt_cli.types import InputInfo

logger = logging.getLogger("stt_cli")

TRACK_SCAN_SECONDS = 300.0  # of each audio track, listened to for speech when a file has several


def choose_track(path: Path, info: MediaInfo, wanted: int | None) -> AudioTrack:
    """The audio track to transcribe: the one asked for, the only one, or the one with the most speech.

    A courtroom video often carries a silent or camera-microphone track before the one the microphones
    feed: transcribing track 0 alone gave an empty transcript of a hearing full of speech.
    """
    if wanted is not None:
        if wanted >= len(info.tracks):
            raise NoAudioStreamError(path, f"there is no audio track {wanted} (it has {len(info.tracks)})")
        return info.tracks[wanted]
    if len(info.tracks) == 1:
        return info.tracks[0]
    speech = [_speech_seconds(path, t.index) for t in info.tracks]
    best = int(np.argmax(speech))
    logger.info("%s: speech per audio track in the first %.0f s: %s", shown(path), TRACK_SCAN_SECONDS, speech)
    return info.tracks[best]


def _speech_seconds(path: Path, track: int) -> float:
    detector = StreamingVad()
    frames, heard = 0, 0.0
    for block in audio.iter_audio(path, track=track):
        mask = detector.feed(block)
        frames += mask.shape[0]
        heard += float(mask.sum()) * FRAME_SECONDS
        if frames * FRAME_SECONDS >= TRACK_SCAN_SECONDS:
            break
    return round(heard, 1)


def signal_warnings(info: MediaInfo, track: AudioTrack, stats: SignalStats) -> list[str]:
    warnings = []
    if len(info.tracks) > 1:
        warnings.append(
            f"the file has {len(info.tracks)} audio tracks; track {track.index} (the one with the most speech, "
            "or the one asked for) was transcribed"
        )
    if stats.quiet:
        warnings.append(
            f"very quiet recording (its loudest speech is at {stats.level_dbfs:.0f} dBFS): voice detection was "
            "made to hear it, but check the microphone and listen where the transcript looks thin"
        )
    if stats.clipped:
        warnings.append(
            f"clipped recording ({stats.clipped_share:.1%} of samples at full scale): the input was overdriven "
            "and words may be misheard"
        )
    if 0 < track.sample_rate < audio.SAMPLE_RATE:
        warnings.append(
            f"recorded at {track.sample_rate} Hz (telephone quality or lower): expect more recognition errors"
        )
    return warnings


class DecodedStream:
    """One audio track as 16 kHz mono blocks, metered, counted and timed as they are decoded."""

    def __init__(
        self,
        path: Path,
        track: int,
        max_duration: float,
        *,
        clock: StageClock,
        channels: tuple[str, ...] = (),
    ) -> None:
        """``channels``: with ``--channel-speakers``, a name per channel (``-`` leaves one out of the mix);
        each channel's levels are then kept for :meth:`channel_activity`."""
        self.path, self.track, self.max_duration, self.clock = path, track, max_duration, clock
        self.samples = 0
        self.meter = SignalMeter()
        self.channels = channels
        self._levels = ChannelLevels() if channels else None

    @property
    def seconds(self) -> float:
        return self.samples / audio.SAMPLE_RATE

    def __iter__(self) -> Iterator[np.ndarray]:
        blocks = audio.iter_channels(self.path, track=self.track, max_duration=self.max_duration)
        while True:
            started = time.perf_counter()
            try:
                channels = next(blocks)
                block = audio.mix_down(self._named(channels))
            except StopIteration:
                return
            finally:
                self.clock.add("decode", time.perf_counter() - started)
            self.meter.update(channels, block)
            block = full_scale(block)
            self.samples += block.shape[0]
            yield block

    def _named(self, block: np.ndarray) -> np.ndarray:
        """The channels that go into the mix: all, or with ``channels`` the named ones (levels kept)."""
        if self._levels is None:
            return block
        if block.shape[0] != len(self.channels):
            raise ChannelCountError(self.path, block.shape[0], len(self.channels))
        self._levels.update(block)
        return block[[name != SKIP for name in self.channels]]

    def channel_activity(self) -> ChannelActivity:
        """Who spoke when, from the levels of the channels (after the stream has been read)."""
        assert self._levels is not None
        return ChannelActivity.from_power(self._levels.power(), self.channels)


def input_info(
    path: Path,
    identity: FileIdentity,
    digest: str,
    info: MediaInfo,
    track: AudioTrack,
    stats: SignalStats,
) -> InputInfo:
    """The recording as it was heard, for the transcript's record: its bytes (size and sha256 taken before it
    was decoded), its container and track, and its levels."""
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


def transcript_warnings(
    info: MediaInfo, track: AudioTrack, stream: DecodedStream, limits: InputOptions, *, heard: bool
) -> list[str]:
    """What a transcript must say of its recording: cut short (allowed by ``limits``, else raised), its
    signal (quiet, clipped…), and nothing ``heard``.

    Raises:
        TruncatedError: the recording holds less than it declares, and ``limits`` does not allow it.
    """
    warnings = []
    truncated = check_complete(info, track, stream.seconds - track.start_offset)
    if truncated is not None:
        if not limits.allow_truncated:
            raise truncated
        warnings.append(
            f"declares {truncated.declared:.1f} s of audio but only {truncated.decoded:.1f} s could be "
            "decoded; transcribed what could be decoded"
        )
    warnings += signal_warnings(info, track, stream.meter.stats())
    if not heard:
        warnings.append("no speech was found: the transcript is empty")
    return warnings
