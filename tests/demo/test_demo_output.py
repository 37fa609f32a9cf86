"""What a person sees when the demo runs: the stage summaries and the table list, no JVM chatter."""
import re

from spark_jobs.demo import STAGES

# Lines that Ivy, log4j/Spark, the JVM and torchrun print when their output reaches the terminal.
CHATTER = [re.compile(p) for p in (
    r"^\d\d/\d\d/\d\d \d\d:\d\d:\d\d (INFO|WARN|ERROR)",   # log4j's console pattern
    r":: loading settings ::", r"Ivy Default Cache", r"resolving dependencies ::", r"confs: \[default\]",
    r"^\s*found io\.delta", r"SLF4J", r"Setting default log level", r"NativeCodeLoader",
    r"\[Stage \d+", r"WARNING: Using incubator modules", r"^[WIE]\d{4} \d\d:\d\d:\d\d",  # torch's glog lines
    r"Traceback \(most recent call last\)", r"UserWarning", r"FutureWarning",
)]


def chatter(text: str) -> list[str]:
    return [line for line in text.splitlines() if any(p.search(line) for p in CHATTER)]


def test_demo_terminal_has_no_ivy_spark_or_torch_log_lines(demo_run):
    assert chatter(demo_run.stdout) == []
    assert chatter(demo_run.stderr) == []
    # stderr carries only the trainer's loader notes (Python logging's stream).
    assert all(line.startswith("loader: ") for line in demo_run.stderr.splitlines()), demo_run.stderr[-2000:]


def test_demo_prints_every_stage_summary_and_the_table_list(demo_run):
    lines = demo_run.stdout.splitlines()
    headers = [line[3:] for line in lines if line.startswith("== ")]
    assert headers == [name for name, _ in STAGES]
    for summary in ("ingest:", "train_quality:", "annotate:", "dedup:", "train_tokenizer:", "tokenize_docs:",
                    "mix: chunk 0", "train:"):
        assert any(line.startswith(summary) for line in lines), summary
    listed = lines[lines.index("tables written:") + 1:]
    names = {line.split()[0] for line in listed if line.startswith("  ")}
    assert {"raw_docs", "quarantine", "annotated_docs", "curated_docs", "blocks", "chunks"} <= names
    assert lines[-1].startswith("demo finished in ")


def test_demo_stage_lines_are_few(demo_run):
    # Summaries, not logs: a few lines per stage (annotate's tables are the longest).
    assert len(demo_run.stdout.splitlines()) < 200
