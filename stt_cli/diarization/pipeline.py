"""stt's offline diarization pipeline, a pyannote.audio ``Pipeline`` named in ``models/diarization/config.yaml``.

Why not pyannote's own ``SpeakerDiarization`` with these weights: measured on the AMI clips of the shared data
(bench/README.md), segmentation-3.0 often gives both voices of a fast exchange to the same local speaker of its
10 s window. Clustering cannot undo that: even *oracle* clustering of its local speakers left 18 % and 38 % DER
(collar 0.5 s) on dev00 and dev01. CAM++ was trained to tell speakers apart from ~1.5 s of speech, so here:

1. segmentation-3.0 decides *where* speech is and how many speak at once (pyannote's speaker count);
2. CAM++ embeds 1.5 s windows of speech every 0.5 s;
3. the windows are clustered spectrally: a cosine affinity matrix pruned to each window's nearest neighbours,
   whose normalised Laplacian's eigengap gives the number of speakers. Recordings differ in how similar all
   voices sound (a close microphone versus a far-field meeting), which defeats any fixed distance threshold;
   the eigengap is relative. How many neighbours decides what the gap sees (bench/clustering.py, chosen on one
   set of built hearings and checked on another): with 16, about the windows of one stretch of one voice, a
   far-field speaker heard at two distances came out as two people (counts right on 55-65 % of hearings);
   with 24 on every recording, a one-minute hearing's graph joined everyone into one speaker. So: 15 % of the
   windows, and at least a quarter of them on a short recording (6 to 24): counts right on 85 % and 90 % of
   the two sets of 20 hearings (two to six voices, one to five minutes, near, far and through a video link),
   the AMI meeting clips still two speakers each, and single voices one. Normalising the Laplacian by each
   window's degree (a quiet, far voice has weaker affinities everywhere) is half of it: unnormalised, the same
   neighbours got 55 % right and merged the meeting clips' speakers. The share matters on long recordings:
   kept at 40 %, a 20-minute file of four speakers came out as two;
4. every frame of speech takes the speaker whose windows covering it agree most; where the segmentation counts
   two speakers at once, the runner-up is added to the overlapping diarization.

Memory does not grow with the recording (a 12-hour court day diarizes in the peak of a 1-hour hearing): the
signal is never held whole but read again, ``BLOCK_SECONDS`` at a time for the segmentation and in order for the
embeddings; votes are summed one speech region at a time; the affinity matrix is built on at most
``MAX_SPECTRAL`` windows (an even subsample), and all windows are then assigned to the centroids. What grows
is a byte per 17 ms frame and 768 bytes per 0.5 s window: under 150 MB for 12 hours.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from pyannote.audio import Inference, Pipeline
from pyannote.audio.core.io import AudioFile
from pyannote.audio.pipelines.speaker_diarization import DiarizeOutput
from pyannote.audio.pipelines.utils import PipelineModel, SpeakerDiarizationMixin, get_model
from pyannote.audio.pipelines.utils.diarization import set_num_speakers
from pyannote.audio.utils.reproducibility import fix_reproducibility
from pyannote.core import Annotation, Segment, SlidingWindow
from pyannote.pipeline.parameter import Uniform

from stt_cli.asr.chunking import runs
from stt_cli.media.decode import SAMPLE_RATE, Signal, SignalInMemory, read_spans

Window = tuple[float, float, tuple[int, int]]  # start s, end s, (first frame, last frame)
BLOCK_SECONDS = 600.0  # of audio segmented at a time (20 MB of signal; a 10-minute block costs 2 % in margins)
MIN_EMBED_SECONDS = 0.5  # shorter speech is repeated up to this length before it is embedded
LENGTH_STEP = 0.1  # s; other window lengths are repeated up to the next multiple of this
MAX_SPECTRAL = 1500  # windows in the affinity matrix: 1500² floats = 18 MB, eigh in about a second
EMBED_BATCH = 32
MAX_SPEAKERS = 20  # searched when no --max-speakers is given
MIN_WINDOWS_PER_SPEAKER = 3
MIN_NEIGHBOURS = 24  # a window keeps at least this many neighbours in the affinity graph...
SHORT_SHARE = 4  # ...or a quarter of the windows on a short recording, whichever is fewer
FEWEST_NEIGHBOURS = 6


@dataclass
class WindowedOutput(DiarizeOutput):
    """pyannote's output, and the evidence behind it: each embedding window's span (seconds, ``(n, 2)``) and
    its cosine similarity to every speaker's centroid (``(n, speakers)``, column ``k`` labelled
    ``SPEAKER_{k:02d}``). 12 bytes per window and speaker: 4 MB for a 12-hour day of 10 speakers."""

    windows: np.ndarray | None = None
    window_scores: np.ndarray | None = None


class WindowedSpeakerDiarization(SpeakerDiarizationMixin, Pipeline):
    """Speaker diarization from short-window speaker embeddings, spectral clustering and segmentation-3.0.

    Args:
        segmentation: pyannote segmentation model (``$model/segmentation`` in config.yaml).
        embedding: speaker embedding model taking ``[B, 1, N]`` waveforms (``$model/embedding``).
        segmentation_step: segmentation window step, as a fraction of its 10 s duration.
        segmentation_batch_size: segmentation windows run together.
        loading: what pyannote's loader passes besides (``token``, ``cache_dir``, and the ``plda`` a
            community-1 layout names, which this pipeline does not use).

    Hyper-parameters (``params`` in config.yaml): ``window`` and ``hop`` (seconds), ``pruning`` (fraction of
    neighbours kept per row of the affinity matrix), ``min_cluster_seconds`` (speech regions shorter than this
    are assigned to speakers but do not shape them).
    """

    def __init__(
        self,
        segmentation: PipelineModel,
        embedding: PipelineModel,
        segmentation_step: float = 0.1,
        segmentation_batch_size: int = 16,
        **loading: Any,
    ):
        super().__init__()
        token, cache_dir = loading.get("token"), loading.get("cache_dir")
        model = get_model(segmentation, token=token, cache_dir=cache_dir)
        specifications = model.specifications
        duration = (specifications[0] if isinstance(specifications, tuple) else specifications).duration
        self._segmentation = Inference(
            model,
            duration=duration,
            step=segmentation_step * duration,
            skip_aggregation=True,
            batch_size=segmentation_batch_size,
        )
        self._embedding_model = get_model(embedding, token=token, cache_dir=cache_dir)
        self._embedding_model.eval()
        self._dimension = int(getattr(self._embedding_model, "dimension"))  # noqa: B009 - typed as a Module
        self.window = Uniform(0.5, 3.0)
        self.hop = Uniform(0.1, 1.5)
        self.pruning = Uniform(0.05, 0.9)
        self.min_cluster_seconds = Uniform(0.0, 3.0)

    def default_parameters(self) -> dict:
        return {"window": 1.5, "hop": 0.5, "pruning": 0.15, "min_cluster_seconds": 0.9}

    def apply(
        self,
        file: AudioFile,
        num_speakers: int | None = None,
        min_speakers: int | None = None,
        max_speakers: int | None = None,
        hook: Callable | None = None,
    ) -> DiarizeOutput:
        """pyannote's entry point (a file or a waveform in memory); stt itself calls :meth:`diarize_signal`."""
        meta: Mapping[str, Any] = file if isinstance(file, Mapping) else {}
        if "waveform" in meta:
            waveform, sample_rate = meta["waveform"], int(meta["sample_rate"])
        else:  # a path, when the pipeline is used on its own: pyannote's own reader
            from pyannote.audio import Audio

            waveform, sample_rate = Audio(sample_rate=SAMPLE_RATE, mono="downmix")(file)
        if sample_rate != SAMPLE_RATE:
            raise ValueError(f"the pipeline takes {SAMPLE_RATE} Hz audio, not {sample_rate} Hz")
        signal = SignalInMemory(np.asarray(waveform[0], dtype=np.float32))
        return self.diarize_signal(
            signal,
            num_speakers=num_speakers,
            min_speakers=min_speakers,
            max_speakers=max_speakers,
            hook=self.setup_hook(file, hook=hook),
            uri=meta.get("uri"),
        )

    def diarize_signal(
        self,
        signal: Signal,
        *,
        num_speakers: int | None = None,
        min_speakers: int | None = None,
        max_speakers: int | None = None,
        hook: Callable | None = None,
        uri: str | None = None,
    ) -> DiarizeOutput:
        """Diarize a signal read twice, block by block (segmentation, then embeddings): memory does not grow
        with the recording's length beyond a few bytes per frame and per window."""
        fix_reproducibility(self._device)
        hook = hook or _no_hook
        num_speakers, min_speakers, max_speakers = set_num_speakers(
            num_speakers=num_speakers, min_speakers=min_speakers, max_speakers=max_speakers
        )
        count, frames = self._speaker_count(signal, hook)
        active = count > 0
        regions = runs(active)
        windows = self._windows(regions, frames)
        if not windows:
            empty = Annotation(uri=uri)
            return DiarizeOutput(empty, empty.copy(), np.zeros((0, self._dimension)))
        embeddings = self._embed(signal, windows, hook)
        reliable = np.array([(end - start) >= self.min_cluster_seconds for start, end, _ in windows])
        centroids = _cluster(
            embeddings[reliable] if reliable.sum() >= 2 else embeddings,
            pruning=self.pruning,
            num=num_speakers,
            low=min_speakers,
            high=max_speakers,
        )
        scores = embeddings @ centroids.T  # cosine: unit rows
        exclusive, overlap = _label_frames(windows, scores, regions, count)
        return WindowedOutput(
            speaker_diarization=_annotation([exclusive, overlap], frames, uri),
            exclusive_speaker_diarization=_annotation([exclusive], frames, uri),
            speaker_embeddings=centroids,
            windows=np.array([(a, b) for a, b, _ in windows], dtype=np.float32),
            window_scores=scores.astype(np.float32),
        )

    @property
    def _device(self) -> torch.device:
        return getattr(self, "device", torch.device("cpu"))  # set by Pipeline.to()

    def _speaker_count(self, signal: Signal, hook: Callable) -> tuple[np.ndarray, SlidingWindow]:
        """How many speak in each frame, segmented ``BLOCK_SECONDS`` at a time.

        Each block is read with one segmentation chunk of audio on either side, so every frame it keeps is
        covered by all the chunks that would cover it in one pass over the whole file; block edges fall on
        frame edges, so the frames line up exactly. A recording shorter than a block is segmented in one go.
        """
        field = self._segmentation.model.receptive_field
        frames = SlidingWindow(start=0.0, duration=field.duration, step=field.step)
        step = round(field.step * SAMPLE_RATE)  # samples per frame (270 for segmentation-3.0)
        margin = math.ceil(self._segmentation.duration * SAMPLE_RATE / step)  # frames
        core = round(BLOCK_SECONDS * SAMPLE_RATE / step)
        total = math.ceil(signal.duration * SAMPLE_RATE / step)
        cores = list(range(0, max(total, 1), core))
        reads = []
        for index, first in enumerate(cores):
            last_block = index == len(cores) - 1
            reads.append(
                (
                    max(0, first - margin) * step / SAMPLE_RATE,
                    signal.duration if last_block else (first + core + margin) * step / SAMPLE_RATE,
                )
            )
        parts = []
        for index, (first, piece) in enumerate(zip(cores, read_spans(signal, reads), strict=True)):
            waveform = torch.from_numpy(piece)[None]
            scores = self._segmentation({"waveform": waveform, "sample_rate": SAMPLE_RATE})
            local = self.speaker_count(scores, field, warm_up=(0.0, 0.0)).data[:, 0]
            keep = local[first - max(0, first - margin) :]
            if index < len(cores) - 1:
                keep = np.pad(keep[:core], (0, max(0, core - keep.shape[0])))
            parts.append(keep)
            hook("segmentation", None, completed=index + 1, total=len(cores))
        return np.concatenate(parts), frames

    def _windows(self, regions: list[tuple[int, int]], frames: SlidingWindow) -> list[Window]:
        """(start s, end s, (first frame, last frame)) of every embedding window over the speech regions."""
        windows = []
        for first, last in regions:
            start, end = frames[first].middle, frames[last - 1].middle
            if end - start <= self.window:
                spans = [(start, end)]
            else:
                count = math.ceil((end - start - self.window) / self.hop) + 1
                offsets = np.linspace(start, end - self.window, count)
                spans = [(float(o), float(o) + self.window) for o in offsets]
            for a, b in spans:
                fa, fb = frames.closest_frame(a), frames.closest_frame(b) + 1
                windows.append((a, b, (max(fa, first), min(fb, last))))
        return windows

    def _embed(self, signal: Signal, windows: list[Window], hook: Callable) -> np.ndarray:
        """Unit CAM++ embeddings of the windows, read in one pass.

        oneDNN keeps kernels and buffers for every input shape it meets: embedding windows at the lengths they
        came in, in batches of whatever size was left, grew the peak by 530 MB over 1500 windows of a 20-minute
        file. So a window is repeated up to the next ``LENGTH_STEP`` (at most 0.1 s of repeated speech; a full
        window is not touched), windows wait by length until ``EMBED_BATCH`` of them are there, and the few
        left at the end are filled up to a whole batch: a file meets about ten shapes, however long it is.
        """
        minimum, step = int(MIN_EMBED_SECONDS * SAMPLE_RATE), int(LENGTH_STEP * SAMPLE_RATE)
        embeddings = np.zeros((len(windows), self._dimension), dtype=np.float32)
        waiting: dict[int, list[tuple[int, torch.Tensor]]] = {}
        done = 0
        for index, piece in enumerate(read_spans(signal, ((a, b) for a, b, _ in windows))):
            length = max(minimum, -(-piece.shape[0] // step) * step)
            group = waiting.setdefault(length, [])
            group.append((index, torch.from_numpy(np.resize(piece, length))))
            if len(group) == EMBED_BATCH:
                self._embed_batch(group, embeddings)
                done += len(group)
                group.clear()
                hook("embeddings", None, total=len(windows), completed=done)
        for group in waiting.values():
            if group:
                self._embed_batch(group, embeddings)
                done += len(group)
                hook("embeddings", None, total=len(windows), completed=done)
        return embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True).clip(1e-8)

    def _embed_batch(self, batch: list[tuple[int, torch.Tensor]], out: np.ndarray) -> None:
        """One batch, filled up to ``EMBED_BATCH`` with copies of its first window (their results dropped)."""
        pieces = [piece for _, piece in batch] + [batch[0][1]] * (EMBED_BATCH - len(batch))
        with torch.inference_mode():
            stacked = torch.stack(pieces)[:, None, :].to(self._device)
            out[[index for index, _ in batch]] = self._embedding_model(stacked).cpu().numpy()[: len(batch)]


def _no_hook(*args: Any, **kwargs: Any) -> None:
    return None


def _label_frames(
    windows: list[Window], scores: np.ndarray, regions: list[tuple[int, int]], count: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each speech frame's speaker (the one its windows score highest) and, where the segmentation counts two
    at once, the runner-up; -1 elsewhere. Votes are summed one region at a time, so memory holds one region."""
    speakers = scores.shape[1]
    exclusive = np.full(count.shape[0], -1, dtype=np.int16)
    overlap = np.full(count.shape[0], -1, dtype=np.int16)
    w = 0
    for first, last in regions:
        votes = np.zeros((last - first, speakers))
        weight = np.zeros(last - first)
        while w < len(windows) and windows[w][2][0] < last:
            fa, fb = windows[w][2]
            votes[fa - first : fb - first] += scores[w]
            weight[fa - first : fb - first] += 1
            w += 1
        order = np.argsort(-(votes / np.maximum(weight, 1)[:, None]), axis=1)
        exclusive[first:last] = order[:, 0]
        if speakers > 1:
            two = count[first:last] >= 2
            overlap[first:last][two] = order[two, 1]
    return exclusive, overlap


def _cluster(embeddings: np.ndarray, *, pruning: float, num: int | None, low: int, high: float) -> np.ndarray:
    """Unit-length centroids of the speakers found among ``embeddings`` (unit rows)."""
    sample = embeddings
    if len(sample) > MAX_SPECTRAL:
        sample = sample[np.linspace(0, len(sample) - 1, MAX_SPECTRAL).astype(int)]
    n = len(sample)
    if n == 1:
        return sample.copy()
    affinity = sample @ sample.T
    # Each window keeps its nearest neighbours: a share of all windows on long recordings (so the graph
    # separates speakers), never fewer than MIN_NEIGHBOURS (so a speaker heard at two distances stays one), but
    # on a short recording no more than a quarter of its windows (so its speakers are not joined into one).
    least = min(MIN_NEIGHBOURS, max(FEWEST_NEIGHBOURS, n // SHORT_SHARE))
    keep = min(n, max(least, int(pruning * n)))
    pruned = np.zeros_like(affinity)
    nearest = np.argsort(-affinity, axis=1)[:, :keep]
    rows = np.arange(n)[:, None]
    pruned[rows, nearest] = affinity[rows, nearest]
    pruned = np.clip((pruned + pruned.T) / 2, 0.0, None)
    scale = 1 / np.sqrt(np.maximum(pruned.sum(axis=1), 1e-9))
    laplacian = np.eye(n) - scale[:, None] * pruned * scale[None, :]  # normalised: I - D^-1/2 A D^-1/2
    eigenvalues, eigenvectors = np.linalg.eigh(laplacian)
    if num is not None:
        k = int(min(num, n))
    else:
        # A speaker needs a few windows before the eigengap can speak for it: on an 11 s single-speaker
        # clip (8 windows) an unbounded search split one voice four ways.
        upper = int(min(high if np.isfinite(high) else MAX_SPEAKERS, n // MIN_WINDOWS_PER_SPEAKER, n - 1))
        upper = max(upper, 1)
        gaps = np.diff(eigenvalues[: upper + 1])
        k = int(np.argmax(gaps)) + 1 if len(gaps) else 1
        k = max(k, min(low, n))
    labels = _kmeans(eigenvectors[:, :k], k) if k > 1 else np.zeros(n, dtype=int)
    centroids = np.stack([sample[labels == c].mean(axis=0) for c in range(k) if (labels == c).any()])
    return centroids / np.linalg.norm(centroids, axis=1, keepdims=True).clip(1e-8)


def _kmeans(points: np.ndarray, k: int, iterations: int = 50) -> np.ndarray:
    """Deterministic k-means (farthest-point initialisation) on the spectral embedding's rows."""
    points = points / np.linalg.norm(points, axis=1, keepdims=True).clip(1e-8)
    chosen = [points[0]]
    for _ in range(1, k):
        distance = np.min([((points - c) ** 2).sum(axis=1) for c in chosen], axis=0)
        chosen.append(points[int(np.argmax(distance))])
    centres = np.array(chosen)
    labels = np.zeros(len(points), dtype=int)
    for _ in range(iterations):
        labels = ((points[:, None, :] - centres[None]) ** 2).sum(axis=2).argmin(axis=1)
        updated = np.array(
            [points[labels == c].mean(axis=0) if (labels == c).any() else centres[c] for c in range(k)]
        )
        if np.allclose(updated, centres):
            break
        centres = updated
    return labels


def _annotation(label_tracks: list[np.ndarray], frames: SlidingWindow, uri: str | None) -> Annotation:
    annotation = Annotation(uri=uri)
    for track, labels in enumerate(label_tracks):
        for speaker in np.unique(labels[labels >= 0]):
            for first, last in runs(labels == speaker):
                segment = Segment(frames[first].middle, frames[last - 1].middle + frames.step)
                annotation[segment, f"{track}_{first}"] = f"SPEAKER_{int(speaker):02d}"
    return annotation.support()
