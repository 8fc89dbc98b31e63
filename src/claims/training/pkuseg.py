"""Train the spacy-pkuseg segmentation model shipped in `models/pkuseg/`.

spacy-pkuseg ships no model and we download none: this trains one on our hand-checked
segmentation set (`corpus/segmentation/train.txt`, built by `claims.training.segdata`),
with fixed settings and seeds, one thread. Only the two files pkuseg loads are kept
(features.msgpack, weights.npz). Run: `nice -n 10 .venv/bin/python -m claims.training.pkuseg`.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from pathlib import Path

from ..resources import models_dir
from .heldout import ROOT

SEED = 0
ITERATIONS = 20
KEEP = ("features.msgpack", "weights.npz")


def _compress(path: Path) -> None:
    """pkuseg saves its weights uncompressed; np.load reads either (1.3 MB, not 2.2)."""
    import numpy as np

    with np.load(path) as data:
        arrays = {key: data[key] for key in data.files}
    np.savez_compressed(path, **arrays)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(ROOT / "corpus" / "segmentation"))
    parser.add_argument("--out", default=str(models_dir() / "pkuseg"))
    parser.add_argument("--iterations", type=int, default=ITERATIONS)
    args = parser.parse_args(argv)

    import numpy as np
    import spacy_pkuseg

    random.seed(SEED)
    np.random.seed(SEED)
    data = Path(args.data)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        spacy_pkuseg.train(
            str(data / "train.txt"), str(data / "test.txt"), tmp, train_iter=args.iterations
        )
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for name in KEEP:
            shutil.copy(Path(tmp) / name, out / name)
        _compress(out / "weights.npz")
    report = {
        "seconds": round(time.monotonic() - started, 1),
        "iterations": args.iterations,
        "train_sentences": sum(1 for _ in (data / "train.txt").open(encoding="utf-8")),
        "bytes": {name: (Path(args.out) / name).stat().st_size for name in KEEP},
    }
    (Path(args.out) / "training.json").write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
