"""Run a token-classification model over whole reports and return original-text entities.

The path of a group of reports: normalize each (keeping the offset map) → cut
windows → sort the windows of *all* the reports by length and batch them (so a
batch holds windows of similar length whichever report they come from, and
little of it is padding) → model → one emission vector per *character* →
Viterbi decoding restricted to valid IOB2 → spans in each window's own region →
original offsets → post-processing per report. Any
``AutoModelForTokenClassification`` works: govner's own CRF tagger decodes with
its learned transitions; other models (a fine-tuned BERT) decode their
log-probabilities under the same IOB2 constraints.

Everything after the forward pass is numpy over whole batches: at tens of
thousands of characters a second there is no budget for a Python step (let
alone a tensor operation) per character.

Two backends compute the emissions: ``torch`` (any model transformers loads)
and ``onnx`` (govner's own GRU-CRF models only): the same network rebuilt as an
ONNX Runtime graph straight from ``model.safetensors``, with the GRU's
``sequence_lens`` playing the part of ``pack_padded_sequence``. It needs neither
torch nor transformers, so it starts in about a second instead of seven, and it
runs the GRU somewhat faster on one core (docs/predict.md has the numbers).
``backend="auto"`` (``govner predict``, :func:`govner.load`) takes it when it can.

>>> tagger = Tagger.from_pretrained("models/default")  # doctest: +SKIP
>>> tagger.predict(["恩阳区投资38亿元。"])  # doctest: +SKIP
[[{'start': 0, 'end': 3, 'label': 'LOC', 'text': '恩阳区', 'score': 0.98}, ...]]
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import numpy as np

from govner.data.conventions import (
    cut_bank_and_estate_words,
    cut_division_counts,
    drop_plenum_ordinals,
    extend_over_region_word,
    extend_over_road_word,
    join_bracketed_names,
    join_named_lines,
    merge_adjacent,
    split_joined_bodies,
    split_joined_places,
    split_unclosed_brackets,
)
from govner.data.document import Span
from govner.data.lexicon import LEXICON_FILE, Lexicon, division_short_forms, division_table, read_user_dictionary
from govner.data.normalize import NormalizedText, normalize
from govner.data.segment import Window, split_windows
from govner.errors import ModelFolderError
from govner.inference.postprocess import (
    PARK_ENDINGS,
    add_dictionary_matches,
    combine_with_rules,
    cut_places_before_verbs,
    drop_kind_words,
    drop_overlaps,
    drop_pinyin_spans,
    drop_places_across_words,
    drop_titled_persons,
    drop_unquoted_slogans,
    extend_places_over_park_words,
    extend_to_division_names,
    extend_to_longer_names,
    extend_to_trade_names,
    full_names_by_short_form,
    join_campuses,
    join_place_bodies,
    propagate_labels,
    propagate_short_forms,
    relabel_division_orgs,
    relabel_items_by_list_end,
    repeat_quoted_slogans,
    split_company_facilities,
    tag_abbreviated_places,
    tag_counted_place_lists,
    tag_division_names,
    tag_list_items,
    tag_place_list_items,
    tag_quoted_place_abbreviations,
    tag_sites_as_parties,
    trim_to_short_names,
)
from govner.labels import PROPAGATED_LABELS
from govner.model import LEXICON_INPUTS, ONNX_FILE
from govner.model.decoding import IMPOSSIBLE, MODEL_TYPE, iob2_masks, viterbi_decode

BACKENDS = ("auto", "torch", "onnx")

# Characters per group of documents in predict_documents: bounds memory for a long list
# while leaving enough windows to sort by length.
GROUP_CHARS = 200_000


class Step(NamedTuple):
    """One step after the network, as an evaluation report names it."""

    switch: str  # the Tagger attribute (an InferenceConfig field, or consistency) that turns it on
    words: str  # what it does
    document_level: bool  # runs only with consistency (it reads the whole document)


# The steps of Tagger._finish in the order it runs them; a new InferenceConfig switch needs its entry here
# (tests/test_postprocess.py checks that every switch has one)
POST_PROCESSING_STEPS: tuple[Step, ...] = (
    Step("rules", "amounts the guideline rules out dropped", False),
    Step("kind_words", "a kind of place or organization alone (经开区, 分公司), an industry or a fair read as ORG "
         "dropped, a zone's word cut off a park's name", False),
    Step("area_words", "地区, 平原 and 走廊 taken into places", False),
    Step("place_bodies", "a place run into its own body (巍山县+政府) made one ORG", False),
    Step("word_edges", "places that cut a word dropped", False),
    Step("area_words", "banks, estates and counts of divisions (三县) left out of places", False),
    Step("park_names", "a place and its park's (拉哈镇+大豆加工园区) or platform's name made one LOC or ORG", False),
    Step("road_names", "routes' two ends split, contracted road names (瓦蛟快速通道) and named lines whole", False),
    Step("split_bodies", "joined bodies split, congresses and plenums dropped", False),
    Step("join_brackets", "names cut at a bracketed place joined, two places run to a bracket split "
         "(衡阳(东莞 → 衡阳, 东莞)", False),
    Step("campuses", "a school and its campus (燕赵理工学院霸州校区) made one ORG", False),
    Step("short_names", "ORG names cut back to a short name found elsewhere", True),
    Step("company_facilities", "companies split from the places of their facilities", False),
    Step("sites_as_parties", "ports and airports that are parties made ORG", False),
    Step("merge_locations", "touching LOC merged", False),
    Step("rules", "rule AMOUNT/SLOGAN spans first", False),
    Step("quoted_places", "quoted abbreviations of places (“合广长”协同) made LOC", False),
    Step("list_items", "places of a list a count of divisions ends (带动曲当、绒辖两乡) tagged, ORG or not", False),
    Step("list_items", "ORG items of a list of products (芒果等农产品) dropped, LOC ones of companies made ORG", False),
    Step("quoted_slogans", "SLOGANs the document never quotes dropped", True),
    Step("consistency", "quoted slogans repeated", True),
    Step("propagate", "mentions propagated", True),
    Step("longer_names", "names cut short of an ORG found elsewhere ([一汽]解放) made that ORG", True),
    Step("trade_names", "company short names given the industry words of their full name ([锐达]液压), made ORG "
         "where a LOC ([冰溪酒庄])", True),
    Step("divisions", "division names filled in, ORG division names (also before 组织: 句容组织) made LOC, names "
         "begun inside one extended", True),
    Step("list_items", "short items of ORG lists tagged", True),
    Step("list_items", "untagged places of lists of places tagged", True),
    Step("abbreviated_places", "one-character forms of the report's places (来岚投资) tagged", True),
    Step("titled_persons", "persons after a title (县长马贺山, 副省长邵启年) not places or ORG", False),
    Step("force_user_words", "user-dictionary words forced", False),
)


@dataclass(frozen=True)
class Analysis:
    """What the tagger says about one document.

    ``confidence`` is the mean probability of the chosen tag over the characters the
    model saw (``1 - uncertainty`` in :mod:`govner.annotations.select`); ``chars`` is
    the length of the original text.
    """

    entities: list[Span]  # each with its score
    confidence: float
    chars: int


@dataclass(frozen=True)
class Scored:
    """What :meth:`Tagger.score` found in a group of documents, for :meth:`Tagger.finish`."""

    texts: list[str]
    norms: list[NormalizedText]
    found: list[list[tuple[int, int, str]]]  # per document: normalized start, end, label
    probs: list[np.ndarray]  # per document: probability of the chosen tag per normalized character
    covered: list[int]  # per document: characters inside some window's keep region


Group = TypeVar("Group")  # what a caller of Tagger.analyze_groups groups its texts in (lists of texts, of records)


class _Worker:
    """One daemon thread that runs the functions :meth:`submit` gives it, one at a time, in order.

    A daemon, unlike a ``ThreadPoolExecutor`` worker, does not keep the process alive at exit
    while it waits for input that may never come (a pipe into ``govner predict -``).
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = queue.SimpleQueue()
        threading.Thread(target=self._run, name="govner-score", daemon=True).start()

    def submit(self, function: Callable[[], Any]) -> Future[Any]:
        future: Future[Any] = Future()
        self._jobs.put((future, function))
        return future

    def close(self) -> None:
        """The thread ends after the function it runs now, if any."""
        self._jobs.put(None)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, function = job
            if not future.set_running_or_notify_cancel():  # cancelled while it waited
                continue
            try:
                future.set_result(function())
            except BaseException as err:  # handed to whoever waits on the future, raised there
                future.set_exception(err)


@lru_cache(maxsize=1)
def _divisions() -> dict[str, str]:
    """Division full names → short forms, read once per process (cached on disk by the lexicon module)."""
    return division_table()


@lru_cache(maxsize=1)
def _division_full_names() -> dict[str, tuple[str, ...]]:
    """Division short forms → their full names (the inverse of :func:`_divisions`), built once per process."""
    return full_names_by_short_form(_divisions())


@lru_cache(maxsize=1)
def _provinces() -> frozenset[str]:
    """The provinces' and autonomous regions' full names and short forms (湖北省, 湖北; 广西壮族自治区, 广西)."""
    regions = {full: short for full, short in _divisions().items() if full.endswith(("省", "自治区"))}
    return frozenset(name for pair in regions.items() for name in pair if name)


@lru_cache(maxsize=1)
def _place_names() -> frozenset[str]:
    """The country and the divisions' full names and short forms: places, never a company's short name
    (a stray ORG 中国 must not cut 中国铝业)."""
    divisions = _divisions()
    return frozenset({"中国", *divisions, *(short for short in divisions.values() if short)})


@lru_cache(maxsize=1)
def _places_and_everyday_forms() -> frozenset[str]:
    """:func:`_place_names` and the short forms it leaves out as everyday words (大连, 开封: jieba counts them as
    other parts of speech): the places a name after a title never is."""
    return _place_names() | division_short_forms()


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _check_char_lookup(encode: Callable[[list[str]], list[int]], vocab: dict[str, int], unknown: int) -> bool:
    """Whether ``encode`` (a tokenizer over a list of characters) is a plain per-character vocabulary lookup."""
    probe = ["巴中市恩陽區(qū)", "投资 38.01億元\r\n“Ａ1”\u3000𠀀\ufeffé OOV"]
    return all(encode(list(text)) == [vocab.get(c, unknown) for c in text] for text in probe)


def _char_vocabulary(tokenizer: Any) -> tuple[dict[str, int], int] | None:
    """``(vocab, unknown id)`` if ``tokenizer`` maps each character to one token by plain lookup, else None.

    govner's LAC tokenizer (a WordLevel model over single characters, no normalizer, no
    special tokens) does, and then a dict lookup per character replaces the tokenizer call
    and the word-id bookkeeping. A probe checks the lookup against the tokenizer itself.
    """
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None or backend.normalizer is not None or type(backend.model).__name__ != "WordLevel":
        return None
    vocab = tokenizer.get_vocab()
    unknown = vocab.get(backend.model.unk_token)
    if unknown is None:
        return None

    def encode(chars: list[str]) -> list[int]:
        return tokenizer(chars, is_split_into_words=True, add_special_tokens=True)["input_ids"]

    return (vocab, unknown) if _check_char_lookup(encode, vocab, unknown) else None


class TorchScorer:
    """Emissions from any transformers token-classification model (and its tokenizer)."""

    def __init__(self, model: Any, tokenizer: Any, lexicon: Lexicon | None = None) -> None:
        import torch

        from govner.model.network import CRF

        self.model = model.eval()
        self.lexicon = lexicon  # the words behind a govner model's lexicon inputs (None: no such inputs)
        self.words_per_set = getattr(model.config, "lexicon_words_per_set", 0)
        self.tokenizer = tokenizer
        self.tags = [model.config.id2label[i] for i in range(model.config.num_labels)]
        self.outside = self.tags.index("O")
        crf = getattr(model, "crf", None)
        # A model without its own CRF decodes log-probabilities with zero transition scores,
        # under the same IOB2 constraints.
        self.model_has_crf = isinstance(crf, CRF)
        if self.model_has_crf:
            with torch.no_grad():
                transitions, start = crf._scores()  # learned scores plus the IOB2 masks, as CRF.decode uses them
                self.transitions = transitions.float().numpy().copy()
                self.start = start.float().numpy().copy()
                self.end = crf.end.float().numpy().copy()
        else:
            self.transitions, self.start = iob2_masks(self.tags)
            self.end = np.zeros(len(self.tags), dtype=np.float32)
        self.char_vocab = _char_vocabulary(tokenizer)
        self._tokenizer_lock = threading.Lock()  # batches run in threads (Tagger.threads, govner serve)
        pad = getattr(tokenizer, "pad_token_id", None)
        self.pad_id = pad if pad is not None else 0

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """``[B, C, T]`` scores per character (first sub-token) of non-empty ``texts``; padding is O."""
        import torch

        width = max(len(t) for t in texts)
        with torch.inference_mode():
            if self.char_vocab is not None:
                ids, mask = encode_chars(texts, self.char_vocab, self.pad_id, width)
                inputs = {"input_ids": ids, "attention_mask": mask}
                inputs.update(lexicon_inputs(self.lexicon, texts, width, self.words_per_set))
                tensors = {k: torch.from_numpy(v) for k, v in inputs.items()}
                if self.model_has_crf:  # the emission scores the learned transitions decode (not forward's marginals)
                    lexicon = [tensors[k] for k in LEXICON_INPUTS if k in tensors] or None
                    emissions = self.model.emissions(tensors["input_ids"], tensors["attention_mask"], lexicon)
                    return emissions.float().numpy()
                return torch.log_softmax(self.model(**tensors).logits, dim=-1).float().numpy()
            with self._tokenizer_lock:  # a fast tokenizer is not thread-safe ("Already borrowed")
                encoded = self.tokenizer(
                    [list(t) for t in texts], is_split_into_words=True, padding=True, return_tensors="pt"
                )
            if self.model_has_crf:
                logits = self.model.emissions(encoded["input_ids"], encoded["attention_mask"])
            else:
                logits = self.model(input_ids=encoded["input_ids"], attention_mask=encoded["attention_mask"]).logits
                logits = torch.log_softmax(logits, dim=-1)
            logits = logits.float().numpy()
        emissions = np.full((len(texts), width, len(self.tags)), IMPOSSIBLE, dtype=np.float32)
        emissions[:, :, self.outside] = 0.0  # a character with no token (e.g. a space BERT drops) is O
        for row in range(len(texts)):
            words = np.array([-1 if w is None else w for w in encoded.word_ids(row)])
            chars, first = np.unique(words, return_index=True)  # first sub-token of each character
            keep = chars >= 0
            emissions[row, chars[keep]] = logits[row, first[keep]]
        return emissions


def lexicon_inputs(lexicon: Lexicon | None, texts: Sequence[str], width: int, words_per_set: int) -> dict[str, Any]:
    """The SoftLexicon inputs of a batch (both backends feed the same arrays), or none without a lexicon."""
    if lexicon is None:
        return {}
    arrays = lexicon.features(texts, width, words_per_set)
    return dict(zip(LEXICON_INPUTS, arrays, strict=True))


def encode_chars(
    texts: Sequence[str], char_vocab: tuple[dict[str, int], int], pad_id: int, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """``(input_ids, attention_mask)`` ``[B, width]`` for one-token-per-character vocabularies."""
    vocab, unknown = char_vocab
    get = vocab.get
    ids = np.full((len(texts), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(texts), width), dtype=np.int64)
    for row, text in enumerate(texts):
        ids[row, : len(text)] = [get(c, unknown) for c in text]
        mask[row, : len(text)] = 1
    return ids, mask


class OnnxScorer:
    """Emissions of a govner model folder from its exported ``model.onnx``, under ONNX Runtime, without torch.

    ``model.onnx`` is the network itself, exported by :func:`govner.model.network.export_onnx`
    when the model was saved (and checked against torch then); the CRF's scores come
    from ``model.safetensors``. The tokenizer is read from ``tokenizer.json`` with the
    ``tokenizers`` library and must be govner's one-token-per-character vocabulary.
    """

    def __init__(self, path: str | Path, lexicon: Lexicon | None = None) -> None:
        import onnxruntime as ort
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        path = Path(path)
        config = _read_json(path / "config.json")
        kind = config.get("model_type")
        if kind != MODEL_TYPE:
            raise ModelFolderError(f"{path}: the onnx backend runs {MODEL_TYPE} models, not {kind!r}")
        if not (path / ONNX_FILE).is_file():
            raise ModelFolderError(f"{path}: no {ONNX_FILE} (a model saved before govner exported one): "
                                   "use --backend torch, or train it again")
        self.tags = _tags(config, path)
        self.outside = self.tags.index("O")
        self.model_has_crf = True
        self.lexicon = lexicon
        self.words_per_set = config.get("lexicon_words_per_set", 0)
        try:
            weights = load_file(str(path / "model.safetensors"))
            penalty, start_penalty = iob2_masks(self.tags)
            self.transitions = weights["crf.transitions"] + penalty
            self.start = weights["crf.start"] + start_penalty
            self.end = weights["crf.end"].copy()
        except Exception as err:  # safetensors raises its own error type; KeyError for a missing tensor
            raise ModelFolderError(f"{path}/model.safetensors: cannot read the CRF's weights: {err}") from None

        try:
            tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
            unk = _read_json(path / "tokenizer.json")["model"].get("unk_token")
        except Exception as err:  # tokenizers raises its own type for a broken file
            raise ModelFolderError(f"{path}/tokenizer.json: cannot read the tokenizer: {err}") from None
        vocab = tokenizer.get_vocab(with_added_tokens=True)
        if unk not in vocab:
            raise ModelFolderError(f"{path}/tokenizer.json: no unknown token; not a govner character vocabulary")

        def encode(chars: list[str]) -> list[int]:
            return tokenizer.encode(chars, is_pretokenized=True, add_special_tokens=True).ids

        if not _check_char_lookup(encode, vocab, vocab[unk]):
            raise ModelFolderError(f"{path}: the tokenizer is not one token per character; use --backend torch")
        self.char_vocab = (vocab, vocab[unk])
        pad = tokenizer.token_to_id(" ")
        self.pad_id = pad if pad is not None else 0

        ort.disable_telemetry_events()  # no events about this machine are recorded anywhere
        options = ort.SessionOptions()
        # One thread per run: parallelism comes from running batches side by side (Tagger.threads),
        # and no idle pool thread spins against other jobs on a shared machine.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3  # the exporter's shape notes are not the user's concern
        try:
            self.session = ort.InferenceSession(str(path / ONNX_FILE), options, providers=["CPUExecutionProvider"])
        except Exception as err:  # onnxruntime raises its own types for a broken file
            raise ModelFolderError(f"{path}/{ONNX_FILE}: cannot load: {str(err).splitlines()[0]}") from None

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """``[B, C, T]`` scores per character of non-empty ``texts``."""
        width = max(len(t) for t in texts)
        ids, mask = encode_chars(texts, self.char_vocab, self.pad_id, width)
        feeds = {"input_ids": ids, "attention_mask": mask, **lexicon_inputs(self.lexicon, texts, width,
                                                                            self.words_per_set)}
        return self.session.run(None, feeds)[0]


def _read_json(path: Path) -> dict[str, Any]:
    """A JSON object from a model folder, or a :class:`ModelFolderError` that names the file."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFolderError(f"{path}: missing") from None
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise ModelFolderError(f"{path}: cannot read: {err}") from None
    if not isinstance(value, dict):
        raise ModelFolderError(f"{path}: expected a JSON object")
    return value


def _tags(config: dict[str, Any], path: Path) -> list[str]:
    """The IOB2 tags of a model's ``config.json``, checked: ids 0..n-1, an ``O``, valid IOB2 names."""
    id2label = config.get("id2label")
    try:
        tags = [id2label[str(i)] for i in range(len(id2label))]
    except (KeyError, TypeError):
        raise ModelFolderError(f"{path}/config.json: id2label is not a map from 0..n-1 to tags") from None
    if "O" not in tags or not all(t == "O" or (isinstance(t, str) and t[:2] in ("B-", "I-")) for t in tags):
        raise ModelFolderError(f"{path}/config.json: id2label is not an IOB2 tag set: {tags}")
    return tags


def default_threads(limit: int = 4) -> int:
    """Batches to run side by side by default: the CPUs this process may use, at most ``limit``.

    Beyond a few, the serial Python part (normalizing, post-processing) dominates. The
    affinity mask, not the machine's CPU count, is what a Slurm job or a container grants.
    """
    import os

    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(limit, available))


def onnx_available(path: str | Path) -> bool:
    """Whether ``path`` holds a govner GRU-CRF model and onnxruntime is installed (the onnx backend can run)."""
    import importlib.util

    try:
        config = json.loads((Path(path) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    needed = ("onnxruntime", "safetensors", "tokenizers")
    return (
        isinstance(config, dict)
        and config.get("model_type") == MODEL_TYPE
        and (Path(path) / ONNX_FILE).exists()
        and all(importlib.util.find_spec(m) is not None for m in needed)
    )


class Tagger:
    """A loaded model plus the windowing, decoding and post-processing that turn it into a report tagger.

    ``model`` is a transformers token-classification model (with its ``tokenizer``) or
    a ready scorer (:class:`TorchScorer`, :class:`OnnxScorer`). ``consistency``
    switches the document-level steps: unquoted repeats of quoted slogans (the
    guideline's rule), the propagation of ``propagate`` labels to other occurrences of a
    mention, with ``quoted_slogans`` the dropping of SLOGANs the document never quotes
    and, with ``divisions``, jionlp's division names: full names the network left
    untagged, and a division's short form where the document names it in full, and,
    with ``list_items``, the short untagged items of a list of organizations. Off,
    each span rests on its own sentence only. ``threads`` batches are scored at
    once (set torch's own thread count to 1 then: ``torch.set_num_threads(1)``).
    ``lexicon`` feeds a model with lexicon inputs; ``user_words`` (``(word, label)``, from
    user dictionaries) are tagged at every occurrence, over the network's spans where they
    disagree, when ``force_user_words`` is on. Spans of ``hidden_labels`` (auxiliary labels
    the network learned but govner never outputs, such as MSRA's persons) are dropped.
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any = None,
        *,
        max_len: int = 128,
        overlap: int = 16,
        batch_size: int = 64,
        merge_locations: bool = True,
        split_bodies: bool = True,
        join_brackets: bool = True,
        campuses: bool = True,
        kind_words: bool = True,
        rules: bool = True,
        propagate: Sequence[str] = PROPAGATED_LABELS,
        divisions: bool = True,
        list_items: bool = True,
        word_edges: bool = True,
        short_names: bool = True,
        area_words: bool = True,
        quoted_slogans: bool = True,
        company_facilities: bool = True,
        sites_as_parties: bool = True,
        titled_persons: bool = True,
        road_names: bool = True,
        quoted_places: bool = True,
        abbreviated_places: bool = True,
        longer_names: bool = True,
        place_bodies: bool = True,
        trade_names: bool = True,
        park_names: bool = True,
        consistency: bool = True,
        threads: int = 1,
        lexicon: Lexicon | None = None,
        user_words: Sequence[tuple[str, str]] = (),
        force_user_words: bool = False,
        hidden_labels: Sequence[str] = (),
    ) -> None:
        if isinstance(model, (TorchScorer, OnnxScorer)):
            self.scorer = model
        else:
            self.scorer = TorchScorer(model, tokenizer, lexicon)
        self.user_words = [(normalize(w).text, label) for w, label in user_words]
        self.force_user_words = force_user_words
        self.backend = "onnx" if isinstance(self.scorer, OnnxScorer) else "torch"
        self.merge_locations = merge_locations  # the guideline's "one address is one LOC" rule
        self.split_bodies = split_bodies  # the guideline's "市委市政府 is two ORGs" and "sessions are no names"
        self.join_brackets = join_brackets  # the guideline's "晶途微电子(芜湖)有限公司 is one ORG"
        self.campuses = campuses  # the project's "a school with its campus is one ORG"
        self.kind_words = kind_words  # the guideline's "unnamed areas are never LOC": 经开区 alone
        self.rules = rules  # rule AMOUNT/SLOGAN spans take precedence (govner.inference.postprocess)
        self.propagate = tuple(propagate)  # labels tagged at every occurrence of a found mention
        self.divisions = divisions  # untagged full division names, and short forms of those the report names
        self.list_items = list_items  # untagged short items of a list of organizations
        self.word_edges = word_edges  # the network's places that cut a word dropped
        self.short_names = short_names  # an ORG cut back to the short name the document gives it elsewhere
        self.area_words = area_words  # 地区 taken into a place (京津冀地区), banks left out (金沙江|畔)
        self.quoted_slogans = quoted_slogans  # SLOGANs the document never quotes dropped
        self.company_facilities = company_facilities  # 今麦郎长治(生产基地) → 今麦郎 ORG + 长治 LOC
        self.sites_as_parties = sites_as_parties  # 与天津港(…合作): a port that is a party is ORG
        self.titled_persons = titled_persons  # 县长马贺山: a name after a title is a person, not a place
        self.road_names = road_names  # 熊岳至鲅鱼圈 → two places; 瓦蛟快速通道 one
        self.quoted_places = quoted_places  # “合广长”协同发展: a quoted abbreviation of places is LOC
        self.abbreviated_places = abbreviated_places  # 岚皋县 … 来岚投资: a one-character form of a place is LOC
        self.longer_names = longer_names  # [一汽]解放 … 一汽解放: one name, one reading per report
        self.place_bodies = place_bodies  # [巍山县]政府 → 巍山县政府: a place's body is one ORG with it
        self.trade_names = trade_names  # [锐达]液压 … 江西锐达液压科技有限公司: the short name keeps its industry
        self.park_names = park_names  # [陕坝镇]农畜产品加工园区 → one LOC, [吉林省]…中试基地 → one ORG
        self.consistency = consistency
        self.max_len = max_len
        self.overlap = overlap
        self.batch_size = batch_size
        self.threads = threads  # batches scored at once, each on one core
        self.tags = self.scorer.tags
        # the labels it outputs: a hidden label's B- tag starts no span (its I- tags still end the one before)
        self.labels = tuple(dict.fromkeys(t[2:] for t in self.tags if t != "O" and t[2:] not in hidden_labels))
        self._is_begin = np.array([t.startswith("B-") and t[2:] in self.labels for t in self.tags])
        self._is_inside = np.array([t.startswith("I-") for t in self.tags])
        self._label = [t[2:] for t in self.tags]

    @classmethod
    def from_pretrained(
        cls, path: str | Path, *, backend: str = "auto", threads: int | None = None,
        overrides: Sequence[str] = (), **options: Any,
    ) -> Tagger:
        """Load a local model folder (``govner train`` output or any token-classification model).

        Window sizes and post-processing come from the folder's ``govner_config.yaml``, read
        through the config dataclasses (a folder without one gets their defaults); ``options``
        override them (``rules=False``, ``propagate=()``, ``consistency=False``, ``batch_size=...``), and so do
        ``overrides``, ``inference.KEY=VALUE`` strings read like ``govner train --set`` (``govner predict --set``:
        ``inference.sites_as_parties=false``), checked against the config dataclasses.
        ``backend`` is ``onnx`` (govner's own models: the exported ``model.onnx`` under ONNX
        Runtime), ``torch`` (any model transformers loads) or ``auto`` (onnx when the folder and
        the installed packages allow it). ``threads`` batches are scored at once; by default the
        usable CPUs (at most 4) with onnx, 1 with torch, which has threads of its own (for more,
        call ``torch.set_num_threads(1)`` first, as ``govner predict`` does).
        """
        from govner.config import ConfigError, config_from_dict, config_to_dict, load_config

        path = Path(path)
        if backend not in BACKENDS:
            raise ModelFolderError(f"unknown backend {backend!r} (known: {', '.join(BACKENDS)})")
        if not path.is_dir():
            what = "not a folder" if path.exists() else "no such model folder"
            raise ModelFolderError(f"{path}: {what} (give the folder govner train wrote)")
        saved = path / "govner_config.yaml"
        for override in overrides:  # the weights are fixed: only how they are applied may change
            if not override.startswith("inference."):
                raise ConfigError(f"{override!r}: only inference.KEY=VALUE settings apply to a trained model")
        try:
            config = load_config(saved) if saved.exists() else config_from_dict({}, str(saved))
        except ConfigError as err:
            raise ModelFolderError(f"{path}: the saved config does not fit this govner: {err}") from None
        if overrides:  # after the folder's config, so that a bad value is the user's, not the folder's
            config = config_from_dict(config_to_dict(config), "--set", list(overrides))
        settings: dict[str, Any] = {  # every InferenceConfig field is a Tagger keyword of the same name
            **{f.name: getattr(config.inference, f.name) for f in fields(config.inference)},
            "max_len": config.data.max_len,
            "overlap": config.data.overlap,
            "hidden_labels": tuple(config.model.auxiliary_labels),
        }
        user_dictionaries = options.pop("user_dictionaries", ())
        settings.update(options)
        user = [entry for dictionary in user_dictionaries for entry in read_user_dictionary(dictionary)]
        settings["user_words"] = [(word, category.removeprefix("user:")) for word, category, _ in user]
        lexicon = None
        if _read_json(path / "config.json").get("lexicon_categories"):
            # the lexicon the network was trained with, plus the user's words
            if not (path / LEXICON_FILE).is_file():
                raise ModelFolderError(f"{path}: no {LEXICON_FILE}, but the model was trained with lexicon inputs")
            lexicon = Lexicon.load(path / LEXICON_FILE)
            lexicon = lexicon.with_entries(user) if user else lexicon
        settings["lexicon"] = lexicon
        onnx = backend == "onnx" or (backend == "auto" and onnx_available(path))
        settings["threads"] = threads if threads is not None else (default_threads() if onnx else 1)
        if onnx:
            return cls(OnnxScorer(path, lexicon), **settings)

        from transformers import AutoModelForTokenClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging

        import govner.model.network  # noqa: F401  (registers the govner model with the Auto classes)

        _read_json(path / "config.json")  # a missing or broken config.json, said plainly
        hf_logging.disable_progress_bar()  # "Loading weights" bars would interleave with predict's own
        try:
            model = AutoModelForTokenClassification.from_pretrained(str(path), local_files_only=True)
            tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        except Exception as err:  # transformers, safetensors and tokenizers raise many types for a broken file
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise ModelFolderError(f"{path}: cannot load the model: {first}") from None
        finally:
            hf_logging.enable_progress_bar()
        return cls(model, tokenizer, **settings)

    # ------------------------------------------------------------------ model

    def _tag_batches(self, texts: Sequence[str]) -> Iterator[tuple[list[int], np.ndarray, np.ndarray]]:
        """``(indices, paths [B, L], probabilities of the chosen tags [B, L])`` batch by batch.

        Texts are sorted by length, longest first, so a batch wastes little on padding. A
        batch holds ``batch_size`` texts, or more when they are short: about
        ``batch_size * max_len`` characters, because the cost of a pass (a Python step per
        position in the Viterbi loop, the GRU's per-step overhead) depends on its length
        more than on its width.
        """
        order = sorted((i for i in range(len(texts)) if texts[i]), key=lambda i: -len(texts[i]))
        budget = self.batch_size * self.max_len
        batches = []
        first = 0
        while first < len(order):
            size = max(self.batch_size, budget // len(texts[order[first]]))
            batches.append(order[first : first + size])
            first += size

        def tag(batch: list[int]) -> tuple[list[int], np.ndarray, np.ndarray]:
            window_texts = [texts[i] for i in batch]
            emissions = self.scorer(window_texts)
            lengths = np.array([len(t) for t in window_texts])
            scorer = self.scorer
            paths = viterbi_decode(emissions, lengths, scorer.transitions, scorer.start, scorer.end)
            chosen = np.take_along_axis(_softmax(emissions), paths[:, :, None], axis=2)[:, :, 0]
            return batch, paths, chosen

        if self.threads <= 1 or len(batches) <= 1:
            yield from map(tag, batches)
            return
        # Batches run side by side, one core each: onnxruntime and torch release the GIL while
        # they compute, and a GRU scales far better over independent batches than over the
        # threads of one small matrix product per step.
        with ThreadPoolExecutor(self.threads) as pool:
            yield from pool.map(tag, batches)

    def tag_texts(self, texts: Sequence[str]) -> list[tuple[list[str], list[float]]]:
        """IOB2 tags and the probability of each chosen tag, per character of each (normalized) text.

        The network's tags, those of hidden (auxiliary) labels included: entities come from
        :meth:`analyze`, which drops them.
        """
        results: list[tuple[list[str], list[float]]] = [([], []) for _ in texts]
        for batch, paths, chosen in self._tag_batches(texts):
            for row, i in enumerate(batch):
                n = len(texts[i])
                results[i] = ([self.tags[t] for t in paths[row, :n].tolist()], chosen[row, :n].tolist())
        return results

    # ------------------------------------------------------------------ documents

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        """Entities and confidence of each document; all windows of all ``texts`` are batched together.

        Memory grows with the total length of ``texts``: give a stream of documents in
        groups (``govner.inference.predict`` does). ``analyze`` is :meth:`score` (the
        network) then :meth:`finish` (post-processing), which a pipeline may run in
        different threads.
        """
        return self.finish(self.score(texts))

    def score(self, texts: Sequence[str]) -> Scored:
        """Normalize, cut windows, run the network and decode: spans per document, before post-processing."""
        norms = [normalize(text) for text in texts]
        jobs: list[tuple[int, Window]] = []
        for d, norm in enumerate(norms):
            jobs.extend((d, w) for w in split_windows(norm.text, max_len=self.max_len, overlap=self.overlap))
        window_texts = [norms[d].text[w.start : w.end] for d, w in jobs]
        found: list[list[tuple[int, int, str]]] = [[] for _ in texts]  # normalized start, end, label
        probs = [np.zeros(len(norm.text), dtype=np.float32) for norm in norms]
        covered = [0] * len(texts)
        for batch, paths, chosen in self._tag_batches(window_texts):
            for row, j in enumerate(batch):
                d, w = jobs[j]
                a, b = w.keep_start - w.start, w.keep_end - w.start
                probs[d][w.keep_start : w.keep_end] = chosen[row, a:b]
                covered[d] += b - a
                found[d].extend(self._window_spans(paths[row, : w.end - w.start], w))
        return Scored(list(texts), norms, found, probs, covered)

    def finish(self, scored: Scored) -> list[Analysis]:
        """Post-process what :meth:`score` found: original offsets, rules, consistency, scores."""
        return [
            self._finish(text, norm, found, probs, covered)
            for text, norm, found, probs, covered in zip(
                scored.texts, scored.norms, scored.found, scored.probs, scored.covered, strict=True
            )
        ]

    def _window_spans(self, path: np.ndarray, window: Window) -> Iterator[tuple[int, int, str]]:
        """Spans of one window's tag path that start in its keep region, in normalized document offsets."""
        begins = np.flatnonzero(self._is_begin[path])
        if not len(begins):
            return
        # A valid IOB2 path continues an entity with I- tags only, so an entity ends at the
        # first position after its B- that is not I-.
        stops = np.append(np.flatnonzero(~self._is_inside[path]), len(path))
        ends = stops[np.searchsorted(stops, begins, side="right")]
        for b, e in zip(begins.tolist(), ends.tolist(), strict=True):
            start = window.start + b
            if window.keep_start <= start < window.keep_end:
                yield start, window.start + e, self._label[path[b]]

    def _finish(
        self, text: str, norm: NormalizedText, found: list[tuple[int, int, str]], probs: np.ndarray, covered: int
    ) -> Analysis:
        """Original offsets, post-processing and scores for one document."""
        names = drop_pinyin_spans(norm.text, [Span(*f) for f in found])
        if self.rules:
            from govner.rules import rejects_amount, rule_spans

            # The network's amounts that the guideline rules out (a numbered list's 1., ranks). Read
            # on the text the rules see; the rules' own amounts are added below, so none is lost.
            names = [s for s in names if s.label != "AMOUNT" or not rejects_amount(norm.text, s.start, s.end)]
        if self.kind_words:  # before propagation spreads them
            names = drop_kind_words(norm.text, names)
        if self.area_words:  # before the word check: jieba makes one word of 阿克苏地区
            names = extend_over_region_word(norm.text, names)
        if self.place_bodies and "ORG" in self.labels:  # before the word check: 县委 is a word, 巍山县 would cut it
            names = join_place_bodies(norm.text, names)
        if self.word_edges:
            names = drop_places_across_words(norm.text, names)
        if self.area_words:  # after it: 金沙江畔 is one word, 金沙江 would cut it
            names = cut_division_counts(norm.text, cut_bank_and_estate_words(norm.text, names))
        if self.park_names and "LOC" in self.labels:  # after the word check, which judges the network's own edges
            names = extend_places_over_park_words(
                norm.text, names, institutes="ORG" in self.labels, provinces=_provinces())
        if self.road_names:  # the two ends first: 长汀至瑞金 + 快速通道 is no contracted name
            names = split_joined_places(norm.text, names, _place_names())
            names = extend_over_road_word(norm.text, names, _place_names())
            names = join_named_lines(norm.text, names, _place_names())
        if self.split_bodies:
            names = drop_plenum_ordinals(norm.text, split_joined_bodies(norm.text, names))
        if self.join_brackets:
            names = split_unclosed_brackets(
                norm.text, join_bracketed_names(norm.text, names), PARK_ENDINGS, _place_names())
        if self.campuses and "ORG" in self.labels:
            names = join_campuses(norm.text, names, _place_names())
        if self.short_names and self.consistency and "ORG" in self.labels:
            names = trim_to_short_names(norm.text, names, _place_names())
        if self.company_facilities and {"LOC", "ORG"} <= set(self.labels):
            names = split_company_facilities(norm.text, names, _place_names())
        if self.sites_as_parties and "ORG" in self.labels:
            names = tag_sites_as_parties(norm.text, names, _place_names())
        spans = drop_overlaps([Span(*norm.to_original(s.start, s.end), s.label) for s in names])
        if self.merge_locations:
            spans = merge_adjacent(spans, "LOC")
        from_rules: set[Span] = set()
        if self.rules:
            # rule_spans_original without normalizing a second time
            from_rules = {
                Span(*norm.to_original(s.start, s.end), s.label)
                for s in rule_spans(norm.text, repeats=self.consistency)
            }
            spans = combine_with_rules(spans, sorted(from_rules))
        if self.quoted_places and "LOC" in self.labels:  # before propagation, which spreads the LOC
            before = set(spans)
            spans = tag_quoted_place_abbreviations(norm, spans, every_mention=self.consistency)
            from_rules |= set(spans) - before  # a rule's quotation, read as places: not a model probability
        if self.list_items and "LOC" in self.labels:  # before propagation, which finds the towns' other mentions
            before = set(spans)
            spans = tag_counted_place_lists(norm, spans)
            from_rules |= set(spans) - before  # read off the list, not a model probability
        if self.list_items and "ORG" in self.labels:  # before propagation: a product's other mentions are no ORG
            spans = relabel_items_by_list_end(norm, spans)
        if self.consistency:
            if self.quoted_slogans:  # before the repeats: those are quoted elsewhere by construction
                spans = drop_unquoted_slogans(norm, spans)
            spans = repeat_quoted_slogans(norm, text, spans)
            if self.propagate:
                spans = propagate_labels(text, spans, self.propagate, norm=norm)
            if self.longer_names and "ORG" in self.labels:  # after propagation: the longer name's mentions
                spans = extend_to_longer_names(text, spans, norm=norm)
            if self.trade_names and "ORG" in self.labels:  # every mention, the propagated ones too
                spans = extend_to_trade_names(text, spans, _place_names(), norm=norm)
            if self.divisions and "LOC" in self.labels:
                before = set(spans)
                spans = cut_places_before_verbs(norm, spans, _place_names())  # 句容组织: a place and a verb
                spans = relabel_division_orgs(norm, spans, _divisions(), _place_names(), _division_full_names())
                spans = propagate_short_forms(norm, tag_division_names(norm, spans, _divisions()), _divisions())
                added = set(spans) - before  # a dictionary's name, not a model probability
                spans = extend_to_division_names(norm, spans, _divisions())  # the network's names: their own scores
                if self.merge_locations:
                    spans = merge_adjacent(spans, "LOC")
                from_rules |= added & set(spans)
            if self.list_items and "ORG" in self.labels:
                before = set(spans)
                spans = tag_list_items(norm, spans)
                if "ORG" in self.propagate and set(spans) - before:  # the new names' other mentions
                    spans = propagate_labels(text, spans, ("ORG",), norm=norm)
                from_rules |= set(spans) - before  # read off the list, not a model probability
            if self.list_items and "LOC" in self.labels:
                before = set(spans)
                spans = tag_place_list_items(norm, spans, _place_names())
                from_rules |= set(spans) - before
            if self.abbreviated_places and "LOC" in self.labels:
                before = set(spans)
                spans = tag_abbreviated_places(norm, spans)
                from_rules |= set(spans) - before  # read off the report's places, not a model probability
            if self.split_bodies:  # propagation may have tagged an ordinal again (市二中 … 十九届二中、三中全会)
                spans = drop_plenum_ordinals(text, spans)
        if self.titled_persons:  # after the document-level steps: a division or list step may have tagged the name
            spans = drop_titled_persons(norm, spans, _places_and_everyday_forms(), other_mentions=self.consistency)
        if self.force_user_words and self.user_words:
            before = set(spans)
            spans = add_dictionary_matches(norm, spans, self.user_words)
            from_rules |= set(spans) - before  # the user's word, not a model probability
        entities = []
        for span in spans:
            if span in from_rules:
                score = 1.0  # a rule match or a user's word, not a model probability
            else:
                start, end = norm.to_normalized(span.start, span.end)
                score = float(probs[start:end].mean(dtype=np.float64))
            entities.append(Span(span.start, span.end, span.label, round(score, 4)))
        confidence = float(probs.sum(dtype=np.float64)) / covered if covered else 1.0
        return Analysis(entities, round(confidence, 4), len(text))

    def predict_documents(self, texts: Sequence[str]) -> list[list[Span]]:
        """Entities of each document (spans with scores), in original-text offsets, sorted by position."""
        if isinstance(texts, str):
            raise TypeError("predict_documents takes a list of texts, not one string: wrap it in a list")
        return [analysis.entities for analysis in self.analyze_in_groups(texts)]

    def analyze_groups(
        self, groups: Iterable[Group], texts_of: Callable[[Group], Sequence[str]] = list
    ) -> Iterator[tuple[Group, list[Analysis]]]:
        """Each group with the :meth:`analyze` of its ``texts_of(group)``, in order; the next group is
        read and scored in a background thread while this one is post-processed.

        Post-processing is Python and holds one core; the network's batches run in onnxruntime or
        torch, which release the GIL, so the overlap keeps the other cores busy (docs/predict.md,
        "Speed and memory"). One group is read ahead at most, by the background thread: this
        group's results come as soon as they are ready, however slowly the next group arrives
        (a pipe into ``govner predict -``). An error in reading or scoring is raised here, once
        the groups before it are answered. The thread is a daemon, so a caller that stops early
        does not wait for it.
        """
        remaining = iter(groups)
        end = object()

        def read_and_score() -> tuple[Group, Scored] | object:  # the next group and its scores, or `end`
            group = next(remaining, end)
            return end if group is end else (group, self.score(list(texts_of(group))))

        worker = _Worker()
        ahead = worker.submit(read_and_score)
        try:
            while (item := ahead.result()) is not end:
                ahead = worker.submit(read_and_score)
                group, scored = item
                yield group, self.finish(scored)
        finally:
            ahead.cancel()  # a caller that stops early: the next group is not read, unless it already is
            worker.close()

    def analyze_in_groups(self, texts: Iterable[str], group_chars: int = GROUP_CHARS) -> Iterator[Analysis]:
        """:meth:`analyze` over ``texts`` about ``group_chars`` characters at a time: bounded memory for any number."""

        def grouped() -> Iterator[list[str]]:
            group: list[str] = []
            size = 0
            for text in texts:
                group.append(text)
                size += len(text)
                if size >= group_chars:
                    yield group
                    group, size = [], 0
            if group:
                yield group

        for _, analyses in self.analyze_groups(grouped()):
            yield from analyses

    def predict(self, texts: Sequence[str]) -> list[list[dict[str, Any]]]:
        """Like ``predict_documents`` but plain dicts (``start``, ``end``, ``label``, ``text``, ``score``)."""
        found = self.predict_documents(texts)
        return [[e.to_dict(text) for e in spans] for text, spans in zip(texts, found, strict=True)]
