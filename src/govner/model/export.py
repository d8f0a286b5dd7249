"""The network of :mod:`govner.model.network` as the ONNX graph the ``onnx`` prediction backend runs.

Kept out of ``network.py`` because that file is copied into every model folder
for plain transformers, which needs neither onnx nor onnxruntime.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from govner.model import LEXICON_INPUTS, ONNX_FILE
from govner.model.network import GovnerTaggerConfig, GovnerTaggerForTokenClassification


def export_onnx(model: GovnerTaggerForTokenClassification, folder: str | Path, check: bool = True) -> Path:
    """Write ``model``'s emissions (``input_ids``, ``attention_mask`` → ``logits``) as ``folder/model.onnx``.

    The graph is traced from this module by ``torch.onnx.export``; ``pack_padded_sequence``
    becomes the GRU's ``sequence_lens``, so padding never reaches the backward direction there
    either. With ``check``, onnxruntime runs the file on random batches of other shapes than
    the trace's and must agree with torch on every unpadded position.
    """
    path = Path(folder) / ONNX_FILE
    was_training = model.training
    emissions = _Emissions(model).eval()  # the exporter restores the wrapper's mode on every child afterwards
    generator = torch.Generator().manual_seed(1)
    ids = torch.randint(1, model.config.vocab_size, (2, 5), generator=generator)
    mask = torch.ones_like(ids)
    mask[1, 3:] = 0
    inputs = {"input_ids": ids, "attention_mask": mask, **_random_lexicon(model.config, ids, mask, generator)}
    axes = {0: "batch", 1: "length"}
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # the exporter's notes on PackPadded shape inference
            torch.onnx.export(
                emissions, tuple(inputs.values()), str(path), dynamo=False, opset_version=17,
                input_names=list(inputs), output_names=["logits"],
                dynamic_axes={**{name: axes for name in inputs}, "logits": axes},
            )
        if check:
            _check_onnx(model.eval(), path)
    finally:
        model.train(was_training)
    return path


class _Emissions(nn.Module):
    """The part of the model that prediction runs: input ids and mask to per-character tag scores."""

    def __init__(self, model: GovnerTaggerForTokenClassification) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, *lexicon: torch.Tensor) -> torch.Tensor:
        return self.model.emissions(input_ids, attention_mask, lexicon or None)




def _random_lexicon(
    config: GovnerTaggerConfig, ids: torch.Tensor, mask: torch.Tensor, generator: torch.Generator
) -> dict[str, torch.Tensor]:
    """Plausible random lexicon inputs for ``ids`` (words inside each sequence), or none for a model without them."""
    if not config.lexicon_categories:
        return {}
    batch, length = ids.shape
    shape = (batch, length, 4, config.lexicon_words_per_set)
    lengths = mask.sum(1).view(batch, 1, 1, 1)
    start = torch.randint(0, length, shape, generator=generator) % lengths
    end = torch.minimum(start + torch.randint(1, 4, shape, generator=generator), lengths)
    category = torch.randint(0, config.lexicon_categories, shape, generator=generator)
    weight = torch.rand(shape, generator=generator) * (torch.rand(shape, generator=generator) < 0.5)
    return dict(zip(LEXICON_INPUTS, (start, end, category, weight), strict=True))


def _check_onnx(model: GovnerTaggerForTokenClassification, path: Path, tolerance: float = 1e-4) -> None:
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    generator = torch.Generator().manual_seed(0)
    quotes = [i for ids in model.config.quote_ids for i in ids]
    for batch, length in ((1, 1), (3, 17), (7, 64)):
        ids = torch.randint(1, model.config.vocab_size, (batch, length), generator=generator)
        if quotes:  # some quotation marks, so the quotation feature is exercised too
            marks = torch.tensor(quotes)[torch.randint(0, len(quotes), (batch, length), generator=generator)]
            ids = torch.where(torch.rand(batch, length, generator=generator) < 0.1, marks, ids)
        lengths = torch.randint(1, length + 1, (batch,), generator=generator)
        lengths[0] = length
        mask = (torch.arange(length) < lengths.unsqueeze(1)).long()
        lexicon = _random_lexicon(model.config, ids, mask, generator)
        with torch.no_grad():
            expected = model.emissions(ids, mask, tuple(lexicon.values()) or None).numpy()
        feeds = {"input_ids": ids.numpy(), "attention_mask": mask.numpy(), **{k: v.numpy() for k, v in lexicon.items()}}
        got = session.run(None, feeds)[0]
        gap = float(np.abs(expected - got)[mask.numpy().astype(bool)].max())
        if gap > tolerance:
            raise RuntimeError(f"{path}: the exported graph differs from torch by {gap:.2e} ({batch}×{length} batch)")


