"""ScoreReport: scores at corpus, document and segment level, with signatures, intervals
and paired comparisons; rendered as a terminal table, JSON, CSV or a pandas DataFrame."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import InputError
from toolkit.score.bootstrap import PairedResult

if TYPE_CHECKING:
    import pandas

LEVELS = ("corpus", "doc", "segment")
DISPLAY = {
    "bleu": "BLEU", "chrf": "chrF", "chrf++": "chrF++", "ter": "TER", "terms": "Term acc.",
    "numbers": "Number acc.", "semantic": "Semantic", "comet": "COMET", "rouge1": "ROUGE-1",
    "rouge2": "ROUGE-2", "rougeL": "ROUGE-L", "rougeLsum": "ROUGE-Lsum",
}


def display_name(metric: str) -> str:
    return DISPLAY.get(metric, metric)


@dataclass
class MetricScore:
    """A corpus-level score (0-100; None where it does not apply, shown as n/a) with its
    bootstrap interval and how many items it counts (segments, documents, terms)."""

    score: float | None
    low: float | None = None
    high: float | None = None
    count: int | None = None
    detail: dict[str, float] = field(default_factory=dict)


@dataclass
class SystemScores:
    name: str
    path: str
    scores: dict[str, MetricScore]
    items: int  # segments (translations) or documents (summaries) scored
    missing: int = 0  # reference items the system had no output for (scored as empty)
    empty: int = 0  # outputs that were present but empty


@dataclass
class ScoreReport:
    """Everything one scoring run produced. ``signatures[metric]`` reproduces the number."""

    task: str  # "translations" or "summaries"
    lang: str
    references: str
    metrics: list[str]
    signatures: dict[str, str]
    systems: list[SystemScores]
    documents: list[dict[str, Any]] = field(default_factory=list)  # system, doc, metric, score
    segments: list[dict[str, Any]] = field(default_factory=list)  # system, doc, id, metric, score
    comparisons: list[PairedResult] = field(default_factory=list)
    bootstrap: dict[str, Any] = field(default_factory=dict)  # n_samples, seed, confidence
    notes: list[str] = field(default_factory=list)

    # --- access -------------------------------------------------------------------------
    def system(self, name: str) -> SystemScores:
        for s in self.systems:
            if s.name == name:
                return s
        raise KeyError(name)

    def score(self, system: str, metric: str) -> float | None:
        """The corpus-level score of one system, e.g. ``report.score("ONLINE-W", "bleu")``."""
        return self.system(system).scores[metric].score

    # --- export -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (NaN becomes null)."""
        data = {
            "task": self.task,
            "lang": self.lang,
            "references": self.references,
            "metrics": self.metrics,
            "signatures": self.signatures,
            "bootstrap": self.bootstrap,
            "systems": [
                {"name": s.name, "path": s.path, "items": s.items, "missing": s.missing, "empty": s.empty,
                 "scores": {m: asdict(v) for m, v in s.scores.items()}}
                for s in self.systems
            ],
            "comparisons": [asdict(c) for c in self.comparisons],
            "documents": self.documents,
            "segments": self.segments,
            "notes": self.notes,
        }
        return _clean(data)

    def rows(self, level: str = "corpus") -> list[dict[str, Any]]:
        """Flat rows for one level: corpus (with intervals, signatures and, for ROUGE, mean
        precision/recall and the bootstrap mid), doc, segment, or compare (paired tests)."""
        if level == "corpus":
            return [
                {"system": s.name, "metric": m, "score": v.score, "low": v.low, "high": v.high,
                 "count": v.count, "missing": s.missing, "signature": self.signatures.get(m, ""), **v.detail}
                for s in self.systems for m, v in s.scores.items()
            ]
        if level == "doc":
            return list(self.documents)
        if level == "segment":
            return list(self.segments)
        if level == "compare":
            return [asdict(c) for c in self.comparisons]
        raise InputError(f"unknown level {level!r}; choose corpus, doc, segment or compare")

    def to_frame(self, level: str = "corpus") -> pandas.DataFrame:
        """A pandas DataFrame of ``rows(level)`` (pandas is imported only here)."""
        try:
            import pandas as pd
        except ImportError:
            raise InputError("to_frame() needs pandas: pip install 'tk-translate[score]'") from None
        return pd.DataFrame(self.rows(level))

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    def to_csv(self, levels: tuple[str, ...] = ("corpus",)) -> str:
        """One long table: level, system, doc, id, metric, score, low, high, count, signature."""
        cols = ["level", "system", "doc", "id", "metric", "score", "low", "high", "count", "missing", "signature"]
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for level in levels:
            for row in self.rows(level):
                row = {**row, "level": level}
                if level != "corpus":
                    row["signature"] = self.signatures.get(_sig_key(row["metric"], level), "")
                w.writerow({k: _csv_value(row.get(k)) for k in cols})
        return buf.getvalue()

    def write(self, path: str | Path, levels: tuple[str, ...] = ("corpus",)) -> Path:
        """Write JSON (everything) or CSV (the given levels) atomically, by file extension."""
        from toolkit.outputs import atomic_write

        p = Path(path)
        if p.suffix == ".json":
            atomic_write(p, self.to_json())
        elif p.suffix == ".csv":
            atomic_write(p, self.to_csv(levels))
        else:
            raise InputError(f"{p}: write results to a .json or .csv file")
        return p

    # --- terminal ------------------------------------------------------------------------
    def format_table(self, level: str = "corpus", *, intervals: bool = True) -> str:
        """Aligned plain-text tables: systems side by side, then comparisons and signatures."""
        out: list[str] = []
        names = [s.name for s in self.systems]
        if level == "corpus":
            header = ["metric", *names]
            body = []
            for m in self.metrics:
                cells = [display_name(m)]
                for s in self.systems:
                    v = s.scores.get(m)
                    cells.append(_cell(v, intervals))
                body.append(cells)
            out.append(_align(header, body))
        else:
            rows = self.documents if level == "doc" else self.segments
            keys = ["doc"] if level == "doc" else ["doc", "id"]
            for m in self.metrics:
                table: dict[tuple, dict[str, float | None]] = {}
                for r in rows:
                    if r["metric"] == m:
                        table.setdefault(tuple(r[k] for k in keys), {})[r["system"]] = r["score"]
                if not table:
                    continue
                body = [[*k, *(_num(v.get(n)) for n in names)] for k, v in table.items()]
                out.append(f"{display_name(m)} by {level}:\n" + _align([*keys, *names], body))
        for s in self.systems:
            if s.missing:
                out.append(f"! {s.name}: {s.missing} of {s.items} {self._unit()} missing, scored as empty "
                           "(--allow-missing)")
            if s.empty:
                out.append(f"! {s.name}: {s.empty} empty {self._unit()}")
        if self.comparisons:
            base = self.comparisons[0].baseline
            b = self.bootstrap
            out.append(f"Paired bootstrap vs {base} ({b.get('n_samples')} resamples, seed {b.get('seed')}; "
                       f"* p < 0.05):")
            body = [[c.system, display_name(c.metric), f"{c.delta:+.2f}",
                     f"[{c.delta_low:+.2f}, {c.delta_high:+.2f}]", f"{c.p_value:.4f}" + (" *" if c.significant else "")]
                    for c in self.comparisons]
            out.append(_align(["system", "metric", "delta", f"{int(100 * b.get('confidence', 0.95))}% CI", "p"], body))
        sig_lines = [f"  {display_name(m)}: {self.signatures[m]}" for m in self.metrics if m in self.signatures]
        if sig_lines:
            ci = (f" [{int(100 * self.bootstrap['confidence'])}% bootstrap CI, "
                  f"{self.bootstrap['n_samples']} resamples, seed {self.bootstrap['seed']}]"
                  if intervals and level == "corpus" and self.bootstrap else "")
            out.append("Signatures" + ci + ":\n" + "\n".join(sig_lines))
        out.extend(self.notes)
        return "\n\n".join(out) + "\n"

    def _unit(self) -> str:
        return "segments" if self.task == "translations" else "documents"


def _sig_key(metric: str, level: str) -> str:
    return f"{metric}@{level}" if level == "segment" and metric == "bleu" else metric


def _num(v: float | None) -> str:
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.2f}"


def _cell(v: MetricScore | None, intervals: bool) -> str:
    if v is None or v.score is None or math.isnan(v.score):
        return "n/a"
    if intervals and v.low is not None and v.high is not None:
        return f"{v.score:.2f} [{v.low:.2f}, {v.high:.2f}]"
    return f"{v.score:.2f}"


def _align(header: list[str], body: list[list[str]]) -> str:
    rows = [header, *body]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(header))]
    lines = []
    for r in rows:
        lines.append("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths))).rstrip())
    return "\n".join(lines)


def _csv_value(v: Any) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float):
        return repr(v)
    return v


def _clean(obj: Any) -> Any:
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj
