"""`python -m embedding DEST [--model NAME] [--no-int8]`: export a known model to ONNX (at install time)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from embedding.models import TRAINED_NAME, model_dir
from embedding.onnx_export import build_onnx_model


def main(argv: Sequence[str] | None = None) -> None:
    """Export a model (default: the shipped medcite-minilm-l6-bio) to DEST/model.onnx (and
    DEST/model-int8.onnx)."""
    parser = argparse.ArgumentParser(prog="python -m embedding", description=main.__doc__)
    parser.add_argument("dest", type=Path, help="folder to write model.onnx / model-int8.onnx into")
    parser.add_argument("--model", default=TRAINED_NAME, help="medcite-minilm-l6-bio or all-MiniLM-L6-v2")
    parser.add_argument("--no-int8", action="store_true", help="skip the int8 quantised model")
    args = parser.parse_args(argv)
    out = build_onnx_model(args.dest, quantize=not args.no_int8, model_dir=model_dir(args.model))
    print(f"ONNX model of {args.model} written to {out}")


if __name__ == "__main__":
    main()
