"""Sample data: a deterministic, download-free corpus with ground truth, for tests, benches and the demo.

Fixture generation, not a pipeline stage: it imports only the standard library, numpy,
zstandard and warcio (never `spark_jobs`, pyspark or torch), so anything can use it.

    corpus  the base corpus (`flywheel sample`): documents, truth, deliberately bad inputs
    docs    its documents before noise (stdlib prose and code, hand-written texts, junk)
    noise   word edits, boilerplate, spam, lorem ipsum
    pii     generated PII with valid checksums, and detection of natural PII
    parts   names and compression of the base corpus' document files
    scale   copies of the base corpus edited up to any size
    warc    a small WARC crawl of the hand-written pages
    texts   the hand-written documents, one module per language
"""
