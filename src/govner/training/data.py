"""Assemble the training and dev sets a config asks for, tokenized for the model.

Training windows come from three sources, kept apart so each can be measured:
the gold reports of the train split (shown ``gold_repeat`` times), synthetic
reports (train only), and MSRA news sentences. MSRA never marks amounts or
slogans; ``msra_missing_labels`` decides what its ``O`` means (see
``govner.config.CorpusConfig``). Dev is the gold dev split, by document.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from govner.annotations.labelstudio import load_documents
from govner.config import Config, ConfigError
from govner.data.conventions import merge_adjacent
from govner.data.document import Document, Span
from govner.data.examples import document_examples, split_ids
from govner.data.msra import msra_path, read_msra

MSRA_DEV_SENTENCES = 2000


def iob2_tags(labels: Sequence[str]) -> list[str]:
    """``O`` then ``B-X``, ``I-X`` for each label, in order: the model's label map."""
    return ["O", *(f"{p}-{label}" for label in labels for p in ("B", "I"))]


@dataclass
class TrainingData:
    """Examples per split plus the dev documents (for document-level scoring after training)."""

    train: list[dict[str, Any]]
    dev: list[dict[str, Any]]
    dev_documents: list[Document]
    sources: dict[str, int]  # training windows per source, for the model card
    test_documents: list[Document] = field(default_factory=list)  # scored once, after training (MSRA test)


def gold_documents(config: Config) -> list[Document]:
    docs = [doc for path in config.data.annotations for doc in load_documents(path)]
    ids = [d.id for d in docs]
    if len(set(ids)) != len(ids):
        raise ValueError("document ids are not unique across data.annotations")
    return docs


def _restrict(doc: Document, labels: Sequence[str]) -> Document:
    """``doc`` with only the spans whose label the model predicts."""
    return Document(doc.id, doc.text, doc.source, [s for s in doc.spans if s.label in labels], doc.meta)


def _add_silver(doc: Document) -> Document:
    """MSRA sentence plus rule-based AMOUNT/SLOGAN spans that do not touch its LOC/ORG spans."""
    from govner.rules import rule_spans

    taken = [(s.start, s.end) for s in doc.spans]
    extra = [s for s in rule_spans(doc.text) if all(s.end <= a or s.start >= b for a, b in taken)]
    return Document(doc.id, doc.text, doc.source, sorted([*doc.spans, *extra]), doc.meta)


def msra_documents(config: Config, split: str, limit: int, seed: int) -> list[Document]:
    """MSRA sentences (a seeded sample of ``limit``, all when -1) with the config's labels."""
    labels = config.model.labels
    mapping = {name: name if name in labels else None for name in ("PER", "LOC", "ORG")}
    docs = list(read_msra(msra_path(split), labels=mapping))
    if config.corpus.msra_merge_locations:  # the guideline's address rule
        docs = [Document(d.id, d.text, d.source, merge_adjacent(d.spans, "LOC"), d.meta) for d in docs]
    if 0 <= limit < len(docs):
        docs = random.Random(seed).sample(docs, limit)
    if split == "train" and config.corpus.msra_missing_labels == "silver":
        docs = [_add_silver(d) for d in docs]
    return docs


def gold_split(config: Config) -> tuple[list[Document], list[Document]]:
    """The gold documents of the config's train and dev splits (``data.dev_ids``, else the hashed split)."""
    data = config.data
    gold = gold_documents(config)
    if data.dev_ids:
        dev_ids = set(data.dev_ids)
    else:
        dev_ids = set(split_ids([d.id for d in gold], data.dev_fraction, data.split_seed)[1])
    return [d for d in gold if d.id not in dev_ids], [d for d in gold if d.id in dev_ids]


def _msra_held_out(config: Config, msra_docs: list[Document]) -> tuple[list[Document], list[Document]]:
    """MSRA training sentences split into (train, held-out dev) for the MSRA benchmark configs."""
    held_out = set(random.Random(config.training.seed).sample(range(len(msra_docs)), MSRA_DEV_SENTENCES))
    return ([d for i, d in enumerate(msra_docs) if i not in held_out],
            [d for i, d in enumerate(msra_docs) if i in held_out])


SPLITS = ("dev", "train", "all")


def split_documents(config: Config, split: str = "dev") -> list[Document]:
    """The documents of one split, with gold spans, without building any training example.

    ``dev`` is exactly ``build_training_data(config).dev_documents`` (the documents training
    selects epochs on and reports: held-out MSRA sentences for ``corpus.msra_eval`` configs);
    ``train`` is the gold train split and ``all`` every gold document of ``data.annotations``.
    """
    if split not in SPLITS:
        raise ConfigError(f"unknown split {split!r}: choose one of {', '.join(SPLITS)}")
    corpus = config.corpus
    if split == "dev" and corpus.msra_sentences and corpus.msra_eval:
        docs = msra_documents(config, "train", corpus.msra_sentences, config.training.seed)
        return _msra_held_out(config, docs)[1]
    if split == "all":
        return gold_documents(config)
    train, dev = gold_split(config)
    return dev if split == "dev" else train


def build_training_data(config: Config) -> TrainingData:
    """Examples (``tokens``, ``ner_tags``, ``o_uncertain``, ``doc_id``) for train and dev."""
    tags = iob2_tags(config.model.labels)
    tag_to_id = {t: i for i, t in enumerate(tags)}
    data, corpus = config.data, config.corpus

    def examples(docs: Sequence[Document], o_uncertain: bool = False) -> list[dict[str, Any]]:
        out = []
        for doc in docs:
            for ex in document_examples(_restrict(doc, config.model.labels), data.max_len, data.overlap, tag_to_id):
                out.append({"doc_id": ex["doc_id"], "tokens": ex["tokens"], "ner_tags": ex["ner_tags"],
                            "o_uncertain": o_uncertain})
        return out

    train_gold, dev_gold = gold_split(config)
    synthetic = [d for path in corpus.synthetic for d in load_documents(path)]

    train: list[dict[str, Any]] = []
    sources = {}
    for name, docs in (("gold", train_gold), ("synthetic", synthetic)):
        windows = examples(docs)
        sources[name] = len(windows)
        train.extend(windows * corpus.gold_repeat)
    test: list[Document] = []
    if corpus.msra_sentences:
        uncertain = corpus.msra_missing_labels == "mask"
        msra_docs = msra_documents(config, "train", corpus.msra_sentences, config.training.seed)
        if corpus.msra_eval:
            # The benchmark: select epochs on a held-out slice of msra_train, score msra_test once at the end.
            msra_docs, dev_gold = _msra_held_out(config, msra_docs)
            test = msra_documents(config, "test", -1, config.training.seed)
        msra = examples(msra_docs, uncertain)
        sources["msra"] = len(msra)
        train.extend(msra)
    return TrainingData(train, examples(dev_gold), dev_gold, sources, test)


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
        out.append({"input_ids": encoded["input_ids"], "labels": labels, "o_uncertain": ex["o_uncertain"]})
    return out


class TaggingCollator:
    """Pads a batch: ``input_ids`` with the pad id, ``labels`` with −100; ``o_uncertain`` only if the model uses it."""

    def __init__(self, pad_id: int, pass_o_uncertain: bool) -> None:
        self.pad_id = pad_id
        self.pass_o_uncertain = pass_o_uncertain

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
        if self.pass_o_uncertain:
            batch["o_uncertain"] = torch.tensor([bool(f["o_uncertain"]) for f in features])
        return batch


__all__ = [
    "Span", "TaggingCollator", "TrainingData", "build_training_data", "gold_split", "iob2_tags", "split_documents",
    "tokenize_examples",
]
