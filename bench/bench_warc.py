"""WARC ingest benchmark: HTML extractors side by side, then the WARC reader in Spark vs alone.

Generates a few thousand varied pages (news with navigation, cookie notice, sidebar and footer,
some with tables; forum threads; docs with code blocks; Chinese news in GB18030 labelled gb2312;
a tenth of UTF-8 pages under a lying ISO-8859-1 header; half the pages with HTML5 landmarks, half
"div soup") with known main-content and boilerplate strings, writes them into `.warc.gz` files
with warcio, and measures on the same pages:

1. each HTML extractor alone in this process (resiliparse, trafilatura, trafilatura with its
   fallbacks): pages and MB of HTML per CPU second, main-content recall (share of main sentences,
   code lines, table cells found in the output) and boilerplate leak (share of cookie/footer/
   sidebar/newsletter/share strings found);
2. the WARC reader (`spark_jobs/readers/warc.py`: gunzip, parse, charset, extract, URL checks)
   alone in one process: records and MB of HTML per CPU second;
3. the same reader inside Spark `local[N]` (the ingest `mapInArrow` pass, then the whole
   `flywheel ingest` job with its Delta MERGEs): records and MB per CPU second of the driver, JVM
   and Python workers together, i.e. per core, as a ratio to (2).

CPU seconds rather than wall time, because the build machines are shared (a 2-core box running
~15 runnable processes gave this job 9 % of a CPU); wall times are printed beside them.

Run:  .venv/bin/python bench/bench_warc.py --pages 3000 --files 6 --cores 2
No download: every page is generated from a seeded RNG.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import re
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path

from warcio.warcwriter import WARCWriter

from spark_jobs.sample_warc import response_record

WORDS = (
    "river council market school winter garden station people village report science music "
    "history doctor engine window forest summer coffee bridge number letter travel planet water "
    "city story paper reason mountain island family energy system change number policy voter "
    "budget street museum library teacher student harbour railway season farmer weather kitchen "
    "result method sample signal memory network server program module function variable "
    "question answer problem solution update version release feature option manual"
).split()
VERBS = "builds opens explains closes changes measures reports finds shows needs keeps moves".split()
ZH_CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"
    "产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点"
    "从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原"
    "又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革"
)
NAV = ["Home", "World", "Business", "Sport", "Culture", "Opinion", "Science", "Travel", "Video"]


@dataclass
class Page:
    """One generated page and what an ideal extractor would keep and drop."""

    url: str
    html: bytes
    content_type: str
    main: list[str] = field(default_factory=list)
    boilerplate: list[str] = field(default_factory=list)


def _sentence(rng: random.Random, n_min: int = 8, n_max: int = 20) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(n_min, n_max))]
    words[1] = rng.choice(VERBS)
    return " ".join(words).capitalize() + rng.choice(".!?.")


def _zh_sentence(rng: random.Random) -> str:
    return "".join(rng.choice(ZH_CHARS) for _ in range(rng.randint(15, 40))) + "。"


def _boiler(rng: random.Random, label: str) -> str:
    # Unique multi-word strings so a stray word of prose never counts as a leak.
    return f"{label} {rng.choice(WORDS)} {rng.choice(WORDS)} {rng.randrange(10**6)}"


def _filler(rng: random.Random) -> str:
    # Script + style weight of a real page (Common Crawl HTML is mostly markup): 5-40 KB.
    # Random identifiers keep it from compressing better than real pages (~5x with gzip).
    n = rng.randint(5_000, 40_000)
    js = "".join(f"var v{rng.randrange(10**6)}=f({rng.randrange(10**4)},'{rng.choice(WORDS)}');\n"
                 for _ in range(n // 60))
    css = "".join(f".c{rng.randrange(10**5)}{{color:#{rng.randrange(16**6):06x};margin:{rng.randrange(20)}px}}\n"
                  for _ in range(n // 80))
    return f"<style>{css}</style><script>{js}</script>"


def _chrome(rng: random.Random, page: Page) -> tuple[str, str]:
    """Header/nav/cookie banner before the content and sidebar/footer after it."""
    nav_items = rng.sample(NAV, 6)
    nav = "".join(f'<li><a href="/{n.lower()}">{n}</a></li>' for n in nav_items)
    cookie = _boiler(rng, "We use cookies to improve your visit")
    related = [_boiler(rng, "Related story") for _ in range(rng.randint(3, 6))]
    footer = _boiler(rng, "Copyright Example Media all rights reserved")
    newsletter = _boiler(rng, "Sign up for our newsletter")
    page.boilerplate += [cookie, *related, footer, newsletter]
    side = "".join(f'<li><a href="/r{i}">{r}</a></li>' for i, r in enumerate(related))
    if rng.random() < 0.5:  # HTML5 landmarks: <header>, <nav>, <aside>, <footer>
        head = (
            f'<header><div class="logo"><a href="/">Example</a></div><nav class="menu"><ul>{nav}</ul>'
            f'</nav></header><div class="cookie-banner" id="cookie-consent">{cookie} <button>Accept</button></div>'
        )
        tail = (
            f'<aside class="sidebar"><h3>Most read</h3><ul>{side}</ul></aside>'
            f'<footer class="site-footer"><p>{footer}</p><form class="newsletter"><p>{newsletter}</p>'
            '<input type="email" name="e"><button>Subscribe</button></form>'
            '<ul><li><a href="/privacy">Privacy</a></li><li><a href="/terms">Terms</a></li></ul></footer>'
        )
    else:  # div soup with no landmark and few telling class names, as on older sites
        head = (
            f'<div id="top"><div class="t1"><a href="/">Example</a></div><div class="t2"><ul>{nav}</ul></div>'
            f'</div><div class="notice">{cookie} <a href="/ok">OK</a></div>'
        )
        tail = (
            f'<div class="col2"><b>Most read</b><ul>{side}</ul></div>'
            f'<div id="bottom"><p>{footer}</p><div class="box"><p>{newsletter}</p></div>'
            '<a href="/privacy">Privacy</a> | <a href="/terms">Terms</a></div>'
        )
    return head, tail


def _paragraphs(rng: random.Random, page: Page, n: int, zh: bool = False) -> str:
    out = []
    for _ in range(n):
        sents = [_zh_sentence(rng) if zh else _sentence(rng) for _ in range(rng.randint(2, 5))]
        page.main += sents
        out.append(f"<p>{''.join(sents) if zh else ' '.join(sents)}</p>")
    return "".join(out)


def _news(rng: random.Random, page: Page) -> str:
    title = _sentence(rng, 5, 9).rstrip(".!?")
    page.main.append(title)
    body = _paragraphs(rng, page, rng.randint(3, 10))
    if rng.random() < 0.4:
        rows = [[f"{rng.choice(WORDS)}{i}", str(rng.randrange(1000)), str(rng.randrange(1000))] for i in range(4)]
        page.main += [c for r in rows for c in r if not c.isdigit()]
        table = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
        body += f"<table><tr><th>Name</th><th>Before</th><th>After</th></tr>{table}</table>"
        body += _paragraphs(rng, page, 2)
    share = _boiler(rng, "Share this article on")
    page.boilerplate.append(share)
    return (
        f'<main><article><h1>{title}</h1><p class="byline">By staff, {rng.randint(1, 28)} May 2024</p>'
        f'<div class="share-bar"><a href="/s">{share}</a></div>{body}</article></main>'
    )


def _forum(rng: random.Random, page: Page) -> str:
    title = _sentence(rng, 4, 8).rstrip(".!?") + "?"
    page.main.append(title)
    posts = []
    for i in range(rng.randint(2, 8)):
        user = f"user{rng.randrange(10**5)}"
        body = _paragraphs(rng, page, rng.randint(1, 3))
        posts.append(
            f'<div class="post" id="p{i}"><div class="post-author">{user}</div>'
            f'<div class="post-body">{body}</div><div class="post-actions"><a href="/q">Quote</a> '
            '<a href="/r">Report</a></div></div>'
        )
    pager = _boiler(rng, "Go to page")
    page.boilerplate.append(pager)
    return (
        f'<div id="content"><h1 class="thread-title">{title}</h1>{"".join(posts)}'
        f'<div class="pagination"><a href="/p2">{pager}</a></div></div>'
    )


def _docs(rng: random.Random, page: Page) -> str:
    title = f"How to use {rng.choice(WORDS)}_{rng.choice(WORDS)}"
    page.main.append(title)
    parts = [f"<h1>{title}</h1>", _paragraphs(rng, page, rng.randint(1, 3))]
    for _ in range(rng.randint(1, 3)):
        name = f"{rng.choice(WORDS)}_{rng.randrange(100)}"
        lines = [f"def {name}(x, y):", f"    total = x * {rng.randrange(2, 9)} + y", "    return total"]
        page.main += [ln.strip() for ln in lines]
        parts.append("<pre><code>" + "\n".join(lines) + "</code></pre>")
        parts.append(_paragraphs(rng, page, 1))
    toc = "".join(f'<li><a href="#s{i}">{_boiler(rng, "Section")}</a></li>' for i in range(4))
    return f'<nav class="toc"><ul>{toc}</ul></nav><main><article>{"".join(parts)}</article></main>'


def _zh_news(rng: random.Random, page: Page) -> str:
    body = _paragraphs(rng, page, rng.randint(3, 8), zh=True)
    return f"<main><article><h1>{_zh_sentence(rng)}</h1>{body}</article></main>"


def make_page(rng: random.Random, i: int) -> Page:
    """One page of a random kind and charset situation (indices make URLs unique)."""
    kind = rng.choices(["news", "forum", "docs", "zh"], weights=[45, 25, 20, 10])[0]
    page = Page(url=f"https://site{i % 97}.example.com/{kind}/{i}?utm_source=x", html=b"", content_type="")
    content = {"news": _news, "forum": _forum, "docs": _docs, "zh": _zh_news}[kind](rng, page)
    head, tail = _chrome(rng, page)
    meta, charset, header = "utf-8", "utf-8", "text/html; charset=UTF-8"
    if kind == "zh":
        meta, charset, header = "gb2312", "gb18030", "text/html"
    elif rng.random() < 0.1:
        header = "text/html; charset=ISO-8859-1"  # lies: the body is UTF-8
    html = (
        f'<!DOCTYPE html><html><head><meta charset="{meta}"><title>page {i}</title>{_filler(rng)}</head>'
        f"<body>{head}{content}{tail}</body></html>"
    )
    page.html, page.content_type = html.encode(charset), header
    return page


def generate_pages(n: int, seed: int) -> list[Page]:
    rng = random.Random(seed)
    return [make_page(rng, i) for i in range(n)]


def write_warcs(pages: list[Page], out_dir: Path, files: int) -> list[Path]:
    """Round-robin the pages into `files` gzipped WARC files of HTTP response records."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"bench-{k:03d}.warc.gz" for k in range(files)]
    handles = [p.open("wb") for p in paths]
    writers = [WARCWriter(h, gzip=True) for h in handles]
    for i, page in enumerate(pages):
        writer = writers[i % files]
        writer.write_record(response_record(writer, page.url, page.html, page.content_type))
    for h in handles:
        h.close()
    return paths


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def score(text: str, page: Page) -> tuple[float, float]:
    """(main-content recall, boilerplate leak) of one extracted text against the page's truth."""
    flat = _norm(text)
    recall = sum(_norm(m) in flat for m in page.main) / max(len(page.main), 1)
    leak = sum(b in flat for b in page.boilerplate) / max(len(page.boilerplate), 1)
    return recall, leak


def _tree_cpu_seconds() -> dict[str, float]:
    """CPU seconds used so far by this process and every descendant, split into Python workers
    (`pyspark.daemon` and its forks) and the rest (driver + JVM), read from /proc; exited children
    count through their parent's cutime."""
    tick = os.sysconf("SC_CLK_TCK")
    parent, cpu, is_worker = {}, {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd = fh.read()
        except OSError:
            continue  # exited while we looked
        pid = int(entry)
        parent[pid] = int(fields[1])
        cpu[pid] = sum(int(f) for f in fields[11:15]) / tick  # utime stime cutime cstime
        is_worker[pid] = b"pyspark.daemon" in cmd or b"pyspark.worker" in cmd
    mine, frontier = {os.getpid()}, [os.getpid()]
    while frontier:
        pid = frontier.pop()
        kids = [c for c, p in parent.items() if p == pid and c not in mine]
        mine.update(kids)
        frontier.extend(kids)
    # Live forked workers count on their own, exited ones in the daemon's cutime: no double count.
    py = sum(cpu[p] for p in mine if is_worker.get(p))
    return {"python": py, "jvm+driver": sum(cpu[p] for p in mine if p in cpu) - py}


class Meter:
    """Wall and CPU seconds of a block: CPU of this process, or of its whole process tree."""

    def __init__(self, tree: bool = False):
        self.tree = tree

    def _cpu(self) -> dict[str, float]:
        return _tree_cpu_seconds() if self.tree else {"python": time.process_time()}

    def __enter__(self):
        self.wall0, self.cpu0 = time.perf_counter(), self._cpu()
        return self

    def __exit__(self, *exc):
        end = self._cpu()
        self.wall = time.perf_counter() - self.wall0
        self.split = {k: end[k] - self.cpu0.get(k, 0.0) for k in end}
        self.cpu = sum(self.split.values())

    def split_text(self) -> str:
        return ", ".join(f"{k} {v:.1f} s" for k, v in self.split.items())


def bench_extractors(pages: list[Page]) -> None:
    """Each extractor alone in this process on the same decoded pages."""
    import trafilatura

    from udfs.charset import decode_body
    from udfs.html_extract import EXTRACTOR_NAMES, extract_text, extractor_id

    def traf_fallbacks(h: str) -> str:  # trafilatura's default mode, for reference
        return trafilatura.extract(h, output_format="markdown", include_tables=True, include_formatting=False) or ""

    htmls = [decode_body(p.html, p.content_type, None).text for p in pages]
    mb = sum(len(p.html) for p in pages) / 1e6
    print(f"extractors on {len(pages)} pages, {mb:.1f} MB of HTML, one process (per CPU second):")
    runs = [(extractor_id(n), functools.partial(extract_text, extractor=n)) for n in EXTRACTOR_NAMES]
    runs.append((extractor_id("trafilatura") + " +fallbacks", traf_fallbacks))
    for label, fn in runs:
        with Meter() as m:
            texts = [fn(h) for h in htmls]
        scores = [score(t, p) for t, p in zip(texts, pages)]
        recall = sum(s[0] for s in scores) / len(scores)
        leak = sum(s[1] for s in scores) / len(scores)
        empty = sum(not t for t in texts)
        print(f"  {label:32s} {len(pages) / m.cpu:7.0f} pages/s {mb / m.cpu:6.1f} MB/s  recall {recall:.3f}  "
              f"leak {leak:.3f}  empty {empty}  (wall {m.wall:.1f} s)")


def _reader_opts(overrides: list[str]):
    from conf import load_config
    from spark_jobs.readers.base import ReaderOptions

    return ReaderOptions(load_config(overrides=overrides).ingest)


def _rates(records: int, html_mb: float, seconds: float) -> str:
    return f"{records / seconds:6.0f} records/s {html_mb / seconds:6.1f} MB/s of HTML"


def bench_reader_alone(paths: list[Path], html_mb: float) -> float:
    """The WARC reader over every file in this process; returns records per CPU second."""
    from spark_jobs.readers.base import Doc
    from spark_jobs.readers.warc import read_warc

    opts = _reader_opts([])
    with Meter() as m:
        kinds = [isinstance(item, Doc) for p in paths for item in read_warc(str(p), opts)]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"WARC reader alone, one process, per CPU second: {_rates(len(kinds), html_mb, m.cpu)}  "
          f"({len(kinds)} records, {sum(kinds)} docs; wall {m.wall:.1f} s; peak RSS {peak_mb:.0f} MB)")
    return len(kinds) / m.cpu


def bench_spark(paths: list[Path], html_mb: float, cores: int, work: Path, alone_rps: float) -> None:
    """Reader pass alone inside Spark (mapInArrow + count), then the whole ingest job into Delta.

    "Per core" = per CPU second of the driver, the JVM and its Python workers together, so the
    figure does not depend on what else the (shared) machine is running; wall time beside it.
    """
    import shutil

    from conf import load_config
    from spark_jobs.ingest import run, transform
    from spark_jobs.ingest_tasks import plan_tasks
    from spark_jobs.session import get_spark

    shutil.rmtree(work / "warehouse", ignore_errors=True)
    cfg = load_config(overrides=[
        f"spark.master=local[{cores}]", f"spark.shuffle_partitions={cores}", f"spark.warehouse={work / 'warehouse'}",
        "spark.extra_conf={spark.ui.enabled: 'false'}",
    ])
    spark = get_spark(cfg, "bench_warc")
    tasks, _ = plan_tasks([str(p) for p in paths], "warc", cfg.ingest, "bench")
    tasks_df = spark.createDataFrame([t.as_row() for t in tasks], "path string, format string, start bigint, "
                                     "end bigint, root string, source string").repartition(len(tasks))
    transform(tasks_df, cfg).count()  # warm the Python workers (imports, resiliparse, blocklist)
    with Meter(tree=True) as m:
        records = transform(tasks_df, cfg).count()
    rps = records / m.cpu
    print(f"Spark local[{cores}], reader pass only ({len(tasks)} tasks), per CPU second: "
          f"{_rates(records, html_mb, m.cpu)} = {rps / alone_rps:.2f}x the reader alone  "
          f"(CPU {m.cpu:.1f} s: {m.split_text()}; wall {m.wall:.1f} s)")
    with Meter(tree=True) as m:
        summary = run(spark, cfg, [str(p) for p in paths], "warc", "bench")
    print(f"Spark local[{cores}], whole ingest job into Delta, per CPU second: {_rates(records, html_mb, m.cpu)} = "
          f"{records / m.cpu / alone_rps:.2f}x the reader alone  ({summary['docs_added']} docs + "
          f"{summary['quarantine_added']} quarantined; CPU {m.cpu:.1f} s, wall {m.wall:.1f} s)")
    # (No python/JVM split here: workers that exit mid-job are reaped into the JVM's cutime.)
    spark.stop()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=3000)
    ap.add_argument("--files", type=int, default=6)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--work", default="bench/out/warc", help="scratch folder for WARC files + warehouse")
    ap.add_argument("--no-spark", action="store_true", help="skip the Spark part (extractors + reader only)")
    args = ap.parse_args(argv)
    work = Path(args.work)
    t0 = time.perf_counter()
    pages = generate_pages(args.pages, args.seed)
    paths = write_warcs(pages, work / "warc", args.files)
    html_mb = sum(len(p.html) for p in pages) / 1e6
    print(f"generated {len(pages)} pages ({html_mb:.1f} MB of HTML) into {args.files} WARC files "
          f"({sum(p.stat().st_size for p in paths) / 1e6:.1f} MB gzipped) in {time.perf_counter() - t0:.1f} s")
    bench_extractors(pages)
    alone_rps = bench_reader_alone(paths, html_mb)
    if not args.no_spark:
        bench_spark(paths, html_mb, args.cores, work, alone_rps)


if __name__ == "__main__":
    main()
