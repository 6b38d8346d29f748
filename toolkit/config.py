"""Settings in one order everywhere: command-line flag > TK_* variable > config file > default.

The config file is TOML: ``./tk.toml`` in the working directory, else ``$TK_HOME/config.toml``.
Keys are the flag names with underscores, e.g. ``device = "cuda"``, ``max_batch_tokens = 4096``.
Every setting has one type in :data:`SETTINGS`; a flag, a TK_ variable and a tk.toml value all
go through it, so ``TK_BEAMS=0`` fails exactly like ``--beams 0``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import click
import tomllib

from toolkit.errors import ConfigError

DEVICES = ("auto", "cpu", "cuda", "mps")
DTYPES = ("auto", "float32", "bfloat16", "float16", "int8")  # int8: --engine ctranslate2
BACKENDS = ("transformers", "ctranslate2")  # names in toolkit.backends.BACKENDS (kept here so --help is instant)


class DeviceType(click.ParamType):
    """auto, cpu, cuda, cuda:N or mps."""

    name = "device"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[auto|cpu|cuda|cuda:N|mps]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip().lower()
        if text in DEVICES or re.fullmatch(r"cuda:\d+", text):
            return text
        self.fail(f"{value!r} is not one of auto, cpu, cuda, cuda:N, mps", param, ctx)


class PathList(click.ParamType):
    """One path, several separated by the OS path separator, or a TOML list of paths."""

    name = "paths"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> list[str]:
        if isinstance(value, (list, tuple)):
            if not all(isinstance(v, str) for v in value):
                self.fail(f"{value!r} is not a list of paths", param, ctx)
            return [v for v in value if v]
        if isinstance(value, str):
            return [p for p in value.split(os.pathsep) if p]
        self.fail(f"{value!r} is not a path or a list of paths", param, ctx)


@dataclass(frozen=True)
class Setting:
    """One setting: its type (a click type, shared with the flag) and its default."""

    type: click.ParamType
    default: Any = None
    help: str = ""


SETTINGS: dict[str, Setting] = {
    "model": Setting(click.STRING, None, "model spec (catalog name, hub id, folder, .gguf)"),
    "engine": Setting(click.Choice(("auto", *BACKENDS)), "auto", "generation backend"),
    "device": Setting(DeviceType(), "auto", "where the model runs"),
    "dtype": Setting(click.Choice(DTYPES), "auto", "weights' dtype (int8: ctranslate2 only)"),
    "beams": Setting(click.IntRange(1, 16), None, "beam size"),
    "max_batch_tokens": Setting(click.IntRange(16), None, "token budget of one batch"),
    "max_new_tokens": Setting(click.IntRange(1), None, "cap on new tokens per segment"),
    "threads": Setting(click.IntRange(1), None, "torch CPU threads"),
    "batching": Setting(click.Choice(["auto", "padded", "continuous"]), "auto",
                        "how the transformers engine batches a chat LM"),
    "glossary": Setting(PathList(), None, "glossaries to enforce"),
    "fallback": Setting(click.BOOL, True, "fall back to the starter when the Hub is unreachable"),
    "bootstrap": Setting(click.IntRange(10), 1000, "bootstrap resamples"),
    "seed": Setting(click.INT, 12345, "bootstrap seed"),
    "comet_python": Setting(click.STRING, None, "Python of the COMET environment"),
    "comet_model": Setting(click.STRING, None, "COMET model"),
    "debug": Setting(click.BOOL, False, "show tracebacks"),
}


def tk_home() -> Path:
    """Folder for tk's cache and config: $TK_HOME, else $XDG_CACHE_HOME/tk, else ~/.cache/tk."""
    if env := os.environ.get("TK_HOME"):
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tk"


def config_path() -> Path | None:
    """The config file in force, or None: ./tk.toml first, then $TK_HOME/config.toml."""
    for candidate in (Path.cwd() / "tk.toml", tk_home() / "config.toml"):
        if candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=8)
def _read_config(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML ({e}); fix or remove the file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read it ({e})") from None


def config_table(name: str) -> dict[str, Any]:
    """A ``[name]`` table of the config file in force ({} when there is none)."""
    path = config_path()
    table = _read_config(path).get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{name}] must be a table")
    return table


def setting(name: str, flag: Any = None, default: Any = None) -> Any:
    """Resolve ``name``: the flag if given, else TK_<NAME>, else the config file, else
    ``default`` (else the setting's own default). Values from the environment and the config
    file are checked by the setting's type, as the flag's are by click."""
    spec = SETTINGS.get(name)
    if flag is not None:
        return flag
    env_name = "TK_" + name.upper()
    env = os.environ.get(env_name)
    if env is not None and env.strip() != "":
        return _convert(spec, env.strip(), f"{env_name}={env}")
    path = config_path()
    config = _read_config(path)
    if name in config:
        return _convert(spec, config[name], f"{path.name if path else 'config'}: {name} = {config[name]!r}")
    if default is not None:
        return default
    return spec.default if spec else None


def _convert(spec: Setting | None, value: Any, where: str) -> Any:
    if spec is None:
        return value
    try:
        return spec.type.convert(value, None, None)
    except click.BadParameter as e:
        raise ConfigError(f"{where}: {e.message}") from None


def debug() -> bool:
    """TK_DEBUG=1 (or true/yes): show tracebacks instead of one-line errors."""
    try:
        return bool(setting("debug"))
    except ConfigError:
        return False
