"""CAM++ speaker encoder (Wang et al., "CAM++: A Fast and Efficient Network for Speaker Verification Using
Context-Aware Masking", Interspeech 2023), written to load the 3D-Speaker ``campplus_cn_en_common`` weights.

Shape of the network, as the paper describes it and the checkpoint's tensors confirm:

- a front-end "FCM" of 2-D residual convolutions over 80-bin fbank features, halving frequency three times
  (80 -> 10 bins x 32 channels = 320 features per frame);
- a TDNN layer (kernel 5, stride 2) to 128 channels;
- three densely connected blocks of 12, 24 and 16 "CAM" layers (growth 32, bottleneck 128, kernel 3,
  dilation 1, 2, 2), each layer's output masked by a context vector pooled over the whole utterance and over
  100-frame segments, with transition layers (BN-ReLU-conv1x1) halving the channels between blocks;
- mean and standard-deviation pooling over time, then a 192-d linear embedding with a non-affine batch norm.

``CamPlusPlus`` is a :class:`pyannote.audio.Model`, so pyannote's diarization pipeline can use it as its
``embedding``: it takes ``[batch, 1, samples]`` waveforms and optional per-frame ``weights`` (the
segmentation's speaker activity), computes Kaldi fbanks itself, and reads ``dimension``.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from pyannote.audio import Model
from torch import nn

FBANK_BINS = 80
EMBEDDING_DIM = 192
SEGMENT_FRAMES = 100  # CAM context pooling window: 1 s of 10 ms frames
MIN_ACTIVE_FRAMES = 20  # 0.2 s: below this a speaker's frames are too few to embed on their own


class _BnRelu(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.batchnorm = nn.BatchNorm1d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.batchnorm(x))


class _ResBlock2d(nn.Module):
    def __init__(self, channels: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, stride=(stride, 1), padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.shortcut = nn.Sequential()
        if stride != 1:
            self.shortcut = nn.Sequential(
                nn.Conv2d(channels, channels, 1, stride=(stride, 1), bias=False), nn.BatchNorm2d(channels)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class _Fcm(nn.Module):
    """2-D convolutional front end: [B, 80, T] fbanks -> [B, 320, T] features."""

    def __init__(self, channels: int = 32):
        super().__init__()
        self.conv1 = nn.Conv2d(1, channels, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.layer1 = nn.Sequential(_ResBlock2d(channels, 2), _ResBlock2d(channels, 1))
        self.layer2 = nn.Sequential(_ResBlock2d(channels, 2), _ResBlock2d(channels, 1))
        self.conv2 = nn.Conv2d(channels, channels, 3, stride=(2, 1), padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.bn1(self.conv1(x.unsqueeze(1))))
        x = self.layer2(self.layer1(x))
        x = F.relu(self.bn2(self.conv2(x)))
        batch, channels, bins, frames = x.shape
        return x.reshape(batch, channels * bins, frames)


class _Tdnn(nn.Module):
    def __init__(self, inputs: int, outputs: int, kernel: int, stride: int):
        super().__init__()
        self.linear = nn.Conv1d(inputs, outputs, kernel, stride=stride, padding=kernel // 2, bias=False)
        self.nonlinear = _BnRelu(outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.nonlinear(self.linear(x))


class _CamLayer(nn.Module):
    """A dilated convolution whose output is gated by utterance- and segment-level context."""

    def __init__(self, inputs: int, outputs: int, dilation: int):
        super().__init__()
        self.linear_local = nn.Conv1d(inputs, outputs, 3, padding=dilation, dilation=dilation, bias=False)
        self.linear1 = nn.Conv1d(inputs, inputs // 2, 1)
        self.linear2 = nn.Conv1d(inputs // 2, outputs, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        local = self.linear_local(x)
        context = x.mean(dim=-1, keepdim=True) + _segment_mean(x, SEGMENT_FRAMES)
        mask = torch.sigmoid(self.linear2(F.relu(self.linear1(context))))
        return local * mask


def _segment_mean(x: torch.Tensor, frames: int) -> torch.Tensor:
    pooled = F.avg_pool1d(x, kernel_size=frames, stride=frames, ceil_mode=True)
    return pooled.repeat_interleave(frames, dim=-1)[..., : x.shape[-1]]


class _CamDenseLayer(nn.Module):
    def __init__(self, inputs: int, growth: int, bottleneck: int, dilation: int):
        super().__init__()
        self.nonlinear1 = _BnRelu(inputs)
        self.linear1 = nn.Conv1d(inputs, bottleneck, 1, bias=False)
        self.nonlinear2 = _BnRelu(bottleneck)
        self.cam_layer = _CamLayer(bottleneck, growth, dilation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.cam_layer(self.nonlinear2(self.linear1(self.nonlinear1(x))))


class _CamDenseBlock(nn.Module):
    def __init__(self, layers: int, inputs: int, growth: int, bottleneck: int, dilation: int):
        super().__init__()
        for i in range(layers):
            self.add_module(f"tdnnd{i + 1}", _CamDenseLayer(inputs + i * growth, growth, bottleneck, dilation))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.children():
            x = torch.cat([x, layer(x)], dim=1)
        return x


class _Transit(nn.Module):
    def __init__(self, inputs: int, outputs: int):
        super().__init__()
        self.nonlinear = _BnRelu(inputs)
        self.linear = nn.Conv1d(inputs, outputs, 1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(self.nonlinear(x))


class _Dense(nn.Module):
    def __init__(self, inputs: int, outputs: int):
        super().__init__()
        self.linear = nn.Conv1d(inputs, outputs, 1, bias=False)
        self.nonlinear = _Bn(outputs)  # named so the checkpoint's "nonlinear.batchnorm" weights load

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.nonlinear.batchnorm(self.linear(x.unsqueeze(-1))).squeeze(-1)


class _Bn(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.batchnorm = nn.BatchNorm1d(channels, affine=False)


class _XVector(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        growth, bottleneck = 32, 128
        self.tdnn = _Tdnn(320, 128, kernel=5, stride=2)
        channels = 128
        for index, (layers, dilation) in enumerate(((12, 1), (24, 2), (16, 2)), start=1):
            self.add_module(f"block{index}", _CamDenseBlock(layers, channels, growth, bottleneck, dilation))
            channels += layers * growth
            self.add_module(f"transit{index}", _Transit(channels, channels // 2))
            channels //= 2
        self.out_nonlinear = _BnRelu(channels)
        self.dense = _Dense(channels * 2, EMBEDDING_DIM)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.tdnn(x)
        for index in (1, 2, 3):
            x = getattr(self, f"transit{index}")(getattr(self, f"block{index}")(x))
        x = self.out_nonlinear(x)
        # Statistics pooling: mean and standard deviation over time.
        return self.dense(torch.cat([x.mean(dim=-1), x.std(dim=-1)], dim=-1))


class CamPlusPlus(Model):
    """CAM++ as a pyannote.audio embedding model (16 kHz mono in, 192-d embedding out)."""

    def __init__(self, sample_rate: int = 16_000, num_channels: int = 1, task: Any = None) -> None:
        super().__init__(sample_rate=sample_rate, num_channels=num_channels, task=task)
        self.head = _Fcm()
        self.xvector = _XVector()

    @property
    def dimension(self) -> int:
        return EMBEDDING_DIM

    def on_load_checkpoint(self, checkpoint: dict) -> None:
        # The checkpoint holds only weights (see models/make_diarization.py); what the model is for is
        # stated here rather than unpickled from the file.
        from pyannote.audio.core.task import Problem, Resolution, Specifications

        self.specifications = Specifications(
            problem=Problem.REPRESENTATION, resolution=Resolution.CHUNK, duration=10.0
        )

    def fbank(self, waveforms: torch.Tensor) -> torch.Tensor:
        """[B, 1, N] waveforms in [-1, 1] -> [B, 80, T] mean-normalised Kaldi fbanks (25 ms / 10 ms)."""
        import torchaudio.compliance.kaldi as kaldi

        features = []
        for waveform in waveforms:
            # 3D-Speaker's front end: Kaldi defaults (povey window), no dither.
            fb = kaldi.fbank(
                waveform, num_mel_bins=FBANK_BINS, sample_frequency=self.hparams["sample_rate"], dither=0.0
            )
            features.append(fb - fb.mean(dim=0, keepdim=True))
        return torch.stack(features).transpose(1, 2)

    def forward(self, waveforms: torch.Tensor, weights: torch.Tensor | None = None, **_: Any) -> torch.Tensor:
        """Embed ``[B, 1, N]`` waveforms; with ``weights`` ``[B, F]`` (speaker activity over the same span),
        embed only the frames where that speaker is active.

        Pooling weighted frames is not enough for CAM++: every frame's features are gated by context averaged
        over the whole input, so the other speakers of a 10 s window would leak into each local speaker's
        embedding. The active frames are cut out before the network instead, as 3D-Speaker's own diarization
        does with single-speaker segments.
        """
        features = self.fbank(waveforms)  # [B, 80, T]
        if weights is None:
            return self.xvector(self.head(features))
        embeddings = []
        for feature, weight in zip(features, weights, strict=True):
            active = F.interpolate(weight[None, None], size=feature.shape[-1], mode="nearest")[0, 0] > 0.5
            if int(active.sum()) < MIN_ACTIVE_FRAMES:  # too little speech: use the whole window
                active = torch.ones_like(active)
            selected = feature[:, active]
            selected = selected - selected.mean(dim=-1, keepdim=True)
            embeddings.append(self.xvector(self.head(selected[None]))[0])
        return torch.stack(embeddings)
