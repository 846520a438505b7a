"""stt's offline diarization pipeline, a pyannote.audio ``Pipeline`` named in ``models/diarization/config.yaml``.

Why not pyannote's own ``SpeakerDiarization`` with these weights: measured on the AMI clips of the shared data
(bench/README.md), segmentation-3.0 often gives both voices of a fast exchange to the same local speaker of its
10 s window. Clustering cannot undo that: even *oracle* clustering of its local speakers left 18 % and 38 % DER
(collar 0.5 s) on dev00 and dev01. CAM++ was trained to tell speakers apart from ~1.5 s of speech, so here:

1. segmentation-3.0 decides *where* speech is and how many speak at once (pyannote's speaker count);
2. CAM++ embeds 1.5 s windows of speech every 0.5 s;
3. the windows are clustered spectrally: a cosine affinity matrix pruned to each window's nearest neighbours
   (10 % of the windows, at least 16), whose eigengap gives the number of speakers. Recordings differ in how
   similar all voices sound (a close microphone versus a far-field meeting), which defeats any fixed distance
   threshold; the eigengap is relative. Keeping a *share* of neighbours matters on long recordings: kept at
   40 %, a 20-minute file of four speakers came out as two; at 10 % (with the floor of 16 for short clips), four;
4. every frame of speech takes the speaker whose windows covering it agree most; where the segmentation counts
   two speakers at once, the runner-up is added to the overlapping diarization.

Memory stays bounded on multi-hour hearings: the affinity matrix is built on at most ``MAX_SPECTRAL`` windows
(an even subsample), and all windows are then assigned to the centroids.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import torch
from pyannote.audio import Inference, Pipeline
from pyannote.audio.core.io import AudioFile
from pyannote.audio.pipelines.speaker_diarization import DiarizeOutput
from pyannote.audio.pipelines.utils import PipelineModel, SpeakerDiarizationMixin, get_model
from pyannote.audio.pipelines.utils.diarization import set_num_speakers
from pyannote.core import Annotation, Segment, SlidingWindow
from pyannote.pipeline.parameter import Uniform

Window = tuple[float, float, tuple[int, int]]  # start s, end s, (first frame, last frame)
MAX_SPECTRAL = 1500  # windows in the affinity matrix: 1500² floats = 18 MB, eigh in about a second
MIN_EMBED_SECONDS = 0.5  # shorter speech is repeated up to this length before it is embedded
EMBED_BATCH = 32
MAX_SPEAKERS = 20  # searched when no --max-speakers is given
MIN_WINDOWS_PER_SPEAKER = 3
MIN_NEIGHBOURS = 16


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
        return {"window": 1.5, "hop": 0.5, "pruning": 0.1, "min_cluster_seconds": 0.9}

    def apply(
        self,
        file: AudioFile,
        num_speakers: int | None = None,
        min_speakers: int | None = None,
        max_speakers: int | None = None,
        hook: Callable | None = None,
    ) -> DiarizeOutput:
        hook = self.setup_hook(file, hook=hook)
        num_speakers, min_speakers, max_speakers = set_num_speakers(
            num_speakers=num_speakers, min_speakers=min_speakers, max_speakers=max_speakers
        )
        segmentations = self._segmentation(file, hook=functools.partial(hook, "segmentation", None))
        count = self.speaker_count(segmentations, self._segmentation.model.receptive_field, warm_up=(0.0, 0.0))
        frames = count.sliding_window
        active = count.data[:, 0] > 0
        regions = _runs(active)
        meta: Mapping[str, Any] = file if isinstance(file, Mapping) else {}
        if "waveform" in meta:  # stt always passes the decoded signal
            waveform, sample_rate = meta["waveform"][0], int(meta["sample_rate"])
        else:  # a path, when the pipeline is used on its own: pyannote's own reader
            from pyannote.audio import Audio

            decoded, sample_rate = Audio(sample_rate=16_000, mono="downmix")(file)
            waveform = decoded[0]

        windows = self._windows(regions, frames)
        if not windows:
            empty = Annotation(uri=meta.get("uri"))
            return DiarizeOutput(empty, empty.copy(), np.zeros((0, self._dimension)))
        embeddings = self._embed(waveform, sample_rate, windows, hook)
        reliable = np.array([(end - start) >= self.min_cluster_seconds for start, end, _ in windows])
        centroids = _cluster(
            embeddings[reliable] if reliable.sum() >= 2 else embeddings,
            pruning=self.pruning,
            num=num_speakers,
            low=min_speakers,
            high=max_speakers,
        )
        scores = embeddings @ centroids.T  # cosine: both are unit length
        votes = np.zeros((len(active), len(centroids)))
        weight = np.zeros(len(active))
        for (_, _, (first, last)), score in zip(windows, scores, strict=True):
            votes[first:last] += score
            weight[first:last] += 1
        votes /= np.maximum(weight, 1)[:, None]
        order = np.argsort(-votes, axis=1)
        exclusive = np.where(active, order[:, 0], -1)
        overlap = np.where(
            (count.data[:, 0] >= 2) & (len(centroids) > 1), order[:, min(1, len(centroids) - 1)], -1
        )
        uri = meta.get("uri")
        return DiarizeOutput(
            speaker_diarization=_annotation([exclusive, overlap], frames, uri),
            exclusive_speaker_diarization=_annotation([exclusive], frames, uri),
            speaker_embeddings=centroids,
        )

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

    def _embed(
        self, waveform: torch.Tensor, sample_rate: int, windows: list[Window], hook: Callable
    ) -> np.ndarray:
        minimum = int(MIN_EMBED_SECONDS * sample_rate)
        pieces = []
        for start, end, _ in windows:
            piece = waveform[int(start * sample_rate) : max(int(end * sample_rate), int(start * sample_rate) + 1)]
            if piece.shape[0] < minimum:
                piece = piece.repeat(math.ceil(minimum / piece.shape[0]))[:minimum]
            pieces.append(piece)
        embeddings = np.zeros((len(pieces), self._dimension), dtype=np.float32)
        # Equal lengths batch together; the last window of a region and short regions go alone.
        by_length: dict[int, list[int]] = {}
        for index, piece in enumerate(pieces):
            by_length.setdefault(piece.shape[0], []).append(index)
        done = 0
        with torch.inference_mode():
            for indices in by_length.values():
                for i in range(0, len(indices), EMBED_BATCH):
                    batch = indices[i : i + EMBED_BATCH]
                    stacked = torch.stack([pieces[j] for j in batch])[:, None, :]
                    embeddings[batch] = self._embedding_model(stacked).numpy()
                    done += len(batch)
                    hook("embeddings", None, total=len(pieces), completed=done)
        return embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True).clip(1e-8)


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
    # separates speakers), but never fewer than MIN_NEIGHBOURS (so a 30 s clip's graph does not fall apart).
    keep = min(n, max(MIN_NEIGHBOURS, int(pruning * n)))
    pruned = np.zeros_like(affinity)
    nearest = np.argsort(-affinity, axis=1)[:, :keep]
    rows = np.arange(n)[:, None]
    pruned[rows, nearest] = affinity[rows, nearest]
    pruned = np.clip((pruned + pruned.T) / 2, 0.0, None)
    laplacian = np.diag(pruned.sum(axis=1)) - pruned
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


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[first, last) index pairs of the runs of True in ``mask``."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))


def _annotation(label_tracks: list[np.ndarray], frames: SlidingWindow, uri: str | None) -> Annotation:
    annotation = Annotation(uri=uri)
    for track, labels in enumerate(label_tracks):
        for speaker in np.unique(labels[labels >= 0]):
            for first, last in _runs(labels == speaker):
                segment = Segment(frames[first].middle, frames[last - 1].middle + frames.step)
                annotation[segment, f"{track}_{first}"] = f"SPEAKER_{int(speaker):02d}"
    return annotation.support()
