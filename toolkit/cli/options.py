"""Pieces several commands share: the progress bar."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_bar(total: int, desc: str, enabled: bool = True) -> Iterator[Callable[[int], None]]:
    """A tqdm bar on stderr, advanced by the callback it yields; silent when disabled."""
    if not enabled:
        yield lambda n: None
        return
    from tqdm.auto import tqdm

    with tqdm(total=total, desc=desc, unit="seg", dynamic_ncols=True, leave=False) as bar:
        yield bar.update
