"""Length-sorted batches under a token budget: padding waste stays small and memory bounded,
and results go back in input order."""

from __future__ import annotations

from collections.abc import Sequence

DEFAULT_MAX_BATCH_TOKENS = 8192  # beams x (input + output) tokens of a batch
DEFAULT_MAX_BATCH_SIZE = 32


def plan_batches(
    lengths: Sequence[int],
    max_batch_tokens: int = DEFAULT_MAX_BATCH_TOKENS,
    max_batch_size: int = DEFAULT_MAX_BATCH_SIZE,
) -> list[list[int]]:
    """Group item indices into batches, longest first (an out-of-memory error shows up at the
    start, not after an hour); a batch's padded size (items x longest) stays within
    ``max_batch_tokens`` and it holds at most ``max_batch_size`` items. An item longer than
    the budget goes alone."""
    if max_batch_tokens < 1 or max_batch_size < 1:
        raise ValueError("max_batch_tokens and max_batch_size must be positive")
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in order:
        width = max(longest, lengths[i], 1)
        if current and (len(current) >= max_batch_size or width * (len(current) + 1) > max_batch_tokens):
            batches.append(current)
            current, width = [], max(lengths[i], 1)
        current.append(i)
        longest = width
    if current:
        batches.append(current)
    return batches
