"""Section-aware chunking: Document -> Chunks small enough for the embedding model (pure).

all-MiniLM-L6-v2 truncates at 256 word pieces; ~900 characters of clinical English is about 200
of them, hence the default `chunk_size` (settings).  A chunk never mixes two sections unless both
are tiny (a label's one-line "Recent Major Changes", a guideline's "Target Population"): those are
merged so the index is not flooded with fragments that carry no meaning on their own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from medcite.types import Chunk, Document, content_hash

if TYPE_CHECKING:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from medcite.settings import IndexSettings

# Metadata copied from Document.meta onto every chunk: what citations, evidence grading and
# filters need.  Bulky or per-document-only keys (full synonym lists, PubMedQA labels) stay on the
# document row in the catalog.
CHUNK_META_KEYS: tuple[str, ...] = (
    "grade",
    "rating_scheme",
    "mesh_terms",
    "set_id",
    "effective_date",
    "version",
    "study_design_hint",
    "study_design",  # graded per document at ingest (corpus.grading)
    "publication_types",
    "pmid",
    "doi",
    "question",
)

# Separators from coarse to fine: paragraphs, lines, sentences, clauses, words.  No "" separator,
# so a single token longer than chunk_size (a long URL, a chemical name) is kept whole rather than
# cut mid-word.
_SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " "]


@dataclass(frozen=True)
class ChunkParams:
    """Chunking parameters (index-defining: they come from `settings.index`, see index_params())."""

    chunk_size: int
    chunk_overlap: int

    @classmethod
    def of(cls, index: IndexSettings) -> ChunkParams:
        return cls(index.chunk_size, index.chunk_overlap)

    @property
    def overlap(self) -> int:
        # Overlap must stay well below the size or the splitter loops on the same text.
        return max(0, min(self.chunk_overlap, self.chunk_size // 2))

    @property
    def tiny(self) -> int:
        """Sections shorter than this are merged with their neighbours when they fit."""
        return self.chunk_size // 4


@lru_cache(maxsize=8)
def _splitter(chunk_size: int, overlap: int) -> RecursiveCharacterTextSplitter:
    # Imported lazily: langchain pulls in pydantic models at import time.
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=overlap,
        separators=_SEPARATORS,
        keep_separator="end",  # a sentence keeps its full stop
        strip_whitespace=True,
        length_function=len,
    )


def split_text(text: str, params: ChunkParams) -> list[str]:
    """Split one section's text on paragraph/sentence boundaries into pieces <= chunk_size."""
    text = text.strip()
    if not text:
        return []
    if len(text) <= params.chunk_size:
        return [text]
    pieces = _splitter(params.chunk_size, params.overlap).split_text(text)
    return [p for p in (p.strip() for p in pieces) if p]


@dataclass(frozen=True)
class _Block:
    """A (possibly merged) run of sections with the heading it is cited under."""

    section: str
    text: str
    code: str | None


def _blocks(doc: Document, params: ChunkParams) -> Iterator[_Block]:
    """Sections with text, tiny consecutive ones merged while the merge fits in one chunk."""
    pending: _Block | None = None
    for sec in doc.sections:
        text = (sec.text or "").strip()
        title = (sec.title or "").strip()
        if not text:
            continue
        cur = _Block(title, text, sec.code)
        if pending is not None:
            # The merged chunk is cited under the first heading; later headings stay inline so the
            # reader (and BM25) still sees them.
            inline = f"{title}\n{text}" if title else text
            merged_text = f"{pending.text}\n\n{inline}"
            if len(pending.text) < params.tiny and len(merged_text) <= params.chunk_size:
                merged_title = (
                    pending.section
                    if not title or title == pending.section
                    else (f"{pending.section}; {title}" if pending.section else title)
                )
                pending = _Block(merged_title, merged_text, pending.code or sec.code)
                continue
            yield pending
        pending = cur
    if pending is not None:
        yield pending


def chunk_meta(doc: Document) -> dict[str, Any]:
    """The subset of document metadata each chunk carries."""
    return {k: doc.meta[k] for k in CHUNK_META_KEYS if doc.meta.get(k) not in (None, "", [], ())}


def chunk_document(doc: Document, params: ChunkParams) -> list[Chunk]:
    """Chunk a document section by section; ids are content hashes of (doc_id, section, text)."""
    meta = chunk_meta(doc)
    blocks = list(_blocks(doc, params))
    if not blocks and doc.title.strip():
        # A record with a title but no body (some MedQuAD answers are empty) stays findable.
        blocks = [_Block("", doc.title.strip(), None)]
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for block in blocks:
        for piece in split_text(block.text, params):
            cid = content_hash(doc.doc_id, block.section, piece)
            if cid in seen:  # a repeated boilerplate paragraph would collide on its id
                continue
            seen.add(cid)
            chunks.append(
                Chunk(
                    chunk_id=cid,
                    doc_id=doc.doc_id,
                    tier=doc.tier,
                    collection=doc.collection,
                    title=doc.title,
                    section=block.section,
                    text=piece,
                    ordinal=len(chunks),
                    publisher=doc.publisher,
                    year=doc.year,
                    date=doc.date,
                    url=doc.url,
                    section_code=block.code,
                    meta=dict(meta),
                )
            )
    return chunks


def chunk_documents(docs: Sequence[Document], params: ChunkParams) -> list[Chunk]:
    """Chunk several documents, preserving order."""
    return [c for d in docs for c in chunk_document(d, params)]
