"""govner: named-entity recognition for Chinese local-government and industrial-development reports.

>>> from govner import load  # doctest: +SKIP
>>> ner = load("models/default")  # doctest: +SKIP
>>> ner.predict(["巴中市恩陽區(qū)投資38.01億元"])  # doctest: +SKIP
[[{'start': 0, 'end': 6, 'label': 'LOC', 'text': '巴中市恩陽區', 'score': ...}, ...]]

The package is built in layers; a module imports only from its own layer and the
layers below it (``tests/test_layers.py`` checks every import, also those inside
functions):

1. ``errors`` — :class:`~govner.errors.GovnerError`, the one exception type users see.
2. ``labels``, ``config`` — what each label means (the label table, the IOB2 tags, the
   quotation marks) and the YAML configs as dataclasses.
3. ``data`` — reading reports, normalization with an offset map, windows, IOB2 conversion,
   MSRA, and the Label Studio file format and its validator.
4. ``model``, ``rules`` — the one network definition (torch; copied into every saved model
   folder, exported to ONNX from itself), its torch-free IOB2 decoding (transition masks,
   Viterbi), LAC's pretrained encoder, and the AMOUNT/SLOGAN rules.
5. ``corpus`` — a config to documents, splits and examples: the one data pipeline.
6. ``inference`` — the tagger (both backends), post-processing, batch prediction.
7. ``evaluation`` — scores, reports, baselines; also the scoring training does after it trains.
8. ``training`` — ``govner train``.
9. ``annotations``, ``serving``, ``cli`` — the Label Studio loop and active learning, ``govner
   serve`` (HTTP API and Label Studio ML backend), the ``govner`` command, and this file's
   :func:`load`.
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
    The same as :meth:`Tagger.from_pretrained <govner.inference.tagger.Tagger.from_pretrained>`
    (and ``govner predict``): ``backend="auto"``, the folder's saved settings, ``options``
    overriding them. The model code is imported here, not on ``import govner``, so the
    command line and light scripts start fast.
    """
    from govner.inference.tagger import Tagger

    return Tagger.from_pretrained(path, backend=backend, threads=threads, **options)
