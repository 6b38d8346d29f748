"""What a summary must cover, chosen before the model writes: the sentences of a document
ranked by centrality (LexRank: TF-IDF cosine similarity between sentences, PageRank over
that graph; Erkan and Radev, 2004), position (news puts the important first) and the
numbers and names they carry. (What a summary then carries of the top sentences is
:mod:`toolkit.qa.coverage`.)

    from toolkit.tasks.extract import rank, select

    scores = rank(sentences, "en", kinds)
    chosen = select(sentences, scores, budget=300, lang="en")

A small model given a whole article writes a summary of its beginning (or its headline);
given its most central sentences, in document order, it summarizes the article. Sentences are
compared by their content units (:func:`toolkit.qa.coverage.units`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from toolkit.qa.coverage import kept_units, measure, units

TOP = 5  # coverage is measured against the five top-ranked sentences
POSITION_WEIGHT = 0.5  # a first sentence's extra score over a last one
NUMBER_WEIGHT = 0.15  # a sentence that states a quantity or a name like Qwen3.5
MIN_WORDS = 6  # shorter segments (bylines, labels) are not candidates


def length(text: str, lang: str) -> int:
    """Words, or characters in Chinese (as summary limits count them)."""
    return measure(text, "chars" if lang == "zh" else "words")


def _lexrank(vectors: list[Counter[str]], df: Counter[str], damping: float = 0.85,
             iterations: int = 200) -> list[float]:
    """Continuous LexRank: PageRank over the cosine similarities of TF-IDF vectors. Only units
    in two sentences or more make similarity (the others count in each vector's norm)."""
    import numpy as np

    n = len(vectors)
    idf = {u: math.log((1 + n) / (1 + d)) + 1.0 for u, d in df.items()}
    shared = sorted(u for u, d in df.items() if d > 1)
    column = {u: k for k, u in enumerate(shared)}
    matrix = np.zeros((n, len(shared)), dtype=np.float32)
    norms = np.ones(n, dtype=np.float32)
    for i, v in enumerate(vectors):
        weights = {u: c * idf[u] for u, c in v.items()}
        norms[i] = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        for u, w in weights.items():
            if u in column:
                matrix[i, column[u]] = w
    sim = (matrix @ matrix.T) / np.outer(norms, norms)
    np.fill_diagonal(sim, 0.0)
    rows = sim.sum(axis=1, keepdims=True)
    # A sentence like no other links to every sentence alike (a dangling node).
    walk = np.where(rows > 0, sim / np.where(rows > 0, rows, 1.0), 1.0 / n)
    score = np.full(n, 1.0 / n)
    for _ in range(iterations):
        new = (1 - damping) / n + damping * (walk.T @ score)
        if np.abs(new - score).max() < 1e-9:
            score = new
            break
        score = new
    return [float(x) for x in score]


def rank(sentences: Sequence[str], lang: str, kinds: Sequence[str] | None = None) -> list[float]:
    """A score per sentence, higher is more important: LexRank centrality scaled to [0, 1],
    plus up to :data:`POSITION_WEIGHT` for position (the first sentence the most), plus
    :data:`NUMBER_WEIGHT` for a quantity or a product-like name. Headings and segments of
    fewer than :data:`MIN_WORDS` words score 0: they label, they do not state."""
    n = len(sentences)
    if n == 0:
        return []
    vectors = [Counter(units(s, lang)) for s in sentences]
    df = Counter(u for v in vectors for u in v)
    central = _lexrank(vectors, df) if n > 1 else [1.0]
    top = max(central) or 1.0
    scores = []
    for i, (s, c) in enumerate(zip(sentences, central, strict=True)):
        if not candidate(s, lang, kinds[i] if kinds else "text"):
            scores.append(0.0)
            continue
        position = POSITION_WEIGHT * (1 - i / n)
        facts = NUMBER_WEIGHT if kept_units(s) else 0.0
        scores.append(c / top + position + facts)
    return scores


def candidate(sentence: str, lang: str, kind: str = "text") -> bool:
    """Whether a segment can stand for the document: not a heading, not a byline or label."""
    if kind == "heading":
        return False
    words = length(sentence, lang) // (2 if lang == "zh" else 1)
    return words >= MIN_WORDS


def select(sentences: Sequence[str], scores: Sequence[float], *, budget: int,
           lang: str) -> list[int]:
    """Indices of the best-scored sentences whose lengths (words, or characters in Chinese)
    add up to at most ``budget``, in document order; at least the best one."""
    order = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    chosen: list[int] = []
    used = 0
    for i in order:
        if scores[i] <= 0 and chosen:
            break
        n = length(sentences[i], lang)
        if chosen and used + n > budget:
            continue
        chosen.append(i)
        used += n
    return sorted(chosen)


def top_sentences(sentences: Sequence[str], scores: Sequence[float], k: int = TOP) -> list[int]:
    """The ``k`` best-scored candidate sentences, in document order."""
    order = sorted((i for i in range(len(sentences)) if scores[i] > 0),
                   key=lambda i: (-scores[i], i))
    return sorted(order[:k])
