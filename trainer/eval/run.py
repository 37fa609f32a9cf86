"""Evaluate one checkpoint: the chosen suites, their rows into `eval_results`, the eval gauges.

    rows = evaluate(cfg, "runs/demo/chunk-1", suites=["heldout", "probes", "mc"], device="cpu")

Suites: `heldout` (trainer/eval/heldout.py), `probes` (trainer/eval/probes.py), `mc`
(trainer/eval/mc.py). Inputs are checked before the model is loaded, so a bad probe file or
benchmark fails in a second, not after minutes of scoring.
"""
from __future__ import annotations

from conf import ConfigError
from conf.schema import PipelineConfig
from trainer.eval import heldout, mc, probes
from trainer.eval.checkpoint import EvalCheckpoint, load_model, resolve
from trainer.eval.results import write_results
from trainer.eval.scoring import greedy
from trainer.eval.tokenizer import load_tokenizer
from trainer.vocab import chunks_tokenizer_version

SUITES = ("heldout", "probes", "mc")


def check_suites(suites: list[str], key: str) -> list[str]:
    """`suites` if all known; a ConfigError naming `key` otherwise."""
    unknown = [s for s in suites if s not in SUITES]
    if unknown:
        raise ConfigError(f"{key}: unknown suite {unknown[0]!r}; known: {', '.join(SUITES)}")
    return list(suites)


def check_config(cfg: PipelineConfig) -> None:
    """Range checks of `eval` (the loader checks types only)."""
    e = cfg.eval
    if e.few_shot < 0:
        raise ConfigError(f"eval.few_shot must be >= 0, got {e.few_shot}")
    if e.max_new_tokens < 1:
        raise ConfigError(f"eval.max_new_tokens must be >= 1, got {e.max_new_tokens}")
    if e.max_docs_per_category is not None and e.max_docs_per_category < 1:
        raise ConfigError(f"eval.max_docs_per_category must be >= 1 or null, got {e.max_docs_per_category}")
    for v in e.variants:
        if v not in mc.VARIANTS:
            raise ConfigError(f"eval.variants: unknown variant {v!r}; known: {', '.join(mc.VARIANTS)}")
    check_suites(e.every_chunk, "eval.every_chunk")


def mc_rows(model, tok, cfg: PipelineConfig, benchmarks, device: str) -> list[dict]:
    """Accuracy per (benchmark, variant, lang) and per (benchmark, variant)."""
    seq_len, rows = cfg.mix.seq_len, []
    for name, questions in benchmarks:
        for variant in cfg.eval.variants:
            posed = mc.prompts(questions, variant, cfg.eval.few_shot)
            if not posed:
                continue
            by_lang: dict[str, list[bool]] = {}
            for p, prompt in posed:
                budget = seq_len - cfg.eval.max_new_tokens  # the prompt keeps its end: the question
                ids = tok.encode(prompt)[-max(budget, 1):]
                out = greedy(model, ids, max_new_tokens=cfg.eval.max_new_tokens, seq_len=seq_len, device=device,
                             stop_ids={tok.eos_id}, stop_text=lambda t: "\n" in t, decode=tok.decode)
                by_lang.setdefault(p.lang, []).append(mc.is_correct(out, p.expected))
            for task, marks in [(f"{name}/{lang}", m) for lang, m in sorted(by_lang.items())] + \
                    [(name, [x for m in by_lang.values() for x in m])]:
                rows.append({"task": task, "variant": variant, "metric": "accuracy",
                             "value": sum(marks) / len(marks), "n": len(marks)})
    return rows


def evaluate(cfg: PipelineConfig, checkpoint, suites: list[str], device: str = "cpu", live=None) -> list[dict]:
    """Run `suites` on `checkpoint` (path or EvalCheckpoint), append the rows; returns them.

    `live` is the trainer's TrainerMetrics (or None): the eval gauges are set on it.
    """
    check_config(cfg)
    suites = check_suites(suites, "--suites")
    ckpt = checkpoint if isinstance(checkpoint, EvalCheckpoint) else resolve(checkpoint)
    sets = probes.load_probe_sets(cfg.eval.probes_dir) if "probes" in suites else []
    benchmarks = [mc.load_benchmark(p) for p in cfg.eval.benchmarks] if "mc" in suites else []
    docs = heldout.heldout_docs(cfg) if "heldout" in suites else []
    version = chunks_tokenizer_version(cfg)
    tok = load_tokenizer(cfg, version)
    model = load_model(cfg, ckpt, version, device)
    rows = []
    if "heldout" in suites:
        rows += [{"suite": "heldout", **r} for r in heldout.score(model, tok, docs, cfg.mix.seq_len, device)]
    if "probes" in suites:
        rows += [{"suite": "probes", **r} for r in probes.score(model, tok, sets, cfg.mix.seq_len, device)]
    if "mc" in suites:
        rows += [{"suite": "mc", **r} for r in mc_rows(model, tok, cfg, benchmarks, device)]
    if rows:
        run_id = ckpt.meta.get("run_id") or ckpt.run_dir.name
        write_results(cfg, rows, run_id=run_id, chunk_id=ckpt.meta.get("chunk_id"), step=ckpt.meta.get("step"),
                      checkpoint=ckpt.name)
    if live is not None:
        set_gauges(live, rows, ckpt.meta.get("chunk_id"))
    return rows


def set_gauges(live, rows: list[dict], chunk_id: int | None) -> None:
    """The eval metrics of monitoring/metrics.py (EVAL_METRICS) from this evaluation's rows."""
    for r in rows:
        if r["suite"] == "heldout" and "/" not in r["task"]:
            name = {"perplexity": "flywheel_eval_perplexity", "bits_per_byte": "flywheel_eval_bits_per_byte"}
            live.set(name[r["metric"]], r["value"], category=r["task"])
        elif r["suite"] == "probes" and "/" not in r["task"]:
            live.set("flywheel_eval_probe_score", r["value"], probe=r["task"])
    if chunk_id is not None:
        live.set("flywheel_eval_checkpoint_chunk_id", chunk_id)


def print_rows(rows: list[dict]) -> None:
    """One line per set-level row (per category, probe set, benchmark x variant)."""
    for r in rows:
        if r["suite"] == "probes" and "/" in r["task"]:
            continue
        variant = f" [{r['variant']}]" if r.get("variant") else ""
        print(f"  {r['suite']:<8} {r['task'] + variant:<40} {r['metric']:<14} {r['value']:>10.4f}  (n={r['n']})")
