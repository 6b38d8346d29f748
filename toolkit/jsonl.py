"""Reading JSON Lines: one object per line, and errors that name the place and the fix."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from toolkit.errors import InputError


def iter_jsonl(text: str, where: str, fix: str = "") -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, record)`` for each non-blank line of ``text``; a malformed line raises
    InputError naming ``where`` and the line (and ``fix``, when given)."""
    # Only "\n" ends a line: str.splitlines() would also split at U+2028, U+0085 ... that a
    # writer left raw inside a string.
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            yield number, json_object(line, f"{where}:{number}", fix)


def json_object(line: str, where: str, fix: str = "") -> dict[str, Any]:
    """One line's JSON object; anything else raises InputError naming ``where`` (and ``fix``)."""
    tail = f"; {fix}" if fix else ""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as e:
        raise InputError(f"{where}: not valid JSON ({e.msg}){tail}") from None
    if not isinstance(record, dict):
        raise InputError(f"{where}: a JSON {type(record).__name__}, not an object{tail}")
    return record
