"""Exceptions for mistakes a user can fix; the CLI turns them into one line and exit code 1."""

from __future__ import annotations


class TkError(Exception):
    """A problem the user can fix. The message says what is wrong and how to fix it."""

    exit_code = 1


class InputError(TkError):
    """Unreadable, empty or malformed input (documents, JSONL, hypotheses, references)."""


class ModelError(TkError):
    """A model that cannot be found, loaded, or asked for what it cannot do."""


class GlossaryError(TkError):
    """A glossary file that is malformed or inconsistent (message names file and line)."""


class ScoreError(TkError):
    """Hypotheses and references that cannot be scored together (ids, lengths, languages)."""


class ConfigError(TkError):
    """A bad setting in a flag, a TK_ variable or the config file."""


class CacheError(TkError):
    """tk's cache under $TK_HOME cannot be read or written (permissions, disk, corruption)."""


class OutputError(TkError):
    """An output that cannot be written (location, permissions, space, name)."""
