"""Pieces several commands share: the progress bar."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Bar:
    """A progress callback (``bar(n)``: n more done) that can also say which phase a job is
    in (``bar.phase("retries: 12 segments")``)."""

    def __init__(self, tqdm_bar: Any = None) -> None:
        self._bar = tqdm_bar

    def __call__(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def phase(self, text: str) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(text, refresh=True)


@contextmanager
def progress_bar(total: int, desc: str, enabled: bool = True,
                 unit: str = "seg") -> Iterator[Bar]:
    """A tqdm bar on stderr, advanced by the callback it yields; silent when disabled. It
    stays on screen at the end (with its elapsed time and rate)."""
    if not enabled:
        yield Bar()
        return
    from tqdm.auto import tqdm

    with tqdm(total=total, desc=desc, unit=unit, unit_scale=unit == "char", dynamic_ncols=True,
              leave=True) as bar:
        yield Bar(bar)


def quiet_libraries() -> None:
    """Silence Hugging Face's own progress bars and advice: for logs and pipes, not terminals."""
    import warnings

    from huggingface_hub.utils import disable_progress_bars
    from transformers.utils import logging

    disable_progress_bars()
    logging.disable_progress_bar()
    logging.set_verbosity_error()
    warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
