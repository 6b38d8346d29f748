"""What every pipeline loads, from options checked once where they enter: the model (a
backend, cache-wrapped, with the documented fallback to the offline starter) and the
glossary. ``ModelOptions.resolve`` applies tk's one order — flag > TK_* > tk.toml > default —
and checks every value by the setting's type, so nothing below checks it again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from toolkit.config import SETTINGS, setting
from toolkit.errors import ConfigError, ModelError

if TYPE_CHECKING:
    from toolkit.backends.base import Backend
    from toolkit.glossary import Glossary
    from toolkit.models import ModelRef


@dataclass(frozen=True)
class ModelOptions:
    """Which model, on which engine and device, decoding how. Build it with :meth:`resolve`."""

    model: str | ModelRef | None = None
    engine: str = "auto"
    device: str = "auto"
    dtype: str = "auto"
    beams: int | None = None
    max_new_tokens: int | None = None
    max_batch_tokens: int | None = None
    batching: str = "auto"
    threads: int | None = None
    trust_remote_code: bool = False
    cache: bool = True
    fallback: bool = True

    @classmethod
    def resolve(cls, **given: Any) -> ModelOptions:
        """Options from flags or a notebook call (None: not given), the rest from TK_* and
        tk.toml, each value checked by its setting's type."""
        unknown = set(given) - {f.name for f in fields(cls)}
        if unknown:
            raise ConfigError(f"unknown model option(s): {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = given.get(f.name)
            if f.name in SETTINGS:
                if value is not None and not _is_ref(value):
                    value = _checked(f.name, value)
                value = setting(f.name, value)
            if value is not None:
                values[f.name] = value
        return cls(**values)

    def pinned(self, backend: Backend) -> ModelOptions:
        """These options fixed to the model and engine ``backend`` resolved (a path made
        absolute), with no fallback: what another process loads to run the same model."""
        return replace(self, model=backend.ref or self.model, fallback=False,
                       engine=getattr(backend, "name", None) or self.engine)

    def backend_options(self) -> dict[str, Any]:
        """What the backend itself takes (the rest is the task's or the loader's)."""
        options: dict[str, Any] = {"device": self.device, "dtype": self.dtype,
                                   "max_batch_tokens": self.max_batch_tokens,
                                   "threads": self.threads}
        if self.trust_remote_code:
            options["trust_remote_code"] = True
        if self.engine in ("transformers", "auto"):
            options["batching"] = self.batching
        return options


def _is_ref(value: Any) -> bool:
    return not isinstance(value, (str, int, float, bool, list, tuple))


def _checked(name: str, value: Any) -> Any:
    import click

    try:
        return SETTINGS[name].type.convert(value, None, None)
    except click.BadParameter as e:
        raise ConfigError(f"{name.replace('_', '-')} {value!r}: {e.message}") from None


def load_backend(options: ModelOptions, target_lang: str, task: str, *, namespace: str = "",
                 announce: Callable[[str], None] | None = None) -> Backend:
    """The backend for ``options.model`` (or the catalog's default for ``task`` and
    ``target_lang``), cache-wrapped under ``namespace`` (the task's prompt version).

    With no model asked for anywhere and the Hugging Face Hub out of reach - that error and
    no other - the offline starter model is used when installed (unless ``fallback`` is off:
    flag, TK_FALLBACK or ``fallback`` in tk.toml), and ``announce`` says so.
    """
    from toolkit.backends import load_backend as load_engine
    from toolkit.models import HubUnreachable, default_model, resolve_model, starter_installed

    engine, backend_options = options.engine, options.backend_options()
    load = load_auto if engine == "auto" else load_engine
    if options.model:
        ref = resolve_model(options.model)
        if ref.tasks and task not in ref.tasks:  # a catalog model for another task: refuse now
            raise ModelError(f"{ref.label} is a {'/'.join(ref.tasks)} model, not for tk {task}; "
                             "pick another with --model (see `tk models list`)")
        backend = load(ref, engine, **backend_options)
    else:
        try:
            backend = load(default_model(target_lang, task), engine, **backend_options)
        except HubUnreachable as e:
            if not options.fallback or not starter_installed():
                hint = ("" if starter_installed() else
                        "; or install the offline starter: `tk models pull starter`")
                raise HubUnreachable(f"{e}{hint}") from None
            if announce:
                announce(f"{e}\nfalling back to the offline starter model (small; to try the "
                         "pipeline, not production quality; --no-fallback makes this an error)")
            backend = load("starter", engine, **backend_options)
    if engine != "auto":
        backend.engine_reason = f"asked for: --engine {engine} (or TK_ENGINE, tk.toml)"
    if options.cache:
        from toolkit.cache import CachedBackend, GenerationCache

        backend = CachedBackend(backend, GenerationCache(), namespace=namespace)
    return backend


def load_auto(spec: Any, engine: str = "auto", **options: Any) -> Backend:
    """``--engine auto``: CTranslate2 where it is installed and runs the model (converted
    once, int8 on CPU: 2x to 6x the transformers path measured here), else transformers. The
    backend's ``engine_reason`` says which and why (runs print it, run.json keeps it)."""
    from toolkit.backends import load_backend as load_engine
    from toolkit.models import HubUnreachable

    ct2_options = {k: v for k, v in options.items() if k != "batching"}
    try:
        import ctranslate2  # noqa: F401  (loaded anyway where it runs the model)
        installed = True
    except ImportError:
        installed = False
    if not installed:
        backend = load_engine(spec, "transformers", **options)
        reason = ("CTranslate2 is not installed (pip install 'tk-translate[ctranslate2]' for "
                  "the faster engine)")
    else:
        try:
            backend = load_engine(spec, "ctranslate2", **ct2_options)
            reason = "CTranslate2 is installed and runs this model"
        except HubUnreachable:
            raise
        except (ModelError, ConfigError) as e:  # a model, device or dtype it cannot serve
            backend = load_engine(spec, "transformers", **options)
            reason = f"CTranslate2 cannot run this model: {e}"
    backend.engine_reason = f"--engine auto: {reason}"
    return backend


def in_namespace(backend: Backend, namespace: str) -> Backend:
    """``backend``'s model under another task's cache namespace (one model loaded, serving two
    tasks, their generations cached apart); an uncached backend as it is."""
    from toolkit.cache import CachedBackend

    if isinstance(backend, CachedBackend):
        return CachedBackend(backend.backend, backend.cache, namespace=namespace)
    return backend


def load_glossary(paths: Sequence[str] = ()) -> Glossary | None:
    """The glossaries named by --glossary, else by TK_GLOSSARY / tk.toml ``glossary``, merged."""
    chosen = list(paths) or setting("glossary")
    if not chosen:
        return None
    from toolkit.glossary import load_glossaries

    return load_glossaries(chosen)


def glossary_digest(glossary: Glossary | None) -> str | None:
    """A hash of the glossary's entries (what a job's outputs depend on), or None."""
    if glossary is None:
        return None
    from toolkit.backends.base import digest

    return digest([repr(e) for e in glossary.entries])[:16]
