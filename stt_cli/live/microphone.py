"""The microphone, through PortAudio (``sounddevice``, the ``live`` extra): the only module that imports it.

PortAudio calls back from its own thread with each block the device recorded; blocks go through a queue to
the session's reader, so a slow decode never makes the device drop audio. A device that disappears (a USB
microphone pulled out) ends the input with :class:`LiveSourceError`, and what was heard until then is kept.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from stt_cli.errors import LiveSourceError
from stt_cli.live.sources import BLOCK_SECONDS, Resampler, StreamFacts

logger = logging.getLogger("stt_cli")

_WAIT = 0.05  # s between looks at the stop flag while the device is quiet
_SILENT_DEVICE = 2.0  # s without a single block from a started device: it is gone


@dataclass(frozen=True)
class InputDevice:
    """A device that can record: PortAudio's index, name, and channel count and rate by default."""

    index: int
    name: str
    channels: int
    sample_rate: int
    default: bool


def _portaudio() -> Any:
    try:
        import sounddevice  # type: ignore[import-untyped]
    except ImportError as e:
        raise LiveSourceError(
            "microphone", "the microphone needs the live extra: pip install 'stt-cli[live]'"
        ) from e
    except OSError as e:  # the Python package is there, the PortAudio library is not
        raise LiveSourceError(
            "microphone", "PortAudio is not installed (Debian/Ubuntu: apt install libportaudio2)"
        ) from e
    return sounddevice


def input_devices() -> list[InputDevice]:
    """Every device that can record, as PortAudio lists them."""
    sd = _portaudio()
    try:
        default = sd.default.device[0]
        found = sd.query_devices()
    except sd.PortAudioError as e:
        raise LiveSourceError("microphone", f"PortAudio cannot list devices: {e}") from e
    return [
        InputDevice(i, d["name"], int(d["max_input_channels"]), int(d["default_samplerate"]), i == default)
        for i, d in enumerate(found)
        if d["max_input_channels"] > 0
    ]


def pick_device(wanted: str | None) -> InputDevice:
    """The device asked for by index or by (part of) its name, else the default one.

    Raises:
        LiveSourceError: there is no such device, or no input device at all.
    """
    devices = input_devices()
    if not devices:
        raise LiveSourceError("microphone", "no input device was found (stt live --list-devices)")
    if wanted is None:
        return next((d for d in devices if d.default), devices[0])
    if wanted.isdigit():
        chosen = [d for d in devices if d.index == int(wanted)]
    else:
        chosen = [d for d in devices if wanted.lower() in d.name.lower()]
    if len(chosen) != 1:
        what = "no" if not chosen else f"{len(chosen)}"
        raise LiveSourceError("microphone", f"{what} input device matches {wanted!r} (stt live --list-devices)")
    return chosen[0]


def microphone_blocks(
    device: InputDevice, stop: threading.Event, facts: list[StreamFacts]
) -> Iterator[np.ndarray]:
    """What the device records, as 16 kHz ``(channels, samples)`` blocks, until ``stop`` is set.

    Raises:
        LiveSourceError: the device cannot be opened, or stops delivering audio.
    """
    sd = _portaudio()
    heard: queue.Queue[np.ndarray] = queue.Queue()

    def callback(data: np.ndarray, frames: int, time: Any, status: Any) -> None:
        if status and status.input_overflow:
            logger.warning("%s: the device dropped audio (input overflow)", device.name)
        heard.put(data.T.copy())  # (channels, samples)

    channels = max(1, device.channels)  # every microphone of a multi-channel interface (--channel-speakers)
    resample = Resampler(device.sample_rate, channels)
    try:
        stream = sd.InputStream(
            device=device.index, channels=channels, samplerate=device.sample_rate, dtype="float32",
            blocksize=int(device.sample_rate * BLOCK_SECONDS), callback=callback,
        )  # fmt: skip
    except (sd.PortAudioError, ValueError) as e:
        raise LiveSourceError("microphone", f"cannot open {device.name!r}: {e}") from e
    facts.append(StreamFacts("portaudio", "pcm_f32le", device.sample_rate, channels))
    with stream:
        quiet = 0.0
        while not stop.is_set():
            try:
                block = heard.get(timeout=_WAIT)
            except queue.Empty:
                quiet += _WAIT
                if quiet >= _SILENT_DEVICE or not stream.active:
                    raise LiveSourceError("microphone", f"{device.name!r} stopped delivering audio") from None
                continue
            quiet = 0.0
            yield from resample(block)
    while not heard.empty():  # what the device recorded before the stop
        yield from resample(heard.get())
    yield from resample(None)
