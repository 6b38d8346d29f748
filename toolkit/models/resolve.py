"""Model resolution: one place that turns ``--model`` into something loadable. A spec is a
catalog name (``opus-mt-de-en``, ``starter``), a Hugging Face hub id, a local model folder or
a ``.gguf`` file.

    from toolkit.models import resolve_model
    ref = resolve_model("opus-mt-de-en")     # ModelRef(kind="seq2seq", source="Helsinki-NLP/...")
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import ModelError
from toolkit.models.catalog import STARTER, CatalogEntry, catalog
from toolkit.models.hub import HubUnreachable, hub_kwargs, in_hf_cache, offline_fix
from toolkit.models.starter import starter_installed, starter_path


@dataclass(frozen=True)
class ModelRef:
    """A resolved model: which engine drives it, where it loads from, and what it is.

    ``source`` is a hub id or a local folder; ``gguf_file`` names the file inside that folder
    for GGUF models. ``languages`` are the target languages the catalog promises (empty when
    unknown; the engine then asks the tokenizer).
    """

    kind: str
    source: str
    spec: str
    gguf_file: str | None = None
    name: str | None = None
    licence: str = "unknown (see the model card)"
    languages: tuple[str, ...] = ()
    note: str = ""
    tasks: tuple[str, ...] = ()  # what the catalog says it is for: "translate", "summarize"
    summary_langs: tuple[str, ...] = ()
    summary_route: str | None = None  # the summary route measured better (catalog)
    summary_route_note: str = ""
    max_input_tokens: int | None = None  # the catalog's limit, where the model card sets one
    local: bool = False
    sha256: str | None = None

    @property
    def model_id(self) -> str:
        """Where it loads from: hub id, folder, or the .gguf path (absolute for local files)."""
        if self.gguf_file:
            return str(Path(self.source) / self.gguf_file)
        return self.source

    @property
    def label(self) -> str:
        """The model as the user named it, for output records: the catalog name or hub id,
        or a local path relative to the working folder (``~/...`` outside it), so committed
        results never carry a machine-specific absolute path."""
        if self.name or not self.local:
            return self.name or self.source
        typed = Path(self.spec)
        if not typed.is_absolute() and not self.spec.startswith("~"):
            return typed.as_posix()  # relative, as typed
        return display_path(Path(self.model_id))


def display_path(path: Path) -> str:
    """``path`` relative to the working folder when inside it, else with ``~`` for home."""
    path = path.resolve()
    for base, prefix in ((Path.cwd().resolve(), ""), (Path.home().resolve(), "~/")):
        try:
            return prefix + path.relative_to(base).as_posix() if path != base else prefix or "."
        except ValueError:
            continue
    return path.as_posix()


def is_installed(entry: CatalogEntry) -> bool:
    """Whether a catalog model loads without a download (installed starter, or in the HF cache)."""
    if entry.name == STARTER:
        return starter_installed()
    return entry.hub is not None and in_hf_cache(entry.hub)


def resolve_model(spec: str | ModelRef) -> ModelRef:
    """Turn a catalog name, hub id, local folder or .gguf file into a ModelRef.

    Raises ModelError (naming the fix) for an unknown name, a missing path, a folder that is
    not a model, or the starter before it is installed.
    """
    if isinstance(spec, ModelRef):
        return spec
    spec = spec.strip()
    if not spec:
        raise ModelError("empty model name; see `tk models list` for the catalog")
    entries = catalog()
    if spec in entries:
        return _from_catalog(entries[spec])
    path = Path(spec).expanduser()
    if spec.endswith(".gguf"):
        if not path.is_file():
            raise ModelError(f"GGUF file not found: {spec}; check the path")
        return ModelRef(
            kind="llm", source=str(path.resolve().parent), gguf_file=path.name, spec=spec,
            local=True, note="GGUF file",
        )
    if path.is_dir():
        return _from_folder(path, spec)
    if path.exists():
        raise ModelError(
            f"{spec} is a file, not a model; pass a model folder, a .gguf file or a catalog name"
        )
    if _looks_like_path(spec):
        raise ModelError(
            f"model folder not found: {spec}; check the path, or run `tk models list` for names"
        )
    if "/" in spec and spec.count("/") == 1:
        return _from_hub(spec)
    raise ModelError(
        f"unknown model {spec!r}; run `tk models list` for catalog names, or pass a hub id "
        "(org/name), a model folder or a .gguf file"
    )


def _looks_like_path(spec: str) -> bool:
    """A hub id is exactly "org/name"; anything else with a separator means a path."""
    return spec.startswith((".", "/", "~")) or spec.count("/") > 1 or "\\" in spec


def _from_catalog(entry: CatalogEntry) -> ModelRef:
    languages = () if entry.target_langs == ("*",) else entry.target_langs
    common: dict[str, Any] = {
        "kind": entry.kind, "spec": entry.name, "name": entry.name, "licence": entry.licence,
        "languages": languages, "note": entry.note, "sha256": entry.sha256,
        "tasks": entry.tasks, "summary_langs": entry.summary_langs,
        "summary_route": entry.summary_route, "summary_route_note": entry.summary_route_note,
        "max_input_tokens": entry.max_input_tokens,
    }
    if entry.name == STARTER:
        path = starter_path()
        if not path.is_file():
            raise ModelError("the starter model is not installed; run `tk models pull starter`")
        return ModelRef(source=str(path.parent), gguf_file=path.name, local=True, **common)
    assert entry.hub
    return ModelRef(source=entry.hub, local=False, **common)


def _from_folder(path: Path, spec: str) -> ModelRef:
    config_file = path / "config.json"
    ggufs = sorted(path.glob("*.gguf"))
    if not config_file.is_file():
        if len(ggufs) == 1:
            return ModelRef(kind="llm", source=str(path.resolve()), gguf_file=ggufs[0].name,
                            spec=spec, local=True, note="GGUF file")
        raise ModelError(
            f"{spec} has no config.json, so it is not a transformers model folder; "
            "pass a folder made by save_pretrained, a .gguf file, or a catalog name"
        )
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ModelError(f"{config_file}: unreadable model config ({e})") from None
    return ModelRef(kind=kind_from_config(config, spec), source=str(path.resolve()), spec=spec,
                    local=True, note="local folder")


SEQ2SEQ_TYPES = frozenset({"marian", "m2m_100", "nllb-moe", "t5", "mt5", "umt5", "mbart",
                           "bart", "fsmt", "pegasus", "prophetnet"})


def kind_from_config(config: dict[str, Any], where: str) -> str:
    """'seq2seq' or 'llm' from a config.json: is_encoder_decoder or a known encoder-decoder
    model type, else a *ForCausalLM architecture."""
    if config.get("is_encoder_decoder") or config.get("model_type") in SEQ2SEQ_TYPES:
        return "seq2seq"
    architectures = config.get("architectures") or []
    if any(a.endswith("ForCausalLM") for a in architectures):
        return "llm"
    raise ModelError(
        f"{where}: cannot tell whether this is a seq2seq MT model or a causal LM "
        f"(model_type={config.get('model_type')!r}, architectures={architectures}); "
        "tk drives AutoModelForSeq2SeqLM and AutoModelForCausalLM models"
    )


def _from_hub(repo_id: str) -> ModelRef:
    """A hub id outside the catalog: its kind comes from its config.json (cache or Hub),
    read as data so no model code runs."""
    for entry in catalog().values():
        if entry.hub and entry.hub.lower() == repo_id.lower():
            return _from_catalog(entry)
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import (
        EntryNotFoundError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
    )

    try:
        path = hf_hub_download(repo_id, "config.json", **hub_kwargs(repo_id))
    except RepositoryNotFoundError:
        raise ModelError(f"model {repo_id!r} not found on the Hugging Face Hub (or gated: log "
                         "in with `hf auth login`); run `tk models list` for catalog names"
                         ) from None
    except LocalEntryNotFoundError:
        raise HubUnreachable(f"cannot load {repo_id}: the Hugging Face Hub is unreachable; "
                             + offline_fix(repo_id)) from None
    except EntryNotFoundError:
        raise ModelError(f"{repo_id} has no config.json, so it is not a transformers model"
                         ) from None
    config = json.loads(Path(path).read_text(encoding="utf-8"))
    return ModelRef(kind=kind_from_config(config, repo_id), source=repo_id, spec=repo_id,
                    note="Hugging Face hub model")



def default_model(target_lang: str, task: str = "translate") -> ModelRef:
    """The catalog's production default for ``task`` ("translate": German -> ``target_lang``;
    "summarize": a summary in ``target_lang``)."""
    def defaults(e: CatalogEntry) -> tuple[str, ...]:
        return e.default_for if task == "translate" else e.summary_default_for

    for entry in catalog().values():
        if target_lang in defaults(entry):
            return _from_catalog(entry)
    known = sorted({lang for e in catalog().values() for lang in defaults(e)})
    raise ModelError(
        f"no default model for target language {target_lang!r} (defaults exist for: "
        f"{', '.join(known)}); pass --model"
    )


