"""The demo's sample crawl reads back as its expectations say, byte-identical on every run."""

import json

from conf import load_config
from spark_jobs.readers.base import Bad, Doc, ReaderOptions
from spark_jobs.readers.warc import read_warc
from spark_jobs.sample_warc import EXPECTED_NAME, WARC_NAME, write_sample_warc


def test_write_sample_warc_reads_back_as_expected_and_is_deterministic(tmp_path):
    out = write_sample_warc(tmp_path / "a")
    again = write_sample_warc(tmp_path / "b")
    assert (out / WARC_NAME).read_bytes() == (again / WARC_NAME).read_bytes()
    expected = json.loads((out / EXPECTED_NAME).read_text())
    items = list(read_warc(str(out / WARC_NAME), ReaderOptions(load_config().ingest)))
    docs = {d.metadata["url"]: d for d in items if isinstance(d, Doc)}
    assert sorted(docs) == sorted(expected["docs"])
    assert all(d.text.strip() and "Copyright 2024 Example Media" not in d.text for d in docs.values())
    assert "加装电梯" in docs["https://web.example.com/zh/news/0"].text
    reasons = sorted(b.reason for b in items if isinstance(b, Bad))
    assert reasons == sorted(expected["quarantine"].values())
