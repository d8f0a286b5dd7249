"""Write a randomly initialised small character BERT to a folder, for the backbone comparison.

It uses govner's character tokenizer (one token per character, LAC's vocabulary), so it
sees exactly the characters the default model sees, and loads through the ``hub`` backbone
like any model folder:

    python scripts/make_char_bert.py models/char-bert-init
    govner train --config configs/char-bert.yaml
"""

from __future__ import annotations

import argparse

from transformers import BertConfig, BertForTokenClassification

from govner.model.lac import lac_tokenizer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output")
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--heads", type=int, default=4)
    args = parser.parse_args()
    tokenizer = lac_tokenizer()
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=args.hidden,
        num_hidden_layers=args.layers,
        num_attention_heads=args.heads,
        intermediate_size=4 * args.hidden,
        max_position_embeddings=512,
        pad_token_id=tokenizer.pad_token_id,
    )
    model = BertForTokenClassification(config)
    model.save_pretrained(args.output)
    tokenizer.save_pretrained(args.output)
    print(f"wrote {args.output}: {sum(p.numel() for p in model.parameters()):,} parameters")


if __name__ == "__main__":
    main()
