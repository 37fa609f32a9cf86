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

from trainer.cli_config import add_config_args, config_from_args


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flywheel export", description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoint", required=True, help="<run_dir>/chunk-<k> (or <run_dir>/checkpoints/chunk-<k>)")
    parser.add_argument("--out", required=True, help="folder to write (new, empty, or an earlier export)")
    return add_config_args(parser).parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """config -> export -> one line naming the folder."""
    from trainer.eval.checkpoint import describe, resolve
    from trainer.export.export import export

    args = parse_args(argv)
    cfg = config_from_args(args)
    ckpt = resolve(args.checkpoint)
    out = export(cfg, ckpt, args.out)
    print(f"export: {describe(ckpt)} -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
