"""The arrows of the house: who may import whom, no cycles, and the trainer's side free of Spark.

The import graph is read from the source with `ast` (no module is executed), so the test sees
function-level imports too.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("flywheel", "conf", "tables", "udfs", "spark_jobs", "trainer", "monitoring", "samples", "notebooks")
SPARK = ("pyspark", "delta", "sparknlp", "py4j")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every module named by an import statement in `path` (absolute names; relative ones resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _graph() -> dict[str, set[str]]:
    files = [p for pkg in PACKAGES if (ROOT / pkg).is_dir() for p in (ROOT / pkg).rglob("*.py")]
    modules = {_module_name(p): p for p in files}
    graph = {}
    for name, path in modules.items():
        graph[name] = {m for m in _imports(path) if m in modules and m != name}
    return graph, {name: _imports(path) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _offenders(raw: dict[str, set[str]], package: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    bad = {}
    for module, names in raw.items():
        if module == package or module.startswith(package + "."):
            hits = sorted(n for n in names if n.split(".")[0] in forbidden)
            if hits:
                bad[module] = hits
    return bad


def test_cycles_finder_sees_a_planted_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_import_graph_has_no_cycle():
    graph, _ = _graph()
    assert _cycles(graph) == []


def test_udfs_import_no_spark_and_no_other_part():
    _, raw = _graph()
    assert _offenders(raw, "udfs", SPARK + ("spark_jobs", "tables", "trainer", "monitoring", "notebooks")) == {}


def test_trainer_imports_no_spark_and_no_jobs():
    _, raw = _graph()
    assert _offenders(raw, "trainer", SPARK + ("spark_jobs", "notebooks")) == {}


def test_conf_and_table_declarations_import_nothing_of_the_project():
    _, raw = _graph()
    project = ("flywheel", "tables", "udfs", "spark_jobs", "trainer", "monitoring", "samples", "notebooks")
    assert _offenders(raw, "conf", SPARK + ("torch",) + project) == {}
    decl = {m: n for m, n in raw.items() if m in ("tables.catalog", "tables.delta_rs", "tables.chunk_lifecycle")}
    bad = {m: sorted(x for x in n if x.split(".")[0] in SPARK + ("torch",) + project[2:]) for m, n in decl.items()}
    assert {m: b for m, b in bad.items() if b} == {}


def test_nothing_imports_notebooks_and_jobs_import_no_trainer():
    _, raw = _graph()
    users = {m for m, names in raw.items() if not m.startswith("notebooks") and any(
        n.split(".")[0] == "notebooks" for n in names)}
    assert users == set()
    assert _offenders(raw, "spark_jobs", ("trainer", "notebooks", "torch")) == {}
    assert _offenders(raw, "samples", SPARK + ("spark_jobs", "torch")) == {}


BLOCKER = """
import importlib.abc, sys
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('pyspark', 'py4j', 'delta', 'torch', 'torchtitan'):
            raise ImportError('blocked by the test: ' + name)
        return None
sys.meta_path.insert(0, Refuse())
"""


def _run_blocked(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BLOCKER + code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_blocker_refuses_pyspark():
    out = _run_blocked("import pyspark")
    assert out.returncode != 0 and "blocked by the test: pyspark" in out.stderr


def test_conf_tables_and_trainer_import_without_spark_or_torch():
    out = _run_blocked(
        "import conf, tables.catalog, tables.delta_rs, tables.chunk_lifecycle, trainer, monitoring\n"
        "cfg = conf.load_config()\n"
        "print(tables.catalog.table_def('blocks').arrow_schema().names[0], cfg.mix.seq_len)\n")
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["chunk_id", "2048"]
