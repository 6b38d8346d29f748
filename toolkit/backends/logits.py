"""The term constraints of :mod:`toolkit.backends.constraints` as a transformers
LogitsProcessor: the torch side (scores, masks) of a torch-free decision core."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from transformers import LogitsProcessor

from toolkit.backends.constraints import ConstraintTracker

if TYPE_CHECKING:
    import torch


class TermConstraints(LogitsProcessor):
    """Drives a :class:`ConstraintTracker` from ``generate``; takes the same arguments."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.tracker = ConstraintTracker(*args, **kwargs)
        self._glue: dict[Any, torch.Tensor] = {}

    @property
    def interventions(self) -> int:
        return self.tracker.interventions

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        sequences = input_ids.tolist()
        self.tracker.step(sequences, lambda row: _TorchRow(scores, row, self._glue_ids(scores)))
        return scores

    def _glue_ids(self, scores: torch.Tensor) -> torch.Tensor:
        import torch

        if scores.device not in self._glue:
            glue = torch.tensor(self.tracker.glue, dtype=torch.long, device=scores.device)
            self._glue[scores.device] = glue[glue < scores.shape[1]]
        return self._glue[scores.device]


class _TorchRow:
    """One row of a scores tensor, changed in place; log-probabilities computed on demand
    (after any masking, as the decision sees them)."""

    def __init__(self, scores: torch.Tensor, row: int, glue: torch.Tensor) -> None:
        self.scores, self.row, self.glue = scores, row, glue
        self._logprobs: torch.Tensor | None = None

    def _lp(self) -> torch.Tensor:
        if self._logprobs is None:
            self._logprobs = self.scores[self.row].float().log_softmax(-1)
        return self._logprobs

    def best(self) -> int:
        return int(self._lp().argmax())

    def logprob(self, token: int) -> float:
        return float(self._lp()[token])

    def ban_glue(self) -> None:
        import torch

        if not len(self.glue):
            return
        saved = self.scores[self.row].clone()
        self.scores[self.row, self.glue] = -float("inf")
        if not bool(torch.isfinite(self.scores[self.row]).any()):
            self.scores[self.row] = saved  # nothing else left: better glued than nothing
        self._logprobs = None

    def force(self, token: int) -> None:
        import torch

        keep = self.scores[self.row, token].clone()
        if not torch.isfinite(keep):
            keep = torch.zeros_like(keep)
        self.scores[self.row, :] = -float("inf")
        self.scores[self.row, token] = keep
        self._logprobs = None
