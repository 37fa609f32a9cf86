"""`flywheel export --checkpoint <run>/chunk-<k> --out DIR`: a chunk checkpoint as a Hugging Face folder.

    flywheel export --checkpoint runs/demo/chunk-1 --out hf/demo-1 [--warehouse W]
                    [--config my.yaml] [--set train.model.dim=...]

Writes config.json + model.safetensors (LlamaForCausalLM) and tokenizer.json,
tokenizer_config.json, special_tokens_map.json; `AutoModelForCausalLM.from_pretrained(DIR)`
and `AutoTokenizer.from_pretrained(DIR)` load it. Pass the run's own config, as for `flywheel eval`.
"""
from __future__ import annotations

import argparse
import sys

from conf import load_config


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flywheel export", description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoint", required=True, help="<run_dir>/chunk-<k> (or <run_dir>/checkpoints/chunk-<k>)")
    parser.add_argument("--out", required=True, help="folder to write (new, empty, or an earlier export)")
    parser.add_argument("--warehouse", help="folder holding the Delta tables (default: spark.warehouse)")
    parser.add_argument("--config", action="append", default=[], metavar="FILE", help="YAML merged over the defaults")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override one config key")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """config -> export -> one line naming the folder."""
    from trainer.eval.checkpoint import describe, resolve
    from trainer.export.export import export

    args = parse_args(argv)
    overrides = list(args.set) + ([f"spark.warehouse={args.warehouse}"] if args.warehouse else [])
    cfg = load_config(args.config, overrides)
    ckpt = resolve(args.checkpoint)
    out = export(cfg, ckpt, args.out)
    print(f"export: {describe(ckpt)} -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
