"""Text-file reader: each file is one document; its path under the input folder is its id."""
from __future__ import annotations

import os
from typing import Iterator

from spark_jobs.readers.base import Bad, Doc, ReaderOptions


def read_text_file(path: str, opts: ReaderOptions, start: int = 0, end: int | None = None,
                   root: str | None = None) -> Iterator[Doc | Bad]:
    """Yield one Doc for the file, or Bad when it is not UTF-8 or larger than the size limit."""
    rel = os.path.relpath(path, root) if root else os.path.basename(path)
    size = os.path.getsize(path)
    limit = opts.ingest.max_doc_bytes
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if size > limit:
        yield Bad("oversize", f"file is {size} bytes > ingest.max_doc_bytes={limit}", None, 0, rel,
                  data[: opts.ingest.raw_prefix_bytes])
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        yield Bad("invalid_utf8", f"byte {exc.start}: {exc.reason}", None, 0, rel, data)
        return
    yield Doc(text=text, source_id=rel, url=None, metadata={"path": rel}, line=None, offset=0)
