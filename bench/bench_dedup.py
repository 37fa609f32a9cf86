"""Fuzzy dedup: flywheel (Spark local[2]) vs datasketch, rensa and datatrove on one corpus, one run.

    PYTHONPATH=. .venv/bin/python bench/bench_dedup.py --mb 100 --out bench_out/dedup
    PYTHONPATH=. .venv/bin/python bench/bench_dedup.py --mb 100 --scale 100,1000,5000 --only flywheel

The corpus comes from bench/dedup_corpus.py (families of an original + near-duplicates with a
known edit rate, exact copies, URL mirrors). Every tool gets the same texts and threshold 0.7
over word 5-gram shingles with 128 permutations, its own default banding (datasketch 14x9,
rensa 16x8, datatrove 14x8). Each tool's output becomes clusters, then:
  recall    = true pairs (exact Jaccard >= 0.7, found inside families) that end in one cluster;
  precision = removed documents that have exact Jaccard >= 0.7 with some document of their
              cluster (URL-only removals are left out: peers do no URL dedup).
MB/s = UTF-8 text bytes / wall time of the tool end to end (flywheel: read Parquet -> dedup ->
write both Delta tables, Spark session start excluded and reported apart). Peak memory is the
peak RSS of the process tree (bench/peak_rss.py), JVM included for flywheel.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.dedup_corpus import make_corpus, shingle_set, vocabulary  # noqa: E402

THRESHOLD = 0.7
NUM_PERM = 128


def _tree_cpu_ticks(root: int, seen: dict[int, int]) -> None:
    """Record utime + stime (clock ticks) of `root` and its live descendants into `seen` (max per pid)."""
    from bench.peak_rss import _children

    tree, todo = _children(), [root]
    while todo:
        pid = todo.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            seen[pid] = max(seen.get(pid, 0), int(fields[11]) + int(fields[12]))
        except (OSError, IndexError, ValueError):
            pass
        todo.extend(tree.get(pid, []))


def run_with_peak_rss(cmd: list[str], interval: float = 0.5) -> tuple[str, int, float]:
    """Run `cmd`; its stdout, the peak RSS (bytes) of its process tree and the tree's CPU seconds.

    CPU is sampled from /proc like RSS (the JVM and Python workers are never reaped by the
    process we wait on, so getrusage would miss them); processes living < `interval` are missed.
    """
    import threading

    from bench.peak_rss import tree_rss_kb

    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    peak, ticks = [0], {}
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_kb(proc.pid))
            _tree_cpu_ticks(proc.pid, ticks)
            done.wait(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, _ = proc.communicate()
    done.set()
    thread.join()
    if proc.returncode:
        raise RuntimeError(f"{cmd[:2]} failed with {proc.returncode}: {out[-2000:]}")
    return out, peak[0] * 1024, sum(ticks.values()) / os.sysconf("SC_CLK_TCK")


def build_corpus(mb: float, seed: int = 0) -> list[dict]:
    """Families until the texts reach `mb` MB (10 % exact copies, 5 % URL mirrors, edits up to 10 %)."""
    vocab = vocabulary()
    rows, part = [], 0
    while sum(r["text_bytes"] for r in rows) < mb * 1e6:
        rows += make_corpus(n_families=500, seed=seed * 1000 + part, max_variants=2, max_edit=0.10,
                            median_words=350, vocab=vocab)
        part += 1
    return rows


def truth(rows: list[dict]) -> set[tuple[str, str]]:
    """Pairs inside a family with exact Jaccard >= THRESHOLD (families share ~no shingle)."""
    fams: dict[int, list[dict]] = {}
    for r in rows:
        fams.setdefault((r["doc_id"].rsplit("-", 2)[0], r["family"]), []).append(r)
    pairs = set()
    for members in fams.values():
        if len(members) < 2:
            continue
        sets = {m["doc_id"]: {hash(s) for s in shingle_set(m["text_masked"])} for m in members}
        ids = sorted(sets)
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                inter = len(sets[a] & sets[b])
                if inter / (len(sets[a]) + len(sets[b]) - inter or 1) >= THRESHOLD:
                    pairs.add((a, b))
    return pairs


def quality(rows, clusters: dict[str, str], removed: set[str], true: set) -> dict:
    """recall / precision as defined in the module docstring, from cluster ids and removed ids."""
    found = sum(1 for a, b in true if a in clusters and clusters.get(a) == clusters.get(b))
    text = {r["doc_id"]: r["text_masked"] for r in rows}
    members: dict[str, list[str]] = {}
    for d, c in clusters.items():
        members.setdefault(c, []).append(d)
    cache: dict[str, set] = {}

    def sset(d):
        if d not in cache:
            cache[d] = {hash(s) for s in shingle_set(text[d])}
        return cache[d]

    justified = 0
    for d in removed:
        a = sset(d)
        for o in members.get(clusters.get(d), []):
            if o != d:
                b = sset(o)
                inter = len(a & b)
                if inter / (len(a) + len(b) - inter or 1) >= THRESHOLD:
                    justified += 1
                    break
    return {"recall": found / max(len(true), 1), "precision": justified / max(len(removed), 1),
            "removed": len(removed), "true_pairs": len(true)}


def union_find(pairs, ids) -> dict[str, str]:
    """Cluster id (smallest member) of every id that is in some pair."""
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


def removed_from(clusters: dict[str, str]) -> set[str]:
    """Everyone but the cluster id (smallest doc id) of each cluster: peers' keep policy."""
    return {d for d, c in clusters.items() if d != c}


_WORD = re.compile(r"\w+")


def _shingle_strings(text: str, n: int = 5) -> list[str]:
    """Peers' shingles the way their docs do it: regex words, joined 5-grams (fast C regex, no
    per-character Python)."""
    words = _WORD.findall(text.lower())
    if len(words) < n:
        return [" ".join(words)] if words else []
    return [" ".join(words[i:i + n]) for i in range(len(words) - n + 1)]


def run_datasketch(rows) -> tuple[dict, set]:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    pairs = []
    for r in rows:
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch([s.encode("utf-8") for s in _shingle_strings(r["text_masked"])])
        pairs += [(o, r["doc_id"]) for o in lsh.query(m)]
        lsh.insert(r["doc_id"], m)
    clusters = union_find(pairs, None)
    return clusters, removed_from(clusters)


def run_rensa(rows) -> tuple[dict, set]:
    from rensa import RMinHash, RMinHashLSH

    lsh = RMinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, num_bands=16)  # must divide num_perm: 16 x 8
    pairs = []
    for i, r in enumerate(rows):
        m = RMinHash(num_perm=NUM_PERM, seed=42)
        m.update(_shingle_strings(r["text_masked"]))
        pairs += [(rows[o]["doc_id"], r["doc_id"]) for o in lsh.query(m)]
        lsh.insert(i, m)
    clusters = union_find(pairs, None)
    return clusters, removed_from(clusters)


def run_datatrove(rows, work: Path) -> tuple[dict, set]:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (MinhashConfig, MinhashDedupBuckets, MinhashDedupCluster,
                                                  MinhashDedupFilter, MinhashDedupSignature)
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    src = work / "dt_in"
    src.mkdir(parents=True, exist_ok=True)
    for k in range(2):
        with open(src / f"part{k}.jsonl", "w", encoding="utf-8") as fh:
            for r in rows[k::2]:
                fh.write(json.dumps({"id": r["doc_id"], "text": r["text_masked"]}) + "\n")
    from datatrove.utils.hashing import HashConfig

    # Workaround: datatrove 0.10.1 hands str to xxhash, which xxhash 4.x refuses
    # ("Strings must be encoded before hashing"); its sha1 path encodes first.
    cfg = MinhashConfig(hash_config=HashConfig(hash_fc="sha1", precision=64))
    logs = str(work / "dt_logs")
    common = dict(logging_dir=logs, workers=2)
    LocalPipelineExecutor(pipeline=[JsonlReader(str(src)), MinhashDedupSignature(output_folder=str(work / "sigs"), config=cfg)],
                          tasks=2, **{**common, "logging_dir": logs + "/1"}).run()
    LocalPipelineExecutor(pipeline=[MinhashDedupBuckets(input_folder=str(work / "sigs"), output_folder=str(work / "buckets"), config=cfg)],
                          tasks=cfg.num_buckets, **{**common, "logging_dir": logs + "/2"}).run()
    LocalPipelineExecutor(pipeline=[MinhashDedupCluster(input_folder=str(work / "buckets"), output_folder=str(work / "remove"),
                                                        config=cfg, save_cluster_id=True)],
                          tasks=1, workers=1, logging_dir=logs + "/3").run()
    LocalPipelineExecutor(pipeline=[JsonlReader(str(src)),
                                    MinhashDedupFilter(input_folder=str(work / "remove"), load_cluster_ids=True,
                                                       exclusion_writer=JsonlWriter(str(work / "removed"))),
                                    JsonlWriter(str(work / "kept"))],
                          tasks=2, **{**common, "logging_dir": logs + "/4"}).run()
    clusters, removed = {}, set()
    for folder in ("kept", "removed"):
        for f in (work / folder).glob("*.jsonl*"):
            import gzip

            opener = gzip.open if f.suffix == ".gz" else open
            with opener(f, "rt", encoding="utf-8") as fh:
                for line in fh:
                    doc = json.loads(line)
                    cid = doc.get("metadata", {}).get("minhash_cluster_id")
                    if cid is not None and cid != -1:
                        clusters[doc["id"]] = f"c{cid}"
                    if folder == "removed":
                        removed.add(doc["id"])
    return clusters, removed


def write_parquet(rows, path: Path, name: str | None = None) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = ["doc_id", "source", "url", "text_masked", "lang", "category", "quality_score", "n_words", "text_bytes", "kept"]
    path.mkdir(parents=True, exist_ok=True)
    step = 20_000
    for k in range(0, len(rows), step):
        part = rows[k:k + step]
        table = pa.table({c: [r[c] for r in part] for c in cols})
        table = table.cast(table.schema.set(table.schema.get_field_index("n_words"), pa.field("n_words", pa.int32()))
                           .set(table.schema.get_field_index("text_bytes"), pa.field("text_bytes", pa.int32())))
        pq.write_table(table, path / (name or f"part-{k // step:05d}.parquet"))


def write_scaled(mb: float, path: Path, seed: int = 7) -> tuple[float, int]:
    """Write a corpus of ~`mb` MB as Parquet parts, one part per 1,000 families (bounded memory)."""
    vocab = vocabulary()
    written, n_docs, part = 0, 0, 0
    while written < mb * 1e6:
        rows = make_corpus(n_families=1000, seed=seed * 100_000 + part, max_variants=2, max_edit=0.10,
                           median_words=350, vocab=vocab, id_prefix=f"p{part}-")
        write_parquet(rows, path, name=f"part-{part:05d}.parquet")
        written += sum(r["text_bytes"] for r in rows)
        n_docs += len(rows)
        part += 1
    return written / 1e6, n_docs


def run_flywheel(parquet: Path, warehouse: Path, partitions: int) -> dict:
    """In a child process (so its peak RSS is its own): session, read, transform, write."""
    code = f"""
import json, time, sys
sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
t0 = time.time()
from conf import load_config
from spark_jobs.session import get_spark
from spark_jobs import dedup
from tables.merge import overwrite_partitions
cfg = load_config(overrides=["spark.master=local[2]", "spark.shuffle_partitions={partitions}", "spark.driver_memory=6g",
                             "spark.warehouse={warehouse}", "dedup.checkpoint_dir={warehouse}/_cc",
                             "dedup.category_thresholds={{}}"])  # one threshold for all tools
spark = get_spark(cfg, "bench-dedup")
t1 = time.time()
df = spark.read.parquet({str(parquet)!r})
res = dedup.transform(df, cfg)
overwrite_partitions(spark, cfg, "dedup_clusters", res.clusters)
overwrite_partitions(spark, cfg, "curated_docs", res.curated)
t2 = time.time()
cl = spark.read.format("delta").load("{warehouse}/dedup_clusters").select("doc_id", "cluster_id", "kept", "method").collect()
print("RESULT" + json.dumps({{"session_s": t1 - t0, "dedup_s": t2 - t1,
      "clusters": [[r.doc_id, r.cluster_id, r.kept, r.method] for r in cl]}}))
"""
    out, peak, cpu = run_with_peak_rss([sys.executable, "-c", code])
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    result = json.loads(line[len("RESULT"):])
    result["peak_rss_mb"] = peak / 1e6
    result["cpu_s"] = cpu  # includes JVM start and session set-up
    return result


def _child_peak(fn_name: str, rows_path: Path) -> tuple[float, dict, set, float, float]:
    """Run a peer in a child process so each has its own peak RSS; returns (seconds, clusters, removed, peak MB)."""
    code = f"""
import json, pickle, sys, time
sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
from pathlib import Path
from bench import bench_dedup as B
rows = pickle.load(open({str(rows_path)!r}, "rb"))
t = time.time()
fn = getattr(B, {fn_name!r})
res = fn(rows, Path({str(rows_path.parent / fn_name)!r})) if {fn_name!r} == "run_datatrove" else fn(rows)
dt = time.time() - t
print("RESULT" + json.dumps({{"s": dt, "clusters": res[0], "removed": sorted(res[1])}}))
"""
    out, peak, cpu = run_with_peak_rss([sys.executable, "-c", code])
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    res = json.loads(line[len("RESULT"):])
    return res["s"], res["clusters"], set(res["removed"]), peak / 1e6, cpu


def bench_signatures(rows: list[dict], mb_limit: float = 10.0) -> dict:
    """Signature pass alone, one process, CPU seconds: vectorised udfs.minhash vs datasketch and rensa
    (same texts, 128 permutations, word 5-grams; peers shingle in Python as their docs show)."""
    import pyarrow as pa
    from datasketch import MinHash
    from rensa import RMinHash

    from udfs.minhash import signatures

    texts, size = [], 0
    for r in rows:
        if size >= mb_limit * 1e6:
            break
        texts.append(r["text_masked"])
        size += r["text_bytes"]
    mb = size / 1e6
    out = {}
    t = time.process_time()
    for k in range(0, len(texts), 2048):
        signatures(pa.array(texts[k:k + 2048]), NUM_PERM, 1, 5)
    out["flywheel udfs.minhash"] = mb / (time.process_time() - t)
    t = time.process_time()
    for text in texts:
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch([s.encode("utf-8") for s in _shingle_strings(text)])
    out["datasketch MinHash"] = mb / (time.process_time() - t)
    t = time.process_time()
    for text in texts:
        RMinHash(num_perm=NUM_PERM, seed=42).update(_shingle_strings(text))
    out["rensa RMinHash"] = mb / (time.process_time() - t)
    for name, v in out.items():
        print(f"signatures {name:>24}: {v:6.2f} MB/CPU-s ({mb:.1f} MB)", flush=True)
    return out


def _print(name: str, r: dict, mb: float) -> None:
    r["mb_s"] = mb / r["s"]
    r["mb_per_cpu_s"] = mb / r["cpu_s"]
    print(f"{name:>10}: {r['s']:7.1f} s  {r['mb_s']:6.2f} MB/s  {r['mb_per_cpu_s']:6.2f} MB/CPU-s  "
          f"peak {r['peak_mb']:7.0f} MB  "
          f"recall {r['recall']:.3f}  precision {r['precision']:.3f}  removed {r['removed']:,}", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=100.0, help="corpus size for the comparison")
    parser.add_argument("--only", default="flywheel,datasketch,rensa,datatrove")
    parser.add_argument("--scale", default="", help="comma-separated MB sizes for flywheel's growth run")
    parser.add_argument("--out", default="bench_out/dedup")
    parser.add_argument("--partitions", type=int, default=16, help="spark.shuffle_partitions")
    parser.add_argument("--signatures-mb", type=float, default=0.0,
                        help="also time the signature pass alone on this many MB (CPU seconds, one process)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    results = {}
    tools = args.only.split(",")
    if args.mb > 0:
        t = time.time()
        rows = build_corpus(args.mb)
        mb = sum(r["text_bytes"] for r in rows) / 1e6
        true = truth(rows)
        print(f"corpus: {len(rows):,} docs, {mb:.1f} MB, {len(true):,} true pairs ({time.time() - t:.0f}s to build)")
        import pickle

        rows_path = out / "rows.pkl"
        pickle.dump(rows, open(rows_path, "wb"))
        if "flywheel" in tools:
            write_parquet(rows, out / "parquet")
            r = run_flywheel(out / "parquet", out / "warehouse", args.partitions)
            clusters = {d: c for d, c, _, m in r["clusters"]}
            removed = {d for d, c, k, m in r["clusters"] if not k and m != "url"}
            results["flywheel"] = {"s": r["dedup_s"], "session_s": r["session_s"], "peak_mb": r["peak_rss_mb"],
                                   "cpu_s": r["cpu_s"],
                                   **quality(rows, clusters, removed, true)}
            _print("flywheel", results["flywheel"], mb)
        for name in ("datasketch", "rensa", "datatrove"):
            if name in tools:
                s, clusters, removed, peak, cpu = _child_peak(f"run_{name}", rows_path)
                results[name] = {"s": s, "peak_mb": peak, "cpu_s": cpu, **quality(rows, clusters, removed, true)}
                _print(name, results[name], mb)
    if args.signatures_mb:
        results["signatures_mb_per_cpu_s"] = bench_signatures(build_corpus(args.signatures_mb, seed=3), args.signatures_mb)
    growth = []
    for size in [float(x) for x in args.scale.split(",") if x]:
        path = out / f"scale_{int(size)}"
        t = time.time()
        mb, n_docs = write_scaled(size, path / "parquet")
        print(f"scale corpus {mb:.0f} MB built in {time.time() - t:.0f}s", flush=True)
        r = run_flywheel(path / "parquet", path / "warehouse", args.partitions)
        growth.append({"mb": mb, "docs": n_docs, "s": r["dedup_s"], "mb_s": mb / r["dedup_s"],
                       "cpu_s": r["cpu_s"], "peak_mb": r["peak_rss_mb"]})
        print(f"scale {mb:8.0f} MB {n_docs:>10,} docs: {r['dedup_s']:7.1f} s  {mb / r['dedup_s']:6.2f} MB/s  "
              f"{mb / r['cpu_s']:6.2f} MB/CPU-s  peak {r['peak_rss_mb']:7.0f} MB", flush=True)
        shutil.rmtree(path)
    (out / "results.json").write_text(json.dumps({"compare": results, "growth": growth}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
