"""From a config to documents and examples: the one data pipeline of training, evaluation and ``govner data build``.

Training windows come from three sources, kept apart so each can be measured:
the gold reports of the train split (shown ``gold_repeat`` times, ``place_swaps`` of
them with other place names, :mod:`govner.data.augment`), synthetic reports (train
only, likewise), and MSRA news sentences. Each example lists the labels
its corpus never marks (``o_may_hide``, :func:`hidden_by_o`: MSRA marks no
amounts or slogans; the project's reports mark no auxiliary label such as
MSRA's persons), so the loss reads its ``O`` as "O or one of those labels". Dev is the gold dev split, by document
(``data.dev_ids``, else a hash of ``data.split_seed`` and the id), or held-out
MSRA sentences for the MSRA benchmark.

>>> from govner.config import config_from_dict
>>> config = config_from_dict({"data": {"dev_ids": ["000_f499792f28ac6c10", "003_68ec25cebe00ae37"]}}, "inline")
>>> [d.id[:3] for d in split_documents(config, "dev")]  # doctest: +SKIP
['000', '003']
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govner.config import Config, ConfigError
from govner.data.augment import PlaceTable, join_person_lists, swap_places
from govner.data.conventions import merge_adjacent
from govner.data.document import Document, Span
from govner.data.examples import document_examples, split_ids, to_dataset
from govner.data.labelstudio import load_documents
from govner.data.msra import msra_path, read_msra, read_sighan_test
from govner.data.normalize import normalize
from govner.labels import CORPORA, RULE_LABELS, iob2_tags, unmarked_labels

MSRA_DEV_SENTENCES = 2000  # held-out msra_train sentences the MSRA benchmark selects epochs on
SPLITS = ("dev", "train", "all")


@dataclass
class TrainingData:
    """Examples per split plus the dev documents (for document-level scoring after training)."""

    train: list[dict[str, Any]]
    dev: list[dict[str, Any]]
    dev_documents: list[Document]
    sources: dict[str, int]  # training windows per source, for the model card
    test_documents: list[Document] = field(default_factory=list)  # scored once, after training (MSRA test)


def gold_documents(config: Config) -> list[Document]:
    """Every document of ``data.annotations``; ids must be unique across the files."""
    docs = [doc for path in config.data.annotations for doc in load_documents(path)]
    seen: dict[str, str] = {}
    for doc in docs:
        if doc.id in seen:
            raise ConfigError(f"data.annotations: document id {doc.id!r} is in both {seen[doc.id]} and {doc.source}")
        seen[doc.id] = doc.source
    return docs


def data_files(config: Config) -> list[Path]:
    """Every file the config's documents come from (annotations, synthetic sets, user dictionaries)."""
    paths = (*config.data.annotations, *config.corpus.synthetic, *config.lexicon.user_dictionaries)
    return [existing_file(path) for path in paths]


def existing_file(path: str | Path) -> Path:
    """``path``, or an error naming it. A synthetic set whose folder holds ``mentions/`` is a build
    product of those lists (not tracked: scripts/gold_mentions.py), so its error says how to build it."""
    path = Path(path)
    if not path.is_file():
        hint = ""
        if (path.parent / "mentions").is_dir():
            hint = "; a gold file is built from the mention lists beside it: python scripts/gold_mentions.py build "
            hint += "(--set synthetic for data/synthetic)"
        raise ConfigError(f"{path}: no such file{hint}")
    return path


def synthetic_documents(config: Config) -> list[Document]:
    """The synthetic reports of ``corpus.synthetic`` (training only)."""
    return [doc for path in config.corpus.synthetic for doc in load_documents(existing_file(path))]


def _restrict(doc: Document, labels: Sequence[str]) -> Document:
    """``doc`` with only the spans whose label the model predicts."""
    return Document(doc.id, doc.text, doc.source, [s for s in doc.spans if s.label in labels], doc.meta)


def _add_silver(doc: Document) -> Document:
    """MSRA sentence plus rule-based spans (of the labels MSRA does not mark) that do not touch its own spans."""
    from govner.rules import rule_spans

    taken = [(s.start, s.end) for s in doc.spans]
    extra = [s for s in rule_spans(doc.text) if all(s.end <= a or s.start >= b for a, b in taken)]
    return Document(doc.id, doc.text, doc.source, sorted([*doc.spans, *extra]), doc.meta)


def hidden_by_o(config: Config, corpus: str) -> tuple[str, ...]:
    """The trained labels that ``corpus`` never marks, so that an ``O`` of its examples may hide them.

    No labels for MSRA when ``corpus.msra_missing_labels`` trusts its ``O`` (``silver``, ``none``).
    """
    if corpus == "msra" and config.corpus.msra_missing_labels != "mask":
        return ()
    return unmarked_labels(corpus, config.model.trained_labels)


def msra_documents(config: Config, split: str, limit: int, seed: int) -> list[Document]:
    """MSRA sentences (a seeded sample of ``limit``, all when -1) with the config's trained labels.

    ``split`` "train" is ``msra_train.txt``; "test" is the SIGHAN 2006 test set (:func:`read_sighan_test`).
    """
    labels = config.model.trained_labels
    mapping = {name: name if name in labels else None for name in CORPORA["msra"]}
    docs = read_sighan_test(mapping) if split == "test" else list(read_msra(msra_path(split), labels=mapping))
    if config.corpus.msra_merge_locations:  # the guideline's address rule
        docs = [Document(d.id, d.text, d.source, merge_adjacent(d.spans, "LOC"), d.meta) for d in docs]
    if 0 <= limit < len(docs):
        docs = random.Random(seed).sample(docs, limit)
    if split == "train" and config.corpus.msra_missing_labels == "silver":
        docs = [_add_silver(d) for d in docs]
    return docs


def pack_documents(docs: Sequence[Document], max_len: int) -> list[Document]:
    """Consecutive documents joined into as few documents of at most ``max_len`` characters as keep their order.

    A document longer than ``max_len`` stays alone (windowing cuts it later). Spans move with their text.

    >>> a, b, c = (Document(i, t, "x", [Span(0, 1, "LOC")]) for i, t in (("a", "北京"), ("b", "上海市"), ("c", "广州")))
    >>> [(d.id, d.text, [(s.start, s.end) for s in d.spans]) for d in pack_documents([a, b, c], 5)]
    [('a+b', '北京上海市', [(0, 1), (2, 3)]), ('c', '广州', [(0, 1)])]
    """
    packed: list[Document] = []
    group: list[Document] = []

    def flush() -> None:
        if not group:
            return
        spans, offset = [], 0
        for doc in group:
            spans.extend(Span(s.start + offset, s.end + offset, s.label) for s in doc.spans)
            offset += len(doc.text)
        packed.append(Document("+".join(d.id for d in group), "".join(d.text for d in group), group[0].source, spans))
        group.clear()

    size = 0
    for doc in docs:
        if group and size + len(doc.text) > max_len:
            flush()
            size = 0
        group.append(doc)
        size += len(doc.text)
    flush()
    return packed


def dev_ids(config: Config, ids: Sequence[str]) -> set[str]:
    """The dev documents among ``ids``: ``data.dev_ids`` (all must exist), else the hashed split."""
    data = config.data
    if data.dev_ids:
        unknown = set(data.dev_ids) - set(ids)
        if unknown:
            raise ConfigError(f"data.dev_ids: not among the documents of data.annotations: {sorted(unknown)}")
        return set(data.dev_ids)
    return set(split_ids(ids, data.dev_fraction, data.split_seed)[1])


def gold_split(config: Config) -> tuple[list[Document], list[Document]]:
    """The gold documents of the config's train and dev splits."""
    gold = gold_documents(config)
    dev = dev_ids(config, [d.id for d in gold])
    return [d for d in gold if d.id not in dev], [d for d in gold if d.id in dev]


def _msra_held_out(config: Config, msra_docs: list[Document]) -> tuple[list[Document], list[Document]]:
    """MSRA training sentences split into (train, held-out dev) for the MSRA benchmark configs."""
    held_out = set(random.Random(config.training.seed).sample(range(len(msra_docs)), MSRA_DEV_SENTENCES))
    return ([d for i, d in enumerate(msra_docs) if i not in held_out],
            [d for i, d in enumerate(msra_docs) if i in held_out])


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
    """Examples (``doc_id``, ``text``, ``tokens``, ``tags``, ``ner_tags``, ``o_may_hide``) for train and dev."""
    labels = config.model.trained_labels
    tag_to_id = {t: i for i, t in enumerate(iob2_tags(labels))}
    data, corpus = config.data, config.corpus

    def examples(docs: Sequence[Document], source: str = "govner", user: bool = False) -> list[dict[str, Any]]:
        out = []
        hidden = list(hidden_by_o(config, source))
        for doc in docs:
            words = user_words(config, doc) if user else []
            for ex in document_examples(_restrict(doc, labels), data.max_len, data.overlap, tag_to_id):
                ex["o_may_hide"] = hidden
                ex["user_words"] = [(w, label) for w, label in words if w in ex["text"]]
                out.append(ex)
        return out

    train_gold, dev_gold = gold_split(config)
    train: list[dict[str, Any]] = []
    sources = {}
    places = PlaceTable.from_jionlp() if corpus.place_swaps else PlaceTable([])
    for name, docs in (("gold", train_gold), ("synthetic", synthetic_documents(config))):
        windows = examples(docs, user=True)
        sources[name] = len(windows)
        train.extend(windows * (corpus.gold_repeat - corpus.place_swaps))
        for copy in range(corpus.place_swaps):  # seeded per report and copy: the same swaps in every run
            swapped = [swap_places(d, places, random.Random(f"{config.training.seed}:{d.id}:{copy}")) for d in docs]
            train.extend(examples(swapped, user=True))
    test: list[Document] = []
    if corpus.msra_sentences:
        msra_docs = msra_documents(config, "train", corpus.msra_sentences, config.training.seed)
        if corpus.msra_eval:
            # The benchmark: select epochs on a held-out slice of msra_train, score the SIGHAN test set once at the end.
            msra_docs, dev_gold = _msra_held_out(config, msra_docs)
            test = msra_documents(config, "test", -1, config.training.seed)
        if corpus.msra_join_person_lists:  # seeded per sentence: the same sentences joined in every run
            msra_docs = [join_person_lists(d, random.Random(f"{config.training.seed}:{d.id}"),
                                           corpus.msra_join_person_lists) for d in msra_docs]
        msra = examples(pack_documents(msra_docs, data.max_len) if corpus.msra_pack else msra_docs, "msra")
        sources["msra"] = len(msra)
        train.extend(msra)
    # the benchmark's dev documents are held-out MSRA sentences
    return TrainingData(train, examples(dev_gold, "msra" if corpus.msra_eval else "govner"), dev_gold, sources, test)


def user_words(config: Config, doc: Document) -> list[tuple[str, str]]:
    """The ``(word, label)`` pairs a training report shows as user-dictionary words (none without a lexicon).

    A seeded ``lexicon.train_user_fraction`` of the report's distinct mentions of the labels that
    rules do not produce, normalized as the network sees them. Training on them teaches the
    network what a match of the user's dictionary means, so that at prediction a researcher's
    own list of names changes what it finds.
    """
    share = config.lexicon.train_user_fraction if config.lexicon.enabled else 0.0
    if not share:
        return []
    labels = [label for label in config.model.labels if label not in RULE_LABELS]
    mentions = sorted({(normalize(doc.text[s.start : s.end]).text, s.label) for s in doc.spans if s.label in labels})
    rng = random.Random(f"{config.training.seed}:{doc.id}")
    return [mention for mention in mentions if rng.random() < share]


def build_datasets(config: Config):
    """``datasets.DatasetDict`` with the ``train`` and ``dev`` windows :func:`build_training_data` gives training.

    Columns: ``doc_id``, ``window_start``, ``text``, ``tokens``, ``tags``, ``ner_tags`` (a
    ``ClassLabel`` over the model's tags) and ``o_may_hide``.
    """
    import datasets

    data = build_training_data(config)
    tags = iob2_tags(config.model.trained_labels)
    return datasets.DatasetDict({"train": to_dataset(data.train, tags), "dev": to_dataset(data.dev, tags)})
