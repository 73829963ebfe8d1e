"""Embedding runtimes behind the `Embedder` seam of `medcite.embedding`.

- `factory`: `make_embedder` / `embedder_from_settings`, the one place that picks a runtime;
- `torch_runtime`: sentence-transformers on CPU; `onnx_runtime`: onnxruntime on the local export;
- `onnx_export`: the export (and int8 quantisation) of the packaged weights, cached per home;
- `batching`: length-sorted batches; `query_cache`: LRU cache of query vectors;
- `packaged`: the packaged model's files and tokenizer.

This package imports the seam; the seam (`medcite/`) never imports this package.
"""
