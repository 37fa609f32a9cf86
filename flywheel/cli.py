"""`flywheel <command> …`: one entry point that dispatches by name to jobs, trainer and notebooks.

Commands are named here as module paths and imported only when run, so this package imports
no other part of the project and no part has to import another to reach a command. Each job
is also runnable as `spark-submit spark_jobs/<module>.py …`, the trainer as
`torchrun -m trainer.train …`.
"""
from __future__ import annotations

import importlib
import sys

from conf.errors import UserError

COMMANDS = {
    "sample": ("samples.corpus", "write the bundled sample corpus (and scaled copies)"),
    "ingest": ("spark_jobs.ingest", "read JSONL/Parquet/text/WARC into raw_docs (+ quarantine)"),
    "annotate": ("spark_jobs.annotate", "language, quality, PII, toxicity, category signals"),
    "train_quality": ("spark_jobs.train_quality", "train the fastText quality classifier"),
    "dedup": ("spark_jobs.dedup", "exact, URL and MinHash-LSH dedup into curated_docs"),
    "train_tokenizer": ("spark_jobs.train_tokenizer", "train the byte-level BPE tokenizer"),
    "tokenize_docs": ("spark_jobs.tokenize_docs", "tokenize curated_docs into tokenized_docs"),
    "heldout": ("spark_jobs.heldout", "hold out a per-category x language sample of curated_docs into eval_docs"),
    "mix": ("spark_jobs.mix", "mix categories into chunks of packed blocks"),
    "inspect": ("spark_jobs.inspect_docs", "look at what a stage dropped and why"),
    "train": ("trainer.cli", "train on the ready chunks (torchrun, CPU FSDP2); `train rollback --to-chunk k`"),
    "eval": ("trainer.eval.cli", "evaluate a chunk checkpoint: held-out perplexity/bpb, probes, benchmarks"),
    "export": ("trainer.export.cli", "a chunk checkpoint as a Hugging Face transformers Llama folder"),
    "lm_eval": ("trainer.export.lm_eval_cli", "lm-eval (hf backend) on an exported folder: shipped local tasks, into eval_results"),
    "demo": ("spark_jobs.demo", "run every stage on the sample corpus"),
    "notebook": ("flywheel.notebooks_run.cli", "run a notebook of notebooks/ in a Jupyter kernel (run|list|to-ipynb|to-source)"),
    "monitor": ("monitoring.monitor", "start/stop Prometheus and a Pushgateway on loopback (up|down|status)"),
}


def _usage() -> str:
    lines = ["usage: flywheel <command> [options]   (flywheel <command> --help for its options)", "", "commands:"]
    width = max(len(name) for name in COMMANDS)
    for name, (_, help_text) in COMMANDS.items():
        lines.append(f"  {name.ljust(width)}  {help_text}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Dispatch `argv[0]` to its module's `main(argv)`; returns the process exit code.

    A `UserError` (bad config key, missing table, wrong path, no Java) prints one line and
    returns 2; other exceptions are bugs and keep their traceback.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"flywheel: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[name][0])
    try:
        return int(module.main(rest) or 0)
    except UserError as exc:
        print(f"flywheel {name}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
