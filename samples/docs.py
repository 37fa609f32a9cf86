"""The documents of the sample corpus before noise: stdlib prose and code, hand-written texts, junk.

Everything is read from the running Python's standard library (`sysconfig` "stdlib" folder) or
from `samples.texts`, in sorted order, so the same Python build always yields the same
documents. Nothing is downloaded.
"""
from __future__ import annotations

import ast
import inspect
import random
import re
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

from samples import noise as sample_noise
from samples.texts import LANGUAGES

# Folders of the stdlib that are tests, tools or vendored trees rather than library prose/code.
_SKIP_DIRS = {"site-packages", "test", "tests", "idle_test", "idlelib", "lib2to3", "turtledemo",
              "ensurepip", "lib-dynload", "__pycache__"}
_SITES = {"news": "news.example.com", "forum": "forum.example.org", "encyclopedic": "wiki.example.org",
          "markdown": "code.example.net", "math": "math.example.edu", "legal": "shop.example.com"}
_CPYTHON = "https://github.com/python/cpython/blob/3.11/Lib"


@dataclass
class SampleDoc:
    """One corpus document with its ground truth, before ids are assigned."""

    text: str
    source: str
    url: str | None
    meta: dict
    lang: str
    category: str
    noise: list[str] = field(default_factory=list)
    pii: list[dict] = field(default_factory=list)
    """Injected PII with offsets into the final text; natural PII is added when written."""
    boilerplate: list[str] = field(default_factory=list)
    near_dup_of: SampleDoc | None = None
    edit_rate: float | None = None
    jaccard5: float | None = None
    id: str = ""


def stdlib_root() -> Path:
    """The standard-library folder of the running interpreter."""
    return Path(sysconfig.get_paths()["stdlib"])


def stdlib_files(root: Path) -> list[Path]:
    """Library `.py` files under `root`, sorted, without tests, tools and build-specific files."""
    files = []
    for path in root.rglob("*.py"):
        rel = path.relative_to(root)
        if _SKIP_DIRS & set(rel.parts[:-1]) or rel.name.startswith("_sysconfigdata"):
            continue  # _sysconfigdata holds this machine's build paths and flags
        if rel.parts[0].startswith("config-"):
            continue
        files.append(path)
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def docstring_docs(root: Path, files: list[Path], min_chars: int = 300) -> list[SampleDoc]:
    """One `docs` document per module: its docstring, then each public class/function docstring."""
    docs = []
    for path in files:
        rel = path.relative_to(root).as_posix()
        try:
            tree = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError):
            continue
        module = rel[:-3].replace("/", ".").removesuffix(".__init__")
        sections = [module] + ([ast.get_docstring(tree)] if ast.get_docstring(tree) else [])
        for name, doc in _public_docstrings(tree.body, module):
            sections.append(f"{name}\n{doc}")
        text = "\n\n".join(sections) + "\n"
        if len(text) >= min_chars:
            docs.append(SampleDoc(text=text, source="python-docstrings",
                                  # Its own page, not the source file's: URL dedup must not pair the two.
                                  url=f"https://docs.python.org/3.11/library/{module}.html",
                                  meta={"module": module}, lang="en", category="docs"))
    return docs


def _public_docstrings(body: list[ast.stmt], prefix: str):
    for node in body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if node.name.startswith("_"):
            continue
        name = f"{prefix}.{node.name}"
        doc = ast.get_docstring(node)
        if doc:
            yield name, doc
        if isinstance(node, ast.ClassDef):
            yield from _public_docstrings(node.body, name)


def reference_docs(root: Path) -> list[SampleDoc]:
    """One `encyclopedic` document per topic of the language reference in `pydoc_data/topics.py`."""
    module = ast.parse((root / "pydoc_data" / "topics.py").read_bytes())
    topics = next(ast.literal_eval(n.value) for n in module.body if isinstance(n, ast.Assign))
    return [SampleDoc(text=inspect.cleandoc(body) + "\n", source="python-reference",
                      url=f"https://docs.python.org/3.11/reference/topics/{name}.html",  # URL dedup drops fragments
                      meta={"topic": name}, lang="en", category="encyclopedic")
            for name, body in sorted(topics.items()) if body.strip()]


def license_docs(root: Path) -> list[SampleDoc]:
    """`legal` documents: LICENSE.txt split at its headings (a title line over a `---`/`===` rule)."""
    lines = (root / "LICENSE.txt").read_text(encoding="utf-8").splitlines()
    starts = [i - 1 for i in range(1, len(lines)) if re.fullmatch(r"[-=]{5,}", lines[i]) and lines[i - 1].strip()]
    bounds = starts + [len(lines)]
    docs = []
    for a, b in zip(bounds, bounds[1:]):
        text = "\n".join(lines[a:b]).strip() + "\n"
        docs.append(SampleDoc(text=text, source="python-license", url=f"https://github.com/python/cpython/blob/3.11/LICENSE/part-{len(docs)}",
                              meta={"title": lines[a].strip()}, lang="en", category="legal"))
    return docs


def code_docs(root: Path, files: list[Path], max_bytes: int, max_file_bytes: int) -> list[SampleDoc]:
    """`code` documents: whole source files in sorted order, each <= max_file_bytes, until max_bytes."""
    docs, total = [], 0
    for path in files:
        size = path.stat().st_size
        if size > max_file_bytes or size == 0:
            continue
        if total + size > max_bytes:
            break
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        rel = path.relative_to(root).as_posix()
        docs.append(SampleDoc(text=text, source="python-source", url=f"{_CPYTHON}/{rel}",
                              meta={"path": rel}, lang="en", category="code"))
        total += size
    return docs


def handwritten_docs() -> list[SampleDoc]:
    """Every document of `samples.texts`, in language then list order."""
    docs = []
    for lang, mod in LANGUAGES.items():
        for i, d in enumerate(mod.DOCS):
            docs.append(SampleDoc(text=d["text"], source="handwritten",
                                  url=f"https://{_SITES[d['category']]}/{lang}/{d['category']}/{i}",
                                  meta={"title": d["title"]}, lang=lang, category=d["category"]))
    return docs


def junk_docs(rng: random.Random, n_lorem: int = 6) -> list[SampleDoc]:
    """`junk` documents: keyword and repeated-line spam per language, lorem ipsum, very short pages."""
    docs = []
    for lang, mod in LANGUAGES.items():
        for kind, make in (("spam_keywords", sample_noise.keyword_spam),
                           ("spam_repeated_lines", sample_noise.repeated_line_spam)):
            docs.append(SampleDoc(text=make(rng, mod), source="synthetic", url=f"https://deals.example.biz/{lang}/{len(docs)}",
                                  meta={}, lang=lang, category="junk", noise=[kind]))
        for short in mod.SHORT:
            docs.append(SampleDoc(text=short, source="synthetic", url=None, meta={}, lang=lang,
                                  category="junk", noise=["short"]))
    for i in range(n_lorem):
        docs.append(SampleDoc(text=sample_noise.lorem_ipsum(rng), source="synthetic",
                              url=f"https://template.example.net/page-{i}", meta={}, lang="la",
                              category="junk", noise=["lorem_ipsum"]))
    return docs
