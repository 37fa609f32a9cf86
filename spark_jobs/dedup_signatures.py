"""Dedup, steps 1-2: the signature pass and the edges between duplicate documents.

Signature pass: ONE `mapInArrow` pass over Arrow batches of the texts (udfs/minhash.py) gives
each document its normalised-text hash, normalised URL, MinHash signature and LSH band hashes
(vectorised numpy over whole batches, no per-word Python), plus the small columns later steps
need, so nothing joins back to the documents.

Edges (u, v, method, similarity): exact (same text hash) and URL (same normalised URL) groups
become stars around their smallest doc_id; LSH buckets of exact-unique documents give candidate
pairs (every pair for buckets up to `dedup.max_bucket_all_pairs`, a star above), verified by
exact shingle Jaccard or by the signature estimate against the pair's (per-category) threshold.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np
import pyarrow as pa
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from conf.schema import DedupConfig
from spark_jobs.lineage import cut
from udfs.lsh import band_hashes, optimal_bands
from udfs.minhash import shingle_sets, signatures
from udfs.normalize import normalize_urls, text_hashes

# Columns the signature pass computes; it also passes through the small columns the later
# steps need (category, keep-order columns, sizes) so no join back to the documents is needed.
COMPUTED_FIELDS = [
    ("text_hash", pa.string(), "string"), ("url_norm", pa.string(), "string"), ("n_shingles", pa.int32(), "int"),
    ("signature", pa.list_(pa.int32()), "array<int>"), ("bands", pa.list_(pa.int64()), "array<bigint>"),
]
SHINGLES_DDL = "doc_id string, shingles array<int>"
EDGES_DDL = "u string, v string, method string, similarity double"


def lsh_params(cfg: DedupConfig, extra_thresholds: list[float] = ()) -> tuple[int, int]:
    """(bands, rows): explicit in the config, or datasketch's optimum at the lowest threshold in use."""
    if (cfg.bands is None) != (cfg.rows is None):
        raise ValueError("dedup.bands and dedup.rows must be set together (or both null)")
    if cfg.bands is not None:
        if cfg.bands * cfg.rows > cfg.num_perm:
            raise ValueError(f"dedup.bands * dedup.rows = {cfg.bands * cfg.rows} exceeds dedup.num_perm = {cfg.num_perm}")
        return cfg.bands, cfg.rows
    lowest = min([cfg.threshold, *cfg.category_thresholds.values(), *extra_thresholds])
    return optimal_bands(lowest, cfg.num_perm, cfg.false_positive_weight, cfg.false_negative_weight)


def _list_array(matrix: np.ndarray, pa_type: pa.DataType) -> pa.ListArray:
    rows, width = matrix.shape
    offsets = pa.array(np.arange(0, rows * width + 1, width, dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, pa.array(matrix.reshape(-1), type=pa_type))


def passthrough_columns(cfg: DedupConfig) -> list[str]:
    """Small document columns carried through the signature pass (never the text)."""
    wanted = ["doc_id", "category", "text_bytes", "n_words"] + [item.split()[0] for item in cfg.keep_order]
    return list(dict.fromkeys(wanted))


def signature_batches(batches: Iterator[pa.RecordBatch], cfg: DedupConfig, bands: int, rows: int,
                      passthrough: list[str]) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: documents -> pass-through columns + COMPUTED_FIELDS, one pass per batch."""
    for batch in batches:
        texts = batch.column("text")
        sig, n_shingles = signatures(texts, cfg.num_perm, cfg.seed, cfg.ngram, _langs(batch), cfg.char_ngrams)
        nulls = pa.nulls(len(batch), pa.string())
        computed = [
            pa.array(text_hashes(texts), pa.string()) if cfg.exact else nulls,
            pa.array(normalize_urls(batch.column("url").to_pylist()), pa.string()) if cfg.url else nulls,
            pa.array(n_shingles.astype(np.int32)),
            _list_array(sig.view(np.int32), pa.int32()),  # Spark has no uint32: same bits as int32
            _list_array(band_hashes(sig, bands, rows), pa.int64()),
        ]
        names = passthrough + [name for name, _, _ in COMPUTED_FIELDS]
        yield pa.RecordBatch.from_arrays([batch.column(c) for c in passthrough] + computed, names=names)


def _langs(batch: pa.RecordBatch) -> list[str | None] | None:
    """The batch's `lang` column (char-shingled languages need it), None when it has none."""
    return batch.column("lang").to_pylist() if "lang" in batch.schema.names else None


def shingle_batches(batches: Iterator[pa.RecordBatch], ngram: int,
                    char_ngrams: dict[str, int] | None = None) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: (doc_id, text[, lang]) -> (doc_id, sorted unique shingle hashes) for exact Jaccard."""
    for batch in batches:
        sets = shingle_sets(batch.column("text"), ngram, _langs(batch), char_ngrams)
        offsets = np.zeros(len(sets) + 1, dtype=np.int32)
        np.cumsum([len(s) for s in sets], out=offsets[1:])
        values = np.concatenate(sets).view(np.int32) if sets else np.zeros(0, np.int32)
        yield pa.RecordBatch.from_arrays(
            [batch.column("doc_id"), pa.ListArray.from_arrays(pa.array(offsets), pa.array(values))],
            names=["doc_id", "shingles"])


def compute_signatures(docs: DataFrame, cfg: DedupConfig, bands: int, rows: int) -> DataFrame:
    """The one Python pass over the texts: pass-through columns + text hash, URL, signature, bands."""
    passthrough = passthrough_columns(cfg)
    types = {f.name: f.dataType.simpleString() for f in docs.schema.fields}
    missing = [c for c in passthrough if c not in types]
    if missing:
        raise ValueError(f"dedup.keep_order names columns that annotated_docs lacks: {missing}")
    ddl = ", ".join([f"{c} {types[c]}" for c in passthrough] + [f"{n} {t}" for n, _, t in COMPUTED_FIELDS])
    extra = [c for c in ("url", "lang") if c not in passthrough and (c == "url" or cfg.char_ngrams)]
    source = docs.select(*passthrough, *extra, F.col("text_masked").alias("text"))
    return source.mapInArrow(lambda it: signature_batches(it, cfg, bands, rows, passthrough), ddl)


def group_edges(sig: DataFrame, key: str, method: str) -> DataFrame:
    """Star edges (u, v, method, similarity) from the smallest doc_id sharing `key` to the others."""
    w = Window.partitionBy(key)
    similarity = F.lit(1.0) if method == "exact" else F.lit(None)
    return (sig.where(F.col(key).isNotNull()).select("doc_id", key)
            .withColumn("root", F.min("doc_id").over(w)).where(F.col("doc_id") != F.col("root"))
            .select(F.col("root").alias("u"), F.col("doc_id").alias("v"), F.lit(method).alias("method"),
                    similarity.cast("double").alias("similarity")))


def fixed_edges(sig: DataFrame, cfg: DedupConfig) -> list[DataFrame]:
    """The edges that need no threshold: exact (dedup.exact) and URL (dedup.url) groups."""
    return ([group_edges(sig, "text_hash", "exact")] if cfg.exact else []) + \
           ([group_edges(sig, "url_norm", "url")] if cfg.url else [])


def exact_unique(sig: DataFrame, cfg: DedupConfig) -> DataFrame:
    """One member (smallest doc_id) per exact group, plus every document without a text hash.

    LSH needs only one member of an exact group: the exact edges join the others to it, and
    a group of k copies would otherwise add k * (k - 1) / 2 candidate pairs per band.
    """
    if not cfg.exact:
        return sig
    first = Window.partitionBy("text_hash").orderBy("doc_id")
    return sig.withColumn("_n", F.row_number().over(first)).where("_n = 1 OR text_hash IS NULL").drop("_n")


def candidate_pairs(sig: DataFrame, max_all_pairs: int) -> DataFrame:
    """(u, v), u < v, for documents sharing an LSH bucket (documents with shingles only)."""
    buckets = (sig.where(F.col("n_shingles") > 0)
               .select("doc_id", F.posexplode("bands").alias("band", "hash"))
               .groupBy("band", "hash").agg(F.array_sort(F.collect_list("doc_id")).alias("m"))
               .where(F.size("m") > 1))
    all_pairs = F.expr(
        "flatten(transform(sequence(1, size(m) - 1), i -> "
        "transform(slice(m, i + 1, size(m) - i), x -> named_struct('u', m[i - 1], 'v', x))))")
    star = F.expr("transform(slice(m, 2, size(m) - 1), x -> named_struct('u', m[0], 'v', x))")
    pairs = buckets.select(F.explode(F.when(F.size("m") <= max_all_pairs, all_pairs).otherwise(star)).alias("p"))
    return pairs.select("p.u", "p.v").distinct()


def threshold_of(cfg: DedupConfig, category: Column) -> Column:
    """The Jaccard threshold of a document's category (dedup.category_thresholds, else dedup.threshold)."""
    if not cfg.category_thresholds:
        return F.lit(cfg.threshold)
    mapping = F.create_map(*[x for k, v in sorted(cfg.category_thresholds.items()) for x in (F.lit(k), F.lit(v))])
    return F.coalesce(F.element_at(mapping, category), F.lit(cfg.threshold))


def signature_similarity(a: str, b: str, num_perm: int) -> Column:
    """Share of equal MinHash values of two signature columns (Spark SQL built-ins, no Python)."""
    return F.expr(f"aggregate(zip_with({a}, {b}, (x, y) -> if(x = y, 1, 0)), 0, (s, e) -> s + e)") / F.lit(num_perm)


def score_pairs(pairs: DataFrame, sig: DataFrame, docs: DataFrame | None, cfg: DedupConfig) -> DataFrame:
    """Candidate pairs with `threshold` (the stricter category's) and `similarity` (per dedup.verify).

    Signatures (512 bytes a document) travel through the joins only when the estimate is the
    verdict; exact verification joins small category rows, then the shingle sets of candidates
    (computed from `docs`, which only `verify = exact` reads).
    """
    carry = ["signature"] if cfg.verify != "exact" else []
    left = sig.select(F.col("doc_id").alias("u"), F.col("category").alias("cu"), *[F.col(c).alias(c + "_u") for c in carry])
    right = sig.select(F.col("doc_id").alias("v"), F.col("category").alias("cv"), *[F.col(c).alias(c + "_v") for c in carry])
    scored = (pairs.join(left, "u").join(right, "v")
              .withColumn("threshold", F.greatest(threshold_of(cfg, F.col("cu")), threshold_of(cfg, F.col("cv")))))
    if cfg.verify != "exact":
        return scored.select("u", "v", "threshold",
                             signature_similarity("signature_u", "signature_v", cfg.num_perm).alias("similarity"))
    # Exact Jaccard needs the shingle sets, recomputed only for documents in some candidate pair.
    # Broadcast the candidate ids (~40 bytes each) so the texts are filtered where they lie
    # instead of being shuffled for a join.
    ids = pairs.select(F.explode(F.array("u", "v")).alias("doc_id")).distinct()
    texts = docs.join(F.broadcast(ids), "doc_id").select("doc_id", F.col("text_masked").alias("text"),
                                                         *(["lang"] if cfg.char_ngrams else []))
    sh = cut(texts.mapInArrow(lambda it: shingle_batches(it, cfg.ngram, cfg.char_ngrams), SHINGLES_DDL),
             cfg.checkpoint_dir)  # read twice
    inter = F.size(F.array_intersect("hu", "hv"))
    return (scored.join(sh.select(F.col("doc_id").alias("u"), F.col("shingles").alias("hu")), "u")
            .join(sh.select(F.col("doc_id").alias("v"), F.col("shingles").alias("hv")), "v")
            .select("u", "v", "threshold", (inter / (F.size("hu") + F.size("hv") - inter)).alias("similarity")))


def fuzzy_edges(sig: DataFrame, docs: DataFrame, cfg: DedupConfig) -> DataFrame:
    """Verified near-duplicate edges (u, v, method, similarity) among exact-unique documents."""
    pairs = cut(candidate_pairs(exact_unique(sig, cfg), cfg.max_bucket_all_pairs), cfg.checkpoint_dir)  # read twice
    scored = score_pairs(pairs, sig, docs, cfg)
    if cfg.verify is not None:
        scored = scored.where(F.col("similarity") >= F.col("threshold"))
    return scored.select("u", "v", F.lit("minhash").alias("method"), F.col("similarity").cast("double"))
