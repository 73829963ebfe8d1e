"""`python -m embedding DEST [--no-int8]`: export the packaged model to ONNX (e.g. at install time)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from embedding.onnx_export import build_onnx_model


def main(argv: Sequence[str] | None = None) -> None:
    """Export the packaged all-MiniLM-L6-v2 to DEST/model.onnx (and DEST/model-int8.onnx)."""
    parser = argparse.ArgumentParser(prog="python -m embedding", description=main.__doc__)
    parser.add_argument("dest", type=Path, help="folder to write model.onnx / model-int8.onnx into")
    parser.add_argument("--no-int8", action="store_true", help="skip the int8 quantised model")
    args = parser.parse_args(argv)
    out = build_onnx_model(args.dest, quantize=not args.no_int8)
    print(f"ONNX model written to {out}")


if __name__ == "__main__":
    main()
