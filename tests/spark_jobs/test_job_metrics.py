"""Job summaries -> catalog samples (no JVM: the summaries are written out by hand)."""
from conf import load_config
from spark_jobs.job_metrics import (SAMPLERS, annotate_samples, dedup_samples, ingest_samples, mix_samples,
                                   tokenize_docs_samples)


def values(samples) -> dict:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for s in samples}


def test_ingest_samples_quarantine_per_reason_and_duplicates_not_counted_out():
    summary = {"tasks": 1, "docs_read": 10, "records_read": 12, "text_bytes": 2700, "docs_added": 9,
               "quarantine_added": 3, "seconds": 4.0,
               "quarantined": {"duplicate_doc_id": 1, "malformed_json": 1, "invalid_utf8": 1}}
    v = values(ingest_samples(summary, load_config()))
    all_ = (("category", ""), ("lang", ""), ("stage", "ingest"))
    assert v[("flywheel_docs_in_total", all_)] == 12
    assert v[("flywheel_docs_out_total", all_)] == 9
    assert v[("flywheel_tokens_in_total", all_)] == 1000  # 2,700 bytes / 2.7 bytes per token
    assert v[("flywheel_docs_quarantined_total", (("reason", "malformed_json"), ("stage", "ingest")))] == 1
    assert v[("flywheel_rows_written_total", (("stage", "ingest"), ("table", "raw_docs")))] == 9


def test_annotate_samples_reason_rows_become_drops_io_rows_in_out():
    rows = [dict(category="news", lang="de", reason=None, docs_in=5, docs_out=3, bytes_in=50, bytes_out=30,
                 tokens_est_in=18, tokens_est_out=11, docs_dropped=2),
            dict(category="news", lang="de", reason="gopher_few_words", docs_in=5, docs_out=3, bytes_in=50,
                 bytes_out=30, tokens_est_in=18, tokens_est_out=11, docs_dropped=2)]
    v = values(annotate_samples({"rows": rows, "warnings": [], "seconds": 1.5}, load_config()))
    labels = (("category", "news"), ("lang", "de"), ("stage", "annotate"))
    assert v[("flywheel_docs_in_total", labels)] == 5 and v[("flywheel_tokens_out_total", labels)] == 11
    assert v[("flywheel_docs_dropped_total", (("category", "news"), ("lang", "de"), ("reason", "gopher_few_words"),
                                              ("stage", "annotate")))] == 2
    assert ("flywheel_docs_in_total", labels + (("reason", "gopher_few_words"),)) not in v
    assert v[("flywheel_rows_written_total", (("stage", "annotate"), ("table", "stage_stats")))] == 2


def test_dedup_samples_per_category_language_clusters_removed_per_method_and_thresholds_from_config():
    cfg = load_config(overrides=["dedup.threshold=0.75", "dedup.category_thresholds={news: 0.9}"])
    groups_in = [{"category": "news", "lang": "en", "docs": 60, "bytes": 5400, "tokens": None},
                 {"category": "web", "lang": "zh", "docs": 40, "bytes": 2700, "tokens": None}]
    groups_out = [{"category": "news", "lang": "en", "docs": 52, "bytes": 2700, "tokens": None},
                  {"category": "web", "lang": "zh", "docs": 38, "bytes": 2000, "tokens": None}]
    summary = {"curated_docs": 90, "removed": {"exact": 6, "minhash": 4}, "boilerplate_removed": 0, "seconds": 2.0,
               "groups_in": groups_in, "groups_out": groups_out,
               "clusters": {"clusters": 7, "docs": 17, "largest": 5}}
    v = values(dedup_samples(summary, cfg))
    news_en = (("category", "news"), ("lang", "en"), ("stage", "dedup"))
    assert v[("flywheel_docs_in_total", news_en)] == 60 and v[("flywheel_docs_out_total", news_en)] == 52
    assert v[("flywheel_tokens_in_total", news_en)] == 2000  # 5,400 bytes / 2.7 bytes per token
    assert v[("flywheel_bytes_out_total", (("category", "web"), ("lang", "zh"), ("stage", "dedup")))] == 2000
    assert ("flywheel_docs_in_total", (("category", ""), ("lang", ""), ("stage", "dedup"))) not in v
    assert v[("flywheel_dedup_clusters", ())] == 7 and v[("flywheel_dedup_largest_cluster_docs", ())] == 5
    assert v[("flywheel_duplicates_total", (("method", "minhash"), ("stage", "dedup")))] == 4
    assert v[("flywheel_dedup_threshold_ratio", (("category", ""),))] == 0.75
    assert v[("flywheel_dedup_threshold_ratio", (("category", "news"),))] == 0.9


def test_tokenize_docs_samples_count_tokens_per_category_and_language():
    groups = [{"category": "code", "lang": "en", "docs": 3, "bytes": 900, "tokens": 250}]
    stats = {"version": "bpe-x", "seconds": 1.0, "docs": 3, "bytes": 900, "tokens": 250, "groups": groups}
    v = values(tokenize_docs_samples(stats, load_config()))
    labels = (("category", "code"), ("lang", "en"), ("stage", "tokenize_docs"))
    assert v[("flywheel_tokens_out_total", labels)] == 250  # counted, not 900 / 2.7
    assert v[("flywheel_docs_in_total", labels)] == 3 and v[("flywheel_bytes_out_total", labels)] == 900


def test_mix_samples_shares_per_chunk_and_group_and_blocks_written():
    group = {"target_share": 0.4, "achieved_share": 0.38, "shortfall_tokens": 26, "occurrences": 7, "upsampled": 1,
             "reused": 2}
    summaries = [{"chunk_id": k, "seconds": 1.0, "tokens": 1280, "groups": {"zh": group}, "top_reused": []}
                 for k in (0, 1)]
    cfg = load_config(overrides=["mix.seq_len=63"])
    v = values(mix_samples(summaries, cfg))
    assert v[("flywheel_mix_achieved_share", (("chunk", "1"), ("group", "zh")))] == 0.38
    assert v[("flywheel_rows_written_total", (("stage", "mix"), ("table", "blocks")))] == 40  # 2 x 1,280 / 64
    assert v[("flywheel_stage_duration_seconds", (("stage", "mix"),))] == 2.0


def test_samplers_cover_every_job_that_writes_tables():
    assert set(SAMPLERS) == {"ingest", "annotate", "dedup", "tokenize_docs", "train_tokenizer", "mix"}
