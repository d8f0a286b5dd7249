"""Active learning: rank unannotated reports by how unsure the current model is about them.

**The measure.** For each character the model sees (of the normalized text), take
the probability of the tag the model chose, ``p``; a report's uncertainty is
the mean of ``1 - p`` over its characters (length-normalized least confidence).

**Why this one.**

- *Mean, not sum:* an annotator reads every character of a report, so a
  report's cost grows with its length. The mean is uncertainty per character
  read, i.e. the expected correction per unit of annotation effort. A sum
  would always pick the longest reports (002 and 004 are five times longer
  than the others), a max would pick the report with one odd character.
- *Characters, not predicted spans:* ``1 - min span score`` only looks at
  entities the model found, but the costliest mistakes are the entities it
  missed (characters tagged ``O`` with low confidence); every character counts.
- *The chosen tag's probability, not entropy:* ``Tagger.tag_texts`` decodes
  with the CRF and returns the per-character probability of the decoded tag
  (a softmax over the character's own scores; not calibrated, which a
  ranking does not need). When the CRF's transitions overrule the
  character's own scores, that probability is low, which is exactly a spot
  where the model is torn; the entropy of the per-character distribution
  would not see it.

Offsets do not matter here, so everything is computed on the normalized text
with the same windows the tagger uses for prediction; overlapping windows
contribute each character once (its ``keep`` region), and line breaks, which
no window holds, do not count.

>>> uncertainty([0.9, 0.5, 1.0, 0.6])
0.25
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from govner.data.document import Document
from govner.data.normalize import normalize
from govner.data.segment import split_windows


def uncertainty(confidences: Sequence[float]) -> float:
    """Mean of ``1 - p`` over per-character confidences ``p``; 0 for no characters."""
    if not confidences:
        return 0.0
    return sum(1.0 - p for p in confidences) / len(confidences)


def char_confidences(tagger: Any, texts: Sequence[str]) -> list[list[float]]:
    """For each text, the model's probability of its chosen tag at each character it sees, in order.

    ``tagger`` is a :class:`govner.inference.tagger.Tagger` (anything with
    ``max_len``, ``overlap`` and ``tag_texts``).
    """
    norms = [normalize(text).text for text in texts]
    jobs = [(d, w) for d, norm in enumerate(norms) for w in split_windows(norm, tagger.max_len, tagger.overlap)]
    tagged = tagger.tag_texts([norms[d][w.start : w.end] for d, w in jobs])
    kept: list[dict[int, float]] = [{} for _ in texts]
    for (d, window), (_, probs) in zip(jobs, tagged, strict=True):
        for i in range(window.keep_start, window.keep_end):
            kept[d][i] = probs[i - window.start]
    return [[found[i] for i in sorted(found)] for found in kept]


def document_uncertainties(tagger: Any, texts: Sequence[str]) -> list[float]:
    """The uncertainty of each text under ``tagger`` (see the module docstring)."""
    return [uncertainty(c) for c in char_confidences(tagger, texts)]


@dataclass(frozen=True)
class Ranked:
    """A report and its uncertainty; ``chars`` is its length as the model sees it."""

    doc: Document
    uncertainty: float
    chars: int


def _batches(docs: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def rank_documents(tagger: Any, docs: Iterable[Document], k: int, docs_per_batch: int = 16) -> list[Ranked]:
    """The ``k`` most uncertain documents, most uncertain first (ties broken by id, so runs repeat).

    Streams ``docs`` in small batches and keeps only the current top ``k``, so
    a pool of 100,000 reports needs the memory of ``k`` of them.
    """
    if k <= 0:
        return []
    top: list[Ranked] = []
    for batch in _batches(docs, docs_per_batch):
        confidences = char_confidences(tagger, [doc.text for doc in batch])
        top.extend(Ranked(doc, uncertainty(c), len(c)) for doc, c in zip(batch, confidences, strict=True))
        top = sorted(top, key=lambda r: (-r.uncertainty, r.doc.id))[:k]
    return top


__all__ = ["Ranked", "char_confidences", "document_uncertainties", "rank_documents", "uncertainty"]
