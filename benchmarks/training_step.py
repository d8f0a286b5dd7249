"""How long does one training step of the default network take, by way of running its BiGRU?

Not a test: run it by hand and read the numbers (they depend on the machine and its load).

    python benchmarks/training_step.py [--threads 2] [--steps 20] [--batch-size 32]

The default network (LAC's pretrained encoder, the default config's tags) takes a forward and
backward pass over batches of report-like windows (lengths drawn from 60 to 128 characters, one of
128 in each batch, as a length-sorted batch of report windows holds), two ways, interleaved step by
step so that both see the same load:

- ``by direction``: what training runs (``model.train()``): each layer and direction of the BiGRU
  as its own one-direction GRU over the padded batch, the backward one over rows reversed within
  their lengths (``GovnerTaggerForTokenClassification._encode_by_direction``);
- ``packed``: the packed sequence that prediction and the ONNX export run, here with gradients
  (``model.eval()``, so without the three dropouts a training step pays: the comparison favours it).

Both compute the same emissions and gradients (tests/test_model.py); only their time differs.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from govner.config import load_config
from govner.training.train import build_model_and_tokenizer


def batch(size: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
    """Random character ids and O labels for windows of 60–128 characters, one of 128."""
    lengths = torch.randint(60, 129, (size,), generator=generator)
    lengths[0] = 128
    width = int(lengths.max())
    ids = torch.randint(100, 5000, (size, width), generator=generator)
    mask = (torch.arange(width)[None] < lengths[:, None]).long()
    labels = torch.where(mask.bool(), torch.zeros_like(ids), torch.full_like(ids, -100))
    return {"input_ids": ids * mask, "attention_mask": mask, "labels": labels}


def step_ms(model, inputs: dict[str, torch.Tensor], training: bool) -> float:
    model.train(training)
    model.zero_grad()
    started = time.perf_counter()
    model(**inputs).loss.backward()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default="configs/default.yaml")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model, _ = build_model_and_tokenizer(load_config(args.config))
    generator = torch.Generator().manual_seed(0)
    times: dict[str, list[float]] = {"by direction": [], "packed": []}
    for step in range(args.steps + 1):
        inputs = batch(args.batch_size, generator)
        for name, training in (("by direction", True), ("packed", False)):
            elapsed = step_ms(model, inputs, training)
            if step:  # the first step of each warms up
                times[name].append(elapsed)
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"{args.steps} steps of {args.batch_size} windows, {args.threads} threads; median ms per step "
          "(forward and backward):")
    for name, values in times.items():
        print(f"  {name:13} {medians[name]:7.1f}  (min {min(values):.1f}, max {max(values):.1f})")
    print(f"  packed / by direction: {medians['packed'] / medians['by direction']:.2f}×")


if __name__ == "__main__":
    main()
