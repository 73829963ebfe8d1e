"""`medcite store serve` and `medcite store copy`: run Chroma's server, move an index between backends.

The catalog and BM25 index always live under MEDCITE_HOME; only the vectors move. After
`medcite store copy --to http://127.0.0.1:8000`, setting MEDCITE_INDEX__CHROMA_URL to that URL makes every
command read the server's copy; `--to embedded` copies back.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from medcite.errors import MedCiteError

if TYPE_CHECKING:
    from index.vector_store import VectorStore
    from medcite.embedding import Embedder
    from medcite.settings import Settings

store_app = typer.Typer(
    help="Chroma server and moving the vector index between backends.", no_args_is_help=True
)


@store_app.command("serve")
def serve_cmd(
    path: Annotated[
        Path | None, typer.Option("--path", help="Data folder (default MEDCITE_HOME/chroma-server).")
    ] = None,
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
    allow_network: Annotated[
        bool, typer.Option("--allow-network", help="Allow a non-loopback address (Chroma has no auth).")
    ] = False,
) -> None:
    """Start `chroma run` for local use and wait until it answers; Ctrl-C stops it."""
    from index.chroma_server import chroma_server
    from medcite.settings import load_settings
    from ui.hardening import is_loopback

    if not is_loopback(host) and not allow_network:
        raise MedCiteError(
            f"Refusing to expose Chroma on {host}: it has no authentication.",
            hint="Bind 127.0.0.1, or pass --allow-network behind a firewall or proxy you control.",
        )
    data = path or load_settings().home / "chroma-server"
    # SIGTERM unwinds through chroma_server's cleanup, also while it is still starting.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with chroma_server(data, host=host, port=port, log=None) as (url, proc):
        print(f"Chroma server ready at {url} (data in {data}).", flush=True)
        print(f"Use it:  export MEDCITE_INDEX__CHROMA_URL={url}", flush=True)
        print("Copy an existing index into it:  medcite store copy --to " + url, flush=True)
        try:
            proc.wait()
        except KeyboardInterrupt:
            print("stopping", file=sys.stderr)
        else:
            raise MedCiteError(f"`chroma run` stopped with code {proc.returncode}.")


def _index_embedder(settings: Settings) -> Embedder:
    """A label for the index's collections (model name and dim from its manifest); the model is
    never loaded, since vectors are copied as they are."""
    from index import read_manifest
    from index.vector_store import LazyEmbedder

    manifest = read_manifest(settings)
    if manifest is None:
        raise MedCiteError(
            f"There is no index under {settings.home} to copy.", hint="Run `medcite ingest` first."
        )
    return LazyEmbedder(manifest.embedding_model, manifest.dim)


def _store_at(settings: Settings, where: str, embedder: Embedder) -> VectorStore:
    """The collection at `where`: "embedded" (under MEDCITE_HOME) or a Chroma server URL."""
    from index.vector_store import VectorStore

    target = (
        settings.replace(index={"chroma_url": None, "store": "embedded"})
        if where == "embedded"
        else settings.replace(index={"chroma_url": where, "store": "http"})
    )
    return VectorStore(target, embedder)


@store_app.command("copy")
def copy_cmd(
    to: Annotated[str, typer.Option("--to", help='Destination: a Chroma URL or "embedded".')],
    source: Annotated[
        str | None,
        typer.Option("--from", help='Source: a Chroma URL or "embedded" (default: the configured store).'),
    ] = None,
) -> None:
    """Copy every vector of the index to another backend, without re-embedding."""
    from rich.progress import Progress

    from index.chroma_server import copy_vectors
    from medcite.settings import load_settings

    settings = load_settings()
    src_name = source or settings.index.chroma_url or "embedded"
    if src_name == to:
        raise MedCiteError(f"Source and destination are the same ({to}).")
    embedder = _index_embedder(settings)
    src = _store_at(settings, src_name, embedder)
    dst = _store_at(settings, to, embedder)
    with Progress(transient=True) as bar:
        task = bar.add_task(f"copying to {to}", total=src.count())
        result = copy_vectors(src, dst, on_page=lambda n: bar.advance(task, n))
    if result.target_count != result.source_count:
        raise MedCiteError(
            f"Copy incomplete: {result.target_count} vectors at {to}, {result.source_count} at {src_name}.",
            hint="Run the same command again; it resumes.",
        )
    print(f"Copied {result.copied} vectors from {src_name} to {to}; no text was re-embedded.")
    if to != "embedded":
        print(f"Use it:  export MEDCITE_INDEX__CHROMA_URL={to}")
    else:
        print("Use it:  unset MEDCITE_INDEX__CHROMA_URL")
