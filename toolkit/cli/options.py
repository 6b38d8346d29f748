"""Pieces several commands share: the progress bar."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_bar(total: int, desc: str, enabled: bool = True,
                 unit: str = "seg") -> Iterator[Callable[[int], None]]:
    """A tqdm bar on stderr, advanced by the callback it yields; silent when disabled."""
    if not enabled:
        yield lambda n: None
        return
    from tqdm.auto import tqdm

    with tqdm(total=total, desc=desc, unit=unit, unit_scale=unit == "char", dynamic_ncols=True,
              leave=False) as bar:
        yield bar.update


def quiet_libraries() -> None:
    """Silence Hugging Face's own progress bars and advice: for logs and pipes, not terminals."""
    import warnings

    from huggingface_hub.utils import disable_progress_bars
    from transformers.utils import logging

    disable_progress_bars()
    logging.disable_progress_bar()
    logging.set_verbosity_error()
    warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
