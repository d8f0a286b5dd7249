"""Examples to model inputs: tokenization aligned to characters, and padding into batches.

The examples themselves (which documents, which windows, which tags) come from
:mod:`govner.corpus`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import torch
from torch.utils.data import Sampler

from govner.data.lexicon import Lexicon
from govner.model.network import o_may_hide_mask


def tokenize_examples(examples: list[dict[str, Any]], tokenizer, max_tokens: int = 512) -> list[dict[str, Any]]:
    """Token ids and labels aligned to the first sub-token of each character (others −100)."""
    out = []
    for ex in examples:
        encoded = tokenizer(ex["tokens"], is_split_into_words=True, truncation=True, max_length=max_tokens)
        labels, previous = [], None
        for char_index in encoded.word_ids():
            if char_index is None or char_index == previous:
                labels.append(-100)
            else:
                labels.append(ex["ner_tags"][char_index])
            previous = char_index
        out.append({"input_ids": encoded["input_ids"], "labels": labels, "o_may_hide": ex.get("o_may_hide", []),
                    "text": ex["text"], "user_words": ex.get("user_words", [])})
    return out


class TaggingCollator:
    """Pads a batch: ``input_ids`` with the pad id, ``labels`` with −100.

    With the model's ``tags`` (a model trained with partial labels) it adds ``o_may_hide``
    [B, T], the tags an ``O`` of each example may hide. With a ``lexicon`` (a
    one-token-per-character model) it adds the SoftLexicon inputs of each window, computed
    here from the window's text as prediction computes them.
    """

    def __init__(
        self, pad_id: int, tags: Sequence[str] | None = None, lexicon: Lexicon | None = None, words_per_set: int = 3
    ) -> None:
        self.pad_id = pad_id
        self.tags = list(tags) if tags is not None else None
        self.lexicon = lexicon
        self.words_per_set = words_per_set

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        width = max(len(f["input_ids"]) for f in features)
        ids = torch.full((len(features), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(features), width), dtype=torch.long)
        labels = torch.full((len(features), width), -100, dtype=torch.long)
        for i, f in enumerate(features):
            n = len(f["input_ids"])
            ids[i, :n] = torch.tensor(f["input_ids"])
            mask[i, :n] = 1
            labels[i, :n] = torch.tensor(f["labels"])
        batch = {"input_ids": ids, "attention_mask": mask, "labels": labels}
        if self.tags is not None:
            batch["o_may_hide"] = torch.stack([o_may_hide_mask(self.tags, f["o_may_hide"]) for f in features])
        if self.lexicon is not None:
            arrays = self.lexicon.features([f["text"] for f in features], width, self.words_per_set,
                                           [f["user_words"] for f in features])
            names = ("lexicon_start", "lexicon_end", "lexicon_category", "lexicon_weight")
            batch.update({name: torch.from_numpy(array) for name, array in zip(names, arrays, strict=True)})
        return batch


class LocallySortedSampler(Sampler[int]):
    """Shuffled windows, sorted by length within each run of ``group_batches`` batches.

    A batch costs the recurrent layers one step per character of its longest window, so
    sorting a few batches' worth of windows together makes most batches shorter, while each
    batch still draws its windows from all sources (transformers' ``LengthGroupedSampler``
    sorts 50 batches together, which gives batches of only MSRA sentences or only report
    windows). The shuffle of each epoch comes from ``seed`` and the epoch the Trainer sets,
    never from torch's global random state, so every process under torchrun draws the same
    order and a resumed run the same batches. The batch holding the longest window comes first.

    >>> sampler = LocallySortedSampler([3, 9, 1, 7], batch_size=2, group_batches=2, seed=0)
    >>> order = list(sampler)
    >>> sorted(order), order[0], order == list(sampler)
    ([0, 1, 2, 3], 1, True)
    """

    def __init__(self, lengths: Sequence[int], batch_size: int, group_batches: int, seed: int = 0) -> None:
        if batch_size < 1 or group_batches < 1:
            raise ValueError(f"batch_size and group_batches must be at least 1, not {batch_size} and {group_batches}")
        self.lengths = list(lengths)
        self.batch_size = batch_size
        self.group_batches = group_batches
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Called by the Trainer (through accelerate's data loader) before each epoch."""
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.lengths)

    def __iter__(self) -> Iterator[int]:
        # imported here: transformers takes seconds to import, and only training draws batches
        from transformers.trainer_pt_utils import get_length_grouped_indices

        generator = torch.Generator().manual_seed(self.seed + self.epoch)
        order = get_length_grouped_indices(self.lengths, self.batch_size, self.group_batches, generator=generator)
        return iter(order)
