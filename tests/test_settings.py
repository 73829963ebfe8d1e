"""Nested settings: environment and TOML naming, where the config file is found, secrets, and a
settings hash that moves with every answer-shaping knob and with nothing else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr

from medcite.errors import MedCiteError
from medcite.settings import HASHED_SECTIONS, Settings, code_version, load_settings

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("MEDCITE_"):
            monkeypatch.delenv(name)


def _leaves(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(path, annotation) of every leaf field of a settings model, nested models walked."""
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            yield from _leaves(ann, (*prefix, name))
        else:
            yield (*prefix, name), ann


def _get(obj: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        obj = getattr(obj, part)
    return obj


def _changed(value: Any, ann: Any) -> Any:
    """A valid value different from `value` for a field of type `ann`."""
    args = [a for a in typing.get_args(ann) if a is not type(None)]
    if typing.get_origin(ann) is typing.Literal:
        return next(a for a in args if a != value)
    if ann is SecretStr or SecretStr in args:
        return "a-new-secret"
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value / 2 if value else 0.5
    if isinstance(value, Path):
        return value / "elsewhere"
    if value is None or isinstance(value, str):
        if args and typing.get_origin(args[0]) is typing.Literal:
            return next(a for a in typing.get_args(args[0]) if a != value)
        return f"{value or 'x'}-changed"
    raise AssertionError(f"no changed value for {ann!r}")


def _nested(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    out: Any = value
    for part in reversed(path):
        out = {part: out}
    return out


ALL_FIELDS = list(_leaves(Settings))
HASHED = [(p, a) for p, a in ALL_FIELDS if p[0] in HASHED_SECTIONS and p != ("llm", "api_key")]
NOT_HASHED = [(p, a) for p, a in ALL_FIELDS if (p, a) not in HASHED]


def test_every_section_field_is_classified() -> None:
    assert len(HASHED) > 20 and ("composer", "patient", "max_chars") in [p for p, _ in HASHED]
    assert {p[0] for p, _ in NOT_HASHED} == {"home", "corpus", "evals", "llm", "server", "limits", "review"}


@pytest.mark.parametrize("path,ann", HASHED, ids=[".".join(p) for p, _ in HASHED])
def test_changing_an_answer_shaping_field_changes_the_hash(path: tuple[str, ...], ann: Any) -> None:
    base = load_settings()
    new_value = _changed(_get(base, path), ann)
    other = base.replace(**_nested(path, new_value))
    assert _get(other, path) == new_value
    assert other.settings_hash() != base.settings_hash()


@pytest.mark.parametrize("path,ann", NOT_HASHED, ids=[".".join(p) for p, _ in NOT_HASHED])
def test_changing_a_path_secret_server_or_limit_keeps_the_hash(path: tuple[str, ...], ann: Any) -> None:
    base = load_settings()
    new_value = _changed(_get(base, path), ann)
    other = base.replace(**_nested(path, new_value))
    assert _get(other, path) != _get(base, path)
    assert other.settings_hash() == base.settings_hash()


def test_the_code_version_enters_the_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    s = load_settings()
    before = s.settings_hash()
    assert code_version().startswith("0.") and "+" in code_version()
    monkeypatch.setattr("medcite.settings.code_version", lambda: "0.0.0+different")
    assert s.settings_hash() != before


def test_nested_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDCITE_INDEX__EMBEDDING_MODEL", "fake")
    monkeypatch.setenv("MEDCITE_COMPOSER__PATIENT__MAX_CHARS", "200")
    monkeypatch.setenv("MEDCITE_LLM__API_KEY", "sk-test")
    s = load_settings(index={"chunk_size": 500})  # an argument merges into the section
    assert (s.index.embedding_model, s.index.chunk_size) == ("fake", 500)
    assert s.composer.patient.max_chars == 200 and s.composer.patient.bullets_per_tier == 3
    assert isinstance(s.llm.api_key, SecretStr) and s.llm.api_key.get_secret_value() == "sk-test"


def test_old_flat_environment_names_are_refused_with_the_new_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDCITE_EMBEDDING_MODEL", "fake")
    with pytest.raises(MedCiteError, match="MEDCITE_INDEX__EMBEDDING_MODEL"):
        load_settings()


def test_replace_validates_and_ignores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    s = load_settings()
    monkeypatch.setenv("MEDCITE_RETRIEVAL__RRF_K", "99")
    assert s.replace(retrieval={"candidates": 7}).retrieval.rrf_k == s.retrieval.rrf_k
    with pytest.raises(ValueError):
        s.replace(index={"chunk_size": 1})


def _toml(home: Path, text: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "medcite.toml").write_text(text)


def test_explicit_home_decides_where_the_toml_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _toml(tmp_path / "a", "[retrieval]\nrrf_k = 33\n[composer.patient]\nmax_chars = 111\n")
    _toml(tmp_path / "b", "[retrieval]\nrrf_k = 44\n")
    s = load_settings(home=tmp_path / "a")
    assert (s.retrieval.rrf_k, s.composer.patient.max_chars) == (33, 111)
    monkeypatch.setenv("MEDCITE_HOME", str(tmp_path / "b"))
    assert load_settings().retrieval.rrf_k == 44
    assert load_settings(home=tmp_path / "a").retrieval.rrf_k == 33  # the argument beats MEDCITE_HOME
    monkeypatch.setenv("MEDCITE_RETRIEVAL__RRF_K", "55")
    assert load_settings(home=tmp_path / "a").retrieval.rrf_k == 55  # the environment beats the file


def test_medcite_config_wins_over_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _toml(tmp_path / "a", "[retrieval]\nrrf_k = 33\n")
    other = tmp_path / "elsewhere.toml"
    other.write_text("[retrieval]\nrrf_k = 77\n")
    monkeypatch.setenv("MEDCITE_CONFIG", str(other))
    assert load_settings(home=tmp_path / "a").retrieval.rrf_k == 77


def test_effective_masks_every_secret_and_keeps_sections() -> None:
    s = load_settings(
        llm={"api_key": "k1"}, server={"auth_users": "alice:pw"}, review={"reviewer_password": "pw2"}
    )
    eff = s.effective()
    assert eff["llm"]["api_key"] == eff["server"]["auth_users"] == eff["review"]["reviewer_password"] == "***"
    assert eff["composer"]["clinician"]["max_chars"] == s.composer.clinician.max_chars
    assert load_settings().effective()["llm"]["api_key"] is None
    assert not {"k1", "pw", "pw2"} & set(json.dumps(eff).replace('"', " ").split())


def test_cli_settings_prints_sections_and_one_hash(tmp_path: Path) -> None:
    env = {**os.environ, "MEDCITE_HOME": str(tmp_path), "MEDCITE_LLM__API_KEY": "sk-hidden"}
    code = "import sys; from medcite.cli import main; sys.argv[0] = 'medcite'; main()"
    run = [sys.executable, "-c", code, "settings"]
    text = subprocess.run(
        run, capture_output=True, text=True, env=env, cwd=REPO, check=True, timeout=120
    ).stdout
    for section in ("[index]", "[retrieval]", "[composer]", "[llm]", "[server]", "[limits]", "[review]"):
        assert section in text
    assert text.count("settings_hash") == 1 and "sk-hidden" not in text
    out = subprocess.run(
        [*run, "--json"], capture_output=True, text=True, env=env, cwd=REPO, check=True, timeout=120
    )
    data = json.loads(out.stdout)
    assert data["settings"]["llm"]["api_key"] == "***"
    assert data["settings_hash"] in text
