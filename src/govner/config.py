"""YAML configs read into dataclasses, with ``--set section.key=value`` overrides.

Unknown keys and values of the wrong type are errors that name the file and
the key: a typo in a config should never silently train the wrong model.

>>> cfg = config_from_dict({"data": {"max_len": 64}}, source="inline", overrides=["data.overlap=8"])
>>> cfg.data.max_len, cfg.data.overlap
(64, 8)
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from govner.errors import GovnerError
from govner.labels import CORPORA, LABELS


class ConfigError(GovnerError, ValueError):
    """A config file or override that does not fit the config dataclasses."""


@dataclass
class DataConfig:
    """Which annotation files to train on, how to split them, and how to cut windows."""

    annotations: list[str] = field(default_factory=lambda: ["annotations/seed_gold.json"])
    dev_fraction: float = 0.4
    split_seed: int = 13
    dev_ids: list[str] = field(default_factory=list)  # fixes the dev documents when not empty
    max_len: int = 128  # characters per model window
    overlap: int = 16  # characters shared by consecutive chunks of an over-long sentence


@dataclass
class CorpusConfig:
    """Training data beyond the gold reports."""

    synthetic: list[str] = field(default_factory=list)  # Label Studio files of synthetic reports (train only)
    gold_repeat: int = 3  # times each gold/synthetic training window is shown per epoch
    # of those gold_repeat copies, how many are place-swapped (govner.data.augment: the report's division
    # names replaced by other real ones of the same kind, different in each copy); 0 shows only originals
    place_swaps: int = 0
    msra_sentences: int = 0  # MSRA training sentences to mix in: 0 none, -1 all
    # join the sampled MSRA sentences, in sample order, into windows of up to data.max_len characters: the
    # same text in a third as many windows. A training step costs about the same whatever its windows'
    # lengths (the BiGRU's per-character steps on CPU cost their overhead, not their width), so fewer
    # windows train ~26% faster; off by default: cross-validation showed ORG and micro a little lower
    # in every fold (docs/training.md, "Training speed")
    msra_pack: bool = False
    # MSRA never marks amounts or slogans: "mask" (an MSRA O may hide them: partial-label CRF loss),
    # "silver" (rule-based AMOUNT/SLOGAN spans added), or "none" (trust MSRA's O)
    msra_missing_labels: str = "mask"
    # the MSRA benchmark: select epochs on held-out msra_train sentences and score the SIGHAN 2006 test set
    # (govner.data.msra.read_sighan_test) instead of the gold dev split
    msra_eval: bool = False
    # merge touching MSRA LOC spans (中国/北京 → 中国北京), the guideline's address rule; the benchmark
    # turns this off so that the test set is scored against MSRA's own spans
    msra_merge_locations: bool = True
    # share of the person lists in MSRA training sentences (李鹏、乔石) whose 、 are dropped (李鹏乔石):
    # the SIGHAN 2006 test set's lists lost their separators (govner.data.augment.join_person_lists);
    # the sentences are changed in place, not copied; needs PER trained
    msra_join_person_lists: float = 0.0


@dataclass
class ModelConfig:
    """Which network to fine-tune."""

    backbone: str = "lac"  # "lac": LAC's pretrained encoder + CRF (offline); "hub": any AutoModel by name/path
    name_or_path: str | None = None  # for "hub": a model id such as bert-base-chinese, or a local folder
    dropout: float = 0.1
    # keep LAC's character embeddings as pretrained; configs/default.yaml fine-tunes them (measured: docs/training.md)
    freeze_embeddings: bool = True
    quote_feature: bool = True  # the LAC model marks characters inside quotation marks (slogans are quoted)
    labels: list[str] = field(default_factory=lambda: list(LABELS))
    # labels learned from MSRA but never output (their spans are dropped), e.g. [PER]: the network gets a
    # class for persons, so that names in lists of officials need not look like places to it; in the
    # project's own reports, which never mark them, an O may hide them (partial labels)
    auxiliary_labels: list[str] = field(default_factory=list)

    @property
    def trained_labels(self) -> list[str]:
        """The labels of the network's tag set: ``labels``, then ``auxiliary_labels``."""
        return [*self.labels, *self.auxiliary_labels]


@dataclass
class LexiconConfig:
    """SoftLexicon features: the dictionary words at each character (govner.data.lexicon)."""

    enabled: bool = False  # give the network the B/M/E/S word sets of every character
    sources: list[str] = field(default_factory=lambda: ["jionlp", "jieba", "suffixes"])  # see govner.data.lexicon
    general_words: bool = False  # also every other jieba word, as category "word"
    # word<TAB>LABEL files: the user's own names, part of the lexicon at training and prediction
    user_dictionaries: list[str] = field(default_factory=list)
    words_per_set: int = 3  # words kept per character and set (the heaviest)
    # at training, this share of each report's distinct LOC/ORG mentions is shown as user-dictionary words
    # for that report, so the network learns what a user's word means (0: never)
    train_user_fraction: float = 0.3


@dataclass
class TrainingConfig:
    """Optimization and bookkeeping; ``threads`` 0 means torch's default."""

    epochs: int = 12
    batch_size: int = 32
    eval_batch_size: int = 64
    learning_rate: float = 2e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.05
    early_stopping_patience: int = 4  # epochs without a better dev F1 before stopping; 0: never stop early
    # keep the epoch with the best dev F1 (else the last one); cross-validation turns it off, because
    # there dev is the held-out fold, which must not choose anything
    select_best: bool = True
    seed: int = 42
    threads: int = 0
    logging_steps: int = 50
    # batches of windows of about the same length: a batch costs as many recurrent steps as its longest
    # window, so short MSRA sentences no longer pay for a report window's 128 characters; the order stays random
    group_by_length: bool = False
    # with group_by_length, how many batches (of an optimizer step each) of shuffled windows are sorted by length
    # together: 50 as in transformers' LengthGroupedSampler, or a few, which keeps each batch a mix of sources
    length_group_batches: int = 50


@dataclass
class InferenceConfig:
    """How a trained model is applied; saved with the model and used by ``govner predict``.

    Every field is a :class:`~govner.inference.tagger.Tagger` keyword of the same name, and every boolean
    field switches one step after the network (the network alone is all of them off): a new step needs its
    field here, its keyword and code in the Tagger and its words in ``POST_PROCESSING_STEPS`` there.
    """

    rules: bool = True  # AMOUNT/SLOGAN spans of govner.rules take precedence (see govner.inference.postprocess)
    merge_locations: bool = True  # touching LOC spans become one (the guideline's address rule)
    # the guideline on bodies: joined short forms (市委市政府) become one ORG each, and a party congress or
    # plenum (十九大, 十九届二中 of …、三中全会) is no name (govner.data.conventions)
    split_bodies: bool = True
    # a name the network cut at a bracketed place (晶途微电子 + 芜湖)有限公司) becomes one span again
    join_brackets: bool = True
    # a school and its campus are one ORG (燕赵理工学院 + 霸州校区), as annotations/GUIDELINES.md rules;
    # govner.inference.postprocess.join_campuses
    campuses: bool = True
    # a LOC or ORG that is only the word for a kind of place or organization (经开区, 大桥, 古城, 集团, 分公司: an
    # ending of govner/data/suffixes.tsv) is dropped: no name; so is an ORG that ends in a word of 局 that is no
    # bureau (a headline's 新春开新局), an ORG the text also writes before 产业 or 领域 (an industry: 铜基新材料) and a
    # trade fair's short name (广交会: an event); a zone's word before a park named in it is cut off (开发区 +
    # 新能源产业园); govner.inference.postprocess.drop_kind_words
    kind_words: bool = True
    # labels whose mentions are tagged wherever else they occur in the same document
    propagate: list[str] = field(default_factory=lambda: ["LOC", "ORG"])
    # jionlp's division tree fills in LOC the network missed: full names of provinces, cities and counties
    # where no span is (界首市), and the short form of one the document names in full (开原市 … 开原将); an ORG
    # that is a division's name, or a division's name or short form run into a verb of forming (句容 + 组织86家
    # 企业), becomes LOC;
    # govner.inference.postprocess.tag_division_names, propagate_short_forms, cut_places_before_verbs and
    # relabel_division_orgs
    divisions: bool = True
    # untagged short items of a 、 list in which two or more items are ORG become ORG (以三一机械、中联液压、
    # 常德纺机为龙头), and untagged places of a list of places LOC (赴京、沪、深), as are the items of a list that a
    # count of divisions ends (带动曲当、绒辖两乡); the ORG items of a list of products (芒果等农产品) are dropped and
    # the LOC items of a list of companies (楚岳车桥、迅骋液压等企业) made ORG; govner.inference.postprocess.
    # tag_list_items, tag_place_list_items, tag_counted_place_lists and relabel_items_by_list_end
    list_items: bool = True
    # the network's LOC spans, other than those of 2 characters, that cut a jieba word are dropped
    # ([华]为, [隆回区]位优越); govner.inference.postprocess.drop_places_across_words
    word_edges: bool = True
    # an ORG that begins with a shorter ORG the network found elsewhere in the document is cut back to it when
    # the rest is a product (泽弘尼龙66 … 泽弘、天衡等); govner.inference.postprocess.trim_to_short_names
    short_names: bool = True
    # a LOC that 地区, 平原 or 走廊 directly follows takes it in (京津冀 + 地区, 三江 + 平原), the guideline's rule for
    # named regions, not 地区 before 生产总值 (GDP); one that ends in the bank of a water (金沙江畔), 安置小区
    # (unnamed areas) or a count of divisions after a list (白沙三县) leaves it out;
    # govner.data.conventions.extend_over_region_word, cut_bank_and_estate_words, cut_division_counts
    area_words: bool = True
    # a SLOGAN outside every quotation whose phrase the document never quotes is dropped: the guideline tags
    # only quoted phrases and their unquoted repeats (专精特新 is no SLOGAN in a report that never quotes
    # it); govner.inference.postprocess.drop_unquoted_slogans
    quoted_slogans: bool = True
    # a LOC or ORG that runs a company into the place of its base, plant or store (今麦郎长治 + 生产基地,
    # 物美滁州首店) becomes the company (ORG) and the place (LOC), the facility left out, as the guideline's
    # rulings say; govner.inference.postprocess.split_company_facilities
    company_facilities: bool = True
    # a port or airport that signs, builds or works with someone (与天津港深化物流合作, 柳州白莲机场共建…) is ORG, a
    # party, not a place; govner.inference.postprocess.tag_sites_as_parties
    sites_as_parties: bool = True
    # a LOC right after an official's title is a person's name (市委书记陈[锦江], 县长[马贺山]), and so are the
    # document's other mentions of that person; so is a whole name read as an ORG right after the title (副省长
    # [邵启年]); govner.inference.postprocess.drop_titled_persons
    titled_persons: bool = True
    # a LOC made of a route's two ends (熊岳至鲅鱼圈) or of two divisions joined by a list break (同心与利通区) becomes
    # the two places, a contracted road name takes its road word in (瓦蛟 + 快速通道), and a railway or expressway
    # whose name holds 至 is one LOC (鹤岗 + 至 + 佳木斯高速公路), as annotations/GUIDELINES.md rules;
    # govner.data.conventions.split_joined_places, extend_over_road_word, join_named_lines
    road_names: bool = True
    # a SLOGAN that is a quoted abbreviation of places the report names, before a word of regional cooperation
    # (汉中…巴中…南充…“汉巴南”协同发展), is LOC (at every mention with the document-level steps), as the guideline
    # says; govner.inference.postprocess.tag_quoted_place_abbreviations
    quoted_places: bool = True
    # a place's one-character form, named by the report in full, between 来/在/赴/到/对 and a word of investing or
    # working together (岚皋县 … 来岚投资) is LOC; govner.inference.postprocess.tag_abbreviated_places
    abbreviated_places: bool = True
    # a LOC or ORG that the text runs on into an ORG the document tags elsewhere becomes that ORG ([一汽]解放 …
    # 一汽解放); govner.inference.postprocess.extend_to_longer_names
    longer_names: bool = True
    # a LOC that ends in a division's or township's level character and runs on into its own body (巍山县 + 政府,
    # 南涧县 + 委) becomes one ORG, as the guideline rules; not where 政府 begins a term (政府工作报告, 政府性债务);
    # govner.inference.postprocess.join_place_bodies
    place_bodies: bool = True
    # an ORG that is a part of a company's full name the document tags, or a LOC that begins it, neither reading as a
    # place (巍山县, 株洲高新区), which the text continues as the full name does (锐达 + 液压 … 江西锐达液压科技有限
    # 公司), takes in the common part (锐达液压), as the guideline's short names keep their industry words; a LOC
    # that is all of a full name between its place and its legal form ([冰溪酒庄] of 辽宁冰溪酒庄有限公司) becomes
    # ORG; govner.inference.postprocess.extend_to_trade_names
    trade_names: bool = True
    # a LOC that the words of a park's industry and a park's ending directly follow (拉哈镇 + 大豆加工园区) takes them
    # in, as the guideline's "a place and the named site in it that follows directly are one LOC", and one that a
    # platform's field and ending follow becomes one ORG with them (吉林省 + 碳纤维复合材料中试基地); not over a verb
    # or a function word (利川市调研工业园区, 辛口镇与经开区), nor an ending alone (菏泽市开发区综合考核: the city's
    # zones); govner.inference.postprocess.extend_places_over_park_words
    park_names: bool = True
    batch_size: int = 64  # windows per forward pass
    # every exact match of a user-dictionary word is tagged with the word's label, over the network's spans
    # where they disagree (a longer span around it is kept if it has the word's label or the word is a place)
    force_user_words: bool = False


def inference_switches() -> tuple[str, ...]:
    """The boolean fields of :class:`InferenceConfig`, as declared: each turns one step after the network on.

    The network alone is every one of them off (``govner.evaluation.systems.NETWORK_ALONE``).
    """
    return tuple(f.name for f in dataclasses.fields(InferenceConfig) if f.type in (bool, "bool"))


@dataclass
class Config:
    """The whole configuration of a govner run; ``name`` defaults to the config file's stem."""

    name: str = "default"
    data: DataConfig = field(default_factory=DataConfig)
    corpus: CorpusConfig = field(default_factory=CorpusConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    lexicon: LexiconConfig = field(default_factory=LexiconConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    inference: InferenceConfig = field(default_factory=InferenceConfig)

    def __post_init__(self) -> None:
        if self.corpus.msra_missing_labels not in {"mask", "silver", "none"}:
            raise ConfigError(
                f"corpus.msra_missing_labels must be mask, silver or none, not {self.corpus.msra_missing_labels!r}"
            )
        if self.model.backbone not in {"lac", "hub"}:
            raise ConfigError(f"model.backbone must be lac or hub, not {self.model.backbone!r}")
        if self.model.backbone == "hub" and not self.model.name_or_path:
            raise ConfigError("model.backbone hub needs model.name_or_path")
        if self.model.backbone == "hub" and self.lexicon.enabled:
            raise ConfigError("lexicon.enabled needs model.backbone lac (one token per character)")
        positive = {
            "training.epochs": self.training.epochs, "training.batch_size": self.training.batch_size,
            "training.eval_batch_size": self.training.eval_batch_size, "data.max_len": self.data.max_len,
            "inference.batch_size": self.inference.batch_size,
        }
        for key, value in positive.items():
            if value < 1:
                raise ConfigError(f"{key} must be at least 1, not {value}")
        if not 1 <= self.lexicon.words_per_set <= 16:
            raise ConfigError(f"lexicon.words_per_set must be from 1 to 16, not {self.lexicon.words_per_set}")
        if not 0 <= self.lexicon.train_user_fraction <= 1:
            raise ConfigError(f"lexicon.train_user_fraction must be in [0, 1], not {self.lexicon.train_user_fraction}")
        if self.corpus.gold_repeat < 0:
            raise ConfigError(f"corpus.gold_repeat must be 0 or more, not {self.corpus.gold_repeat}")
        if not 0 <= self.corpus.msra_join_person_lists <= 1:
            raise ConfigError("corpus.msra_join_person_lists must be from 0 to 1, "
                              f"not {self.corpus.msra_join_person_lists}")
        if self.corpus.msra_join_person_lists and "PER" not in self.model.trained_labels:
            raise ConfigError("corpus.msra_join_person_lists needs PER among model.labels or "
                              "model.auxiliary_labels: without person spans there are no lists to join")
        if not 0 <= self.corpus.place_swaps <= self.corpus.gold_repeat:
            raise ConfigError(f"corpus.place_swaps must be from 0 to corpus.gold_repeat "
                              f"({self.corpus.gold_repeat}), not {self.corpus.place_swaps}")
        if not 0 <= self.data.overlap < self.data.max_len:
            raise ConfigError(f"data.overlap must be from 0 to data.max_len - 1, not {self.data.overlap}")
        if not 0 <= self.data.dev_fraction < 1:
            raise ConfigError(f"data.dev_fraction must be in [0, 1), not {self.data.dev_fraction}")
        auxiliary = self.model.auxiliary_labels
        if set(auxiliary) & set(self.model.labels) or len(set(auxiliary)) < len(auxiliary):
            raise ConfigError(f"model.auxiliary_labels {auxiliary}: each once, and none among model.labels")
        outside = {label for corpus, marked in CORPORA.items() if corpus != "govner" for label in marked}
        unknown = [label for label in auxiliary if label not in outside]
        if unknown:
            raise ConfigError(f"model.auxiliary_labels: no outside corpus marks {unknown}")
        if auxiliary and not self.corpus.msra_sentences:
            raise ConfigError("model.auxiliary_labels needs MSRA sentences (corpus.msra_sentences), which mark them")
        if auxiliary and self.corpus.msra_eval:
            # the benchmark scores MSRA's own labels; a label it marks cannot be hidden there
            raise ConfigError("model.auxiliary_labels does not go with corpus.msra_eval: make them model.labels")
        unknown = [label for label in self.inference.propagate if label not in self.model.labels]
        if unknown:
            raise ConfigError(f"inference.propagate: {unknown} are not among model.labels {self.model.labels}")


def cache_dir() -> Path:
    """Where govner keeps what it builds once per machine (LAC's ported weights, lexicons):
    ``$GOVNER_CACHE``, else ``~/.cache/govner``."""
    import os

    return Path(os.environ.get("GOVNER_CACHE", Path.home() / ".cache" / "govner"))


def _coerce(value: Any, kind: Any, where: str) -> Any:
    """``value`` checked against the annotation ``kind`` (dataclass, list[...], scalar or optional)."""
    origin = typing.get_origin(kind)
    if dataclasses.is_dataclass(kind):
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping, got {value!r}")
        return _build(kind, value, where)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        if value is None and type(None) in options:
            return None
        kind = next(o for o in options if o is not type(None))
        return _coerce(value, kind, where)
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        (item,) = typing.get_args(kind)
        return [_coerce(v, item, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping, got {value!r}")
        return dict(value)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind is Any or (isinstance(value, kind) and not (kind is int and isinstance(value, bool))):
        return value
    raise ConfigError(f"{where}: expected {getattr(kind, '__name__', kind)}, got {value!r}")


def _build(cls: type, values: dict[str, Any], where: str) -> Any:
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(values) - names
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)}; known: {sorted(names)}")
    kwargs = {key: _coerce(value, hints[key], f"{where}.{key}") for key, value in values.items()}
    return cls(**kwargs)


def apply_override(raw: dict[str, Any], override: str) -> None:
    """Set ``section.key=value`` in a raw config mapping; the value is parsed as YAML."""
    key, sep, value = override.partition("=")
    if not sep or not key:
        raise ConfigError(f"override {override!r} is not of the form section.key=value")
    *parents, last = key.strip().split(".")
    node = raw
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"override {override!r}: {part} is not a section")
    node[last] = yaml.safe_load(value)


def config_from_dict(raw: dict[str, Any], source: str, overrides: list[str] = ()) -> Config:
    """A ``Config`` from a mapping (as read from YAML) plus overrides."""
    raw = dict(raw or {})
    for override in overrides:
        apply_override(raw, override)
    return _build(Config, raw, source)


def load_config(path: str | Path, overrides: list[str] = ()) -> Config:
    """Read a YAML config into a ``Config``; ``name`` defaults to the file's stem."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as err:
        raise ConfigError(f"{path}: cannot read: {err.strerror}") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: invalid YAML: {err}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    raw.setdefault("name", path.stem)
    return config_from_dict(raw, str(path), overrides)


def config_to_dict(config: Config) -> dict[str, Any]:
    """The fully resolved config as plain data, for saving next to a model."""
    return dataclasses.asdict(config)
