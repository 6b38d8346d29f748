"""Models: the catalog (``catalog``), resolution of ``--model`` (``resolve``), the Hugging Face
Hub (``hub``) and the offline starter model (``starter``).

    from toolkit.models import resolve_model
    ref = resolve_model("opus-mt-de-en")     # ModelRef(kind="seq2seq", source="Helsinki-NLP/...")
"""

from __future__ import annotations

from toolkit.models.catalog import STARTER, STARTER_LABEL, CatalogEntry, catalog
from toolkit.models.hub import HubUnreachable, hub_errors, hub_kwargs, hub_reachable, in_hf_cache
from toolkit.models.resolve import (
    ModelRef,
    default_model,
    display_path,
    is_installed,
    kind_from_config,
    resolve_model,
)
from toolkit.models.starter import (
    assemble_chunks,
    models_dir,
    pull_starter,
    sha256_file,
    starter_installed,
    starter_path,
)

__all__ = [
    "STARTER", "STARTER_LABEL", "CatalogEntry", "HubUnreachable", "ModelRef", "assemble_chunks",
    "catalog", "default_model", "display_path", "hub_errors", "hub_kwargs", "hub_reachable",
    "in_hf_cache", "is_installed", "kind_from_config", "models_dir", "pull_starter",
    "resolve_model", "sha256_file", "starter_installed", "starter_path",
]
