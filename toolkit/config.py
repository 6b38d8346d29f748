"""Settings in one order everywhere: command-line flag > TK_* variable > config file > default.

The config file is TOML: ``./tk.toml`` in the working directory, else ``$TK_HOME/config.toml``.
Keys are the flag names with underscores, e.g. ``device = "cuda"``, ``max_batch_tokens = 4096``.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from toolkit.errors import ConfigError


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


def setting(name: str, flag: Any = None, default: Any = None, *, cast: type | None = None) -> Any:
    """Resolve ``name``: the flag if given, else TK_<NAME>, else the config file, else ``default``."""
    if flag is not None:
        return flag
    env = os.environ.get("TK_" + name.upper())
    value: Any
    if env is not None and env != "":
        value = env
    else:
        value = _read_config(config_path()).get(name, default)
    if value is None or cast is None or isinstance(value, cast):
        return value
    try:
        return cast(value)
    except ValueError:
        raise ConfigError(f"setting {name!r}: {value!r} is not a valid {cast.__name__}") from None
