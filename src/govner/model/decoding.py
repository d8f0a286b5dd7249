"""IOB2 decoding without torch: transition masks and a batched Viterbi over numpy arrays.

Training (the CRF's ``decode``), both prediction backends and the evaluation of
models without a CRF all decode with these two functions, so a path is valid
IOB2 whichever way it was computed: ``O → I-X`` and ``B-X → I-Y`` are forbidden
and no sequence starts with ``I-X``.

>>> transition, start = iob2_masks(["O", "B-LOC", "I-LOC"])
>>> (transition < 0).astype(int).tolist(), (start < 0).astype(int).tolist()
([[0, 0, 1], [0, 0, 0], [0, 0, 0]], [0, 0, 1])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# The score of a forbidden transition: low enough that no path uses one, finite so sums stay finite.
IMPOSSIBLE = -10000.0

# config.json's model_type of govner's network. Defined here, not in network.py, because this file is
# torch-free (the onnx backend reads it) and is copied into every model folder with network.py.
MODEL_TYPE = "govner-gru-crf"


def iob2_masks(tags: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """``(transition penalty [from, to], start penalty [to])``: 0 where IOB2 allows, ``IMPOSSIBLE`` elsewhere."""
    n = len(tags)
    transition = np.zeros((n, n), dtype=np.float32)
    start = np.zeros(n, dtype=np.float32)
    for j, to in enumerate(tags):
        if to.startswith("I-"):
            start[j] = IMPOSSIBLE
            for i, frm in enumerate(tags):
                if frm not in (f"B-{to[2:]}", to):
                    transition[i, j] = IMPOSSIBLE
    return transition, start


def viterbi_decode(
    emissions: np.ndarray, lengths: np.ndarray, transitions: np.ndarray, start: np.ndarray, end: np.ndarray
) -> np.ndarray:
    """Best tag path per sequence, ``[B, L]`` (positions past a sequence's length are 0).

    ``emissions`` is ``[B, L, T]``; ``transitions[i, j]`` scores tag ``i`` → tag ``j`` (with
    the penalties of :func:`iob2_masks` added by the caller); the recursion runs over the
    whole batch at once in both directions.

    >>> e = np.array([[[0.0, 1.0], [2.0, 0.0], [0.0, 0.0]]], dtype=np.float32)
    >>> viterbi_decode(e, np.array([2]), np.zeros((2, 2), np.float32), np.zeros(2, np.float32), np.zeros(2, np.float32))
    array([[1, 0, 0]])
    """
    batch, length, _ = emissions.shape
    score = start + emissions[:, 0]
    history = []
    for t in range(1, length):
        candidates = score[:, :, None] + transitions  # [B, from, to]
        best_from = candidates.argmax(axis=1)
        step = np.take_along_axis(candidates, best_from[:, None, :], axis=1)[:, 0] + emissions[:, t]
        score = np.where((t < lengths)[:, None], step, score)
        history.append(best_from)
    score = score + end
    tags = score.argmax(axis=1)
    rows = np.arange(batch)
    paths = np.zeros((batch, length), dtype=np.int64)
    paths[rows, np.maximum(lengths - 1, 0)] = tags
    for t in range(length - 1, 0, -1):
        active = t < lengths
        previous = history[t - 1][rows, tags]
        tags = np.where(active, previous, tags)
        paths[:, t - 1] = np.where(active, previous, paths[:, t - 1])
    return paths
