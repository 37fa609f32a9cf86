"""Evaluation of chunk checkpoints: held-out perplexity and bits per byte, probes, re-posed benchmarks.

`flywheel eval --checkpoint <run>/chunk-<k>` (trainer/eval/cli.py) and the CPU trainer's
`eval.every_chunk` hook both call `trainer.eval.run.evaluate`; results go to `eval_results`.
"""
