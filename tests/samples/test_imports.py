"""`samples` is fixture generation that anything may import: no Spark, torch or jobs package
behind it, and no import cycle inside it (sample_corpus and sample_scale once imported each other)."""
from __future__ import annotations

import ast
import graphlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import samples

ROOT = Path(samples.__file__).parent
MODULES = sorted(m.name for m in pkgutil.walk_packages([str(ROOT)], prefix="samples."))

# Refuses the forbidden packages at import time, then imports every module of `samples`.
_BLOCKED_IMPORT = """
import importlib, sys
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"pyspark", "torch", "spark_jobs"}:
            raise ImportError(f"samples must not import {name}")
sys.meta_path.insert(0, Refuse())
for name in sys.argv[1:]:
    importlib.import_module(name)
"""


def _internal_imports(path: Path) -> set[str]:
    """Modules of `samples` that a file imports anywhere (module level or inside functions)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in MODULES else node.module
                      for a in node.names}
    return {m for m in found if m in MODULES}


def test_samples_modules_with_spark_torch_jobs_blocked_all_import():
    assert {"samples.corpus", "samples.scale", "samples.warc", "samples.texts.en"} <= set(MODULES)
    done = subprocess.run([sys.executable, "-c", _BLOCKED_IMPORT, *MODULES], capture_output=True, text=True,
                          cwd=ROOT.parent)
    assert done.returncode == 0, done.stderr


def test_samples_import_graph_no_cycle():
    graph = {}
    for name in MODULES:
        rel = Path(*name.split(".")[1:])
        path = ROOT / rel / "__init__.py" if (ROOT / rel).is_dir() else ROOT / rel.with_suffix(".py")
        graph[name] = _internal_imports(path) - {name}
    assert "samples.parts" in graph["samples.scale"] and "samples.scale" in graph["samples.corpus"]
    list(graphlib.TopologicalSorter(graph).static_order())  # raises CycleError on a cycle
