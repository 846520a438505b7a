"""Recognition while the audio is still arriving: a bounded buffer decoded again as it grows, words committed by
agreement (``agreement.py``), and VAD so that silence costs nothing and a pause commits what was said.

The buffer holds the current utterance, at most ``MAX_BUFFER`` seconds (under one 30 s Whisper window). Every
``STEP`` seconds of new audio it is decoded again, on its own (not primed with the words before it: see
``LIVE``); words two decodes agree on are committed. When VAD hears a pause of ``PAUSE`` seconds the utterance is
over: it is decoded once more (with the wide beam while the recogniser keeps up), all of it is committed, and
the buffer starts afresh after it. A buffer that outgrows ``TRIM_AFTER`` without a pause is cut after its last
committed sentence. Times are file seconds: the stream's first sample is 0 s.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from stt_cli.asr.chunking import Chunk
from stt_cli.asr.loops import runaway_start
from stt_cli.asr.vad import FRAME_SAMPLES, NoVad, StreamingVad
from stt_cli.asr.whisper import Decoder, Profile
from stt_cli.languages import ends_sentence
from stt_cli.live.agreement import Agreement
from stt_cli.media.decode import SAMPLE_RATE, full_scale
from stt_cli.types import Segment, Word

# One greedy pass per decode: the temperature fallback would decode the buffer up to six times, and live text
# must keep up; what a live decode gets wrong, the next decode of the same audio usually mends.
# Not primed with the text before the buffer: a buffer is one utterance of a few seconds, and primed with 200
# characters of what was said before it, Whisper carried that text on into the utterance's pause ("Saya akan
# melakukannya," closing five utterances of one far-field hearing, "Semuanya" closing six of another).
# Measured with every decode given its time (bench/hearings.py's hearings, `transcribe`'s WER in brackets),
# primed → unprimed: en-2-far 27.0 → 21.5 % (16.5), en-3-far 17.8 → 16.0 % (17.3), id-3-far 81.4 → 73.4 %
# (65.5), id-3-remote 83.4 → 69.3 % (67.6), id-2-far 72.4 → 74.4 % (70.9); at real time on bench/live.py's
# Indonesian stream 52-55 → 38-41 %, the lag at its end 21-37 → 1-3 s (the prompt's words cost decoding time
# too). A user's --initial-prompt and --hotwords still prime every decode.
LIVE = Profile("live", use_context=False, temperatures=(0.0,), no_speech_threshold=0.6)
# An utterance's last decode is final, so where the CPU has time for it, it searches as wide as `transcribe`
# does. Measured with every decode given its time (bench/hearings.py's live part), beam 5 there took the live
# WER of two far-field hearings from 33.8 to 27.0 % (English) and 79.9 to 75.9 % (Indonesian).
FINAL = Profile("live-final", use_context=False, temperatures=(0.0,), no_speech_threshold=0.6, least_beam=5)
KEEPING_UP = 2.0  # s: audio heard past an utterance's end under which its final decode may take the wide beam
STEP = 1.0  # s of new audio between decodes (whisper_streaming's default min-chunk)
PAUSE = 0.6  # s of non-speech after speech that ends an utterance
PRE_ROLL = 0.3  # s of audio kept before speech starts, so its first consonant is not clipped
TRIM_AFTER = 15.0  # s: a longer buffer is cut after its last committed sentence
MAX_BUFFER = 25.0  # s: past this everything decoded is committed, so one decode stays one Whisper window
_PRE_ROLL = int(PRE_ROLL * SAMPLE_RATE)  # samples
FIRST_DETECTION = 3.0  # s of speech heard before a language is detected on it (1 s guesses wrong)


@dataclass(frozen=True)
class Update:
    """What one step of live recognition decided.

    Attributes:
        committed: words committed now, in order; final, never changed again.
        provisional: the words after them in the latest hypothesis, which may still change.
        utterance_end: the speaker paused (or the input ended): the committed words close a turn.
        heard: seconds of audio received when the update was made.
    """

    committed: tuple[Word, ...]
    provisional: tuple[Word, ...]
    utterance_end: bool
    heard: float


class LiveRecogniser:
    """Audio in, :class:`Update` out; one per live session (the language of one stream says nothing of the
    next)."""

    def __init__(self, decoder: Decoder, *, vad: bool = True) -> None:
        self.decoder = decoder
        self.agreement = Agreement()
        self.vad: StreamingVad | NoVad = StreamingVad() if vad else NoVad()
        self.buffer = np.zeros(0, dtype=np.float32)
        self.first = 0  # stream sample of buffer[0]
        self.received = 0  # samples received
        self.judged = 0  # samples VAD has judged
        self.last_speech = -1  # stream sample just after the last speech frame; -1 before any speech
        self.speech_start: int | None = None  # first speech sample of the utterance under way, if any
        self.ends: deque[int] = deque()  # where utterances heard to their pause end (stream samples)
        self.decoded_at = 0  # samples received when the buffer was last decoded
        self.sentence_end = 0.0  # file seconds at which the last committed sentence ended
        self.decodes = 0

    @property
    def heard(self) -> float:
        return self.received / SAMPLE_RATE

    def hear(self, samples: np.ndarray) -> None:
        """Add the next 16 kHz mono samples of the stream."""
        self.buffer = np.concatenate([self.buffer, full_scale(samples)])
        self.received += samples.shape[0]
        self._judge(self.vad.feed(samples))

    def next_update(self) -> Update | None:
        """Decode when there is something new to decide; ``None`` when there is not yet.

        Utterances end in the order they were heard, each decoded on its own, however much audio waits behind
        them: a backlog (a decode that took long, a file replayed faster than real time) is worked through
        utterance by utterance, never decoded as one long buffer.
        """
        if self.ends:
            return self._end_utterance(self.ends.popleft())
        if self.speech_start is None:  # nothing said since the last pause: silence costs nothing
            self._forget_until(self.judged - _PRE_ROLL)
            return None
        self._forget_until(self.speech_start - _PRE_ROLL)
        if self.received - self.decoded_at < STEP * SAMPLE_RATE:
            return None
        if self.decoder.language is None and self.last_speech - self.speech_start < FIRST_DETECTION * SAMPLE_RATE:
            return None
        return self._step()

    def finish(self) -> Update:
        """The input ended: judge the last frames and commit everything still in the buffer."""
        self._judge(self.vad.finish())
        if self.speech_start is not None:
            self.ends.append(self.received)
            self.speech_start = None
        committed: list[Word] = []
        while self.ends:
            committed += self._end_utterance(self.ends.popleft()).committed
        return Update(tuple(committed), (), True, self.heard)

    def _judge(self, mask: np.ndarray) -> None:
        for speech in mask:
            frame_end = self.judged + FRAME_SAMPLES
            if speech:
                if self.speech_start is None:
                    self.speech_start = self.judged
                self.last_speech = frame_end
            elif self.speech_start is not None and frame_end - self.last_speech >= PAUSE * SAMPLE_RATE:
                self.ends.append(min(self.last_speech + _PRE_ROLL, self.received))
                self.speech_start = None
            self.judged = frame_end
        self.judged = min(self.judged, self.received)

    def _step(self) -> Update:
        limit = self.first + int(MAX_BUFFER * SAMPLE_RATE)
        words = self._decode(min(self.received, limit))
        committed = self.agreement.offer(words)
        if self.received > limit:  # no pause and no agreement for too long: all that was decoded is final
            flushed = self.agreement.flush(self.agreement.pending)
            committed += flushed
            self._remember(committed)
            cut = self._sample(self.agreement.committed_end) if flushed else limit
            self._forget_until(cut if cut > self.first else limit)  # always forward
        else:
            self._remember(committed)
            if self.buffer.shape[0] > TRIM_AFTER * SAMPLE_RATE:
                self._forget_until(self._sample(self.sentence_end))
        return Update(tuple(committed), tuple(self.agreement.pending), False, self.heard)

    def _end_utterance(self, until: int) -> Update:
        committed: list[Word] = []
        while until - self.first > MAX_BUFFER * SAMPLE_RATE:  # a long utterance waiting whole: in windows
            committed += self._step().committed
        # Behind (a backlog of utterances, or much heard since this one ended), the wide beam would only put
        # the recogniser further behind: the final decode is then as greedy as the others.
        keeping_up = not self.ends and self.received - until <= KEEPING_UP * SAMPLE_RATE
        committed += self.agreement.flush(self._decode(until, FINAL if keeping_up else LIVE))
        self._remember(committed)
        self._forget_until(until)
        return Update(tuple(committed), (), True, self.heard)

    def _decode(self, until: int, profile: Profile = LIVE) -> list[Word]:
        self.decoded_at = self.received
        end = max(until, self.first + 1)
        chunk = Chunk(self.decodes, self.first, end, samples=self.buffer[: end - self.first])
        self.decodes += 1
        segments: list[Segment] = self.decoder.decode(chunk, profile)
        return plausible([w for s in segments for w in s.words])

    def _remember(self, committed: list[Word]) -> None:
        ends = [w.end for w in committed if ends_sentence(w.text)]
        self.sentence_end = max([self.sentence_end, *ends])

    def _forget_until(self, sample: int) -> None:
        cut = min(max(sample - self.first, 0), self.buffer.shape[0])
        if cut:
            self.buffer = self.buffer[cut:].copy()
            self.first += cut

    @staticmethod
    def _sample(seconds: float) -> int:
        return round(seconds * SAMPLE_RATE)


def plausible(words: list[Word]) -> list[Word]:
    """A hypothesis without what Whisper invents past the audio it was given: a phrase looping on (kept once),
    and words piled on one instant (three or more starting at the same time, from there on).

    A live buffer ends mid-word every second, and greedy decoding with no fallback (``LIVE``) then often loops
    to the end of its window: measured on the Indonesian bench stream, "saya akan berhati-hati" 30 times over,
    all at 73.07 s. Two decodes of the same cut audio can loop alike, and agreement would commit the loop.
    """
    cut = runaway_start(["".join(c for c in w.text.lower() if c.isalnum()) for w in words])
    words = words[:cut] if cut is not None else words
    for index in range(len(words) - 2):
        if words[index].start == words[index + 1].start == words[index + 2].start:
            return words[:index]
    return words
