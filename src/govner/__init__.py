"""govner: named-entity recognition for Chinese local-government and industrial-development reports.

>>> from govner import load  # doctest: +SKIP
>>> ner = load("models/default")  # doctest: +SKIP
>>> ner.predict(["巴中市恩陽區(qū)投資38.01億元"])  # doctest: +SKIP
[[{'start': 0, 'end': 6, 'label': 'LOC', 'text': '巴中市恩陽區', 'score': ...}, ...]]
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govner.inference.tagger import Tagger

__version__ = "0.1.0"
__all__ = ["__version__", "load"]


def load(path: str | Path, *, backend: str = "auto", threads: int | None = None, **options: Any) -> Tagger:
    """A trained model folder as a :class:`~govner.inference.tagger.Tagger`, ready to ``predict``.

    ``ner.predict(texts)`` returns, per text, the entity dicts ``govner predict`` writes
    (``start``, ``end``, ``label``, ``text``, ``score``; offsets into the text as given).
    ``backend`` defaults as in ``govner predict`` (``auto``: ONNX Runtime for govner's
    GRU-CRF models, else torch), and so does ``threads`` for ONNX Runtime (the usable CPUs,
    at most 4); with torch it defaults to 1, since torch has threads of its own (for more,
    call ``torch.set_num_threads(1)`` first, as ``govner predict`` does). ``options`` override the folder's inference
    settings (``consistency=False``, ``batch_size=...``, ``rules=...``). The model code is
    imported here, not on ``import govner``, so the command line and light scripts start fast.
    """
    from govner.inference.tagger import Tagger, default_threads, onnx_available

    if threads is None:
        onnx = backend == "onnx" or (backend == "auto" and onnx_available(path))
        threads = default_threads() if onnx else 1
    return Tagger.from_pretrained(path, backend=backend, threads=threads, **options)
