"""Execute a notebook in a real Jupyter kernel (nbclient + ipykernel) and write what it showed.

Writes into the output folder:
  <name>.ipynb      the executed notebook, outputs embedded
  <figure>.png      every PNG the notebook displayed (named by the notebook, else cell<N>-<k>)
  <table>.csv       every result table the notebook displayed through its helper
  manifest.json     per figure its file, cell, title and axis labels; per table its columns and rows

A notebook names a figure or table by putting `{"flywheel": {"figure": {...}}}` or
`{"flywheel": {"table": {...}}}` in the display metadata (notebooks/notebook_env.py does it);
other PNG outputs are kept too, with only their cell number.
"""
from __future__ import annotations

import base64
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from conf.errors import UserError
from flywheel.notebooks_run.databricks import META

KERNEL = "python3"


class CellFailedError(UserError, RuntimeError):
    """A notebook cell raised: the message names its number (as in the source file) and the error."""


@dataclass
class RunResult:
    """What one execution wrote."""

    notebook: Path
    figures: list[dict] = field(default_factory=list)
    tables: list[dict] = field(default_factory=list)


def kernel_env(extra_paths: list[Path]) -> dict[str, str]:
    """This process's environment with `extra_paths` first on PYTHONPATH (the kernel imports from them)."""
    env = dict(os.environ)
    paths = [str(p) for p in extra_paths] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    return env


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "output"


def _failed_cell(nb: nbformat.NotebookNode) -> tuple[int, str] | None:
    """(1-based cell number, 'Ename: value') of the first cell with an error output."""
    for number, cell in enumerate(nb.cells, 1):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return number, f"{out.get('ename')}: {out.get('evalue')}"
    return None


def collect_outputs(nb: nbformat.NotebookNode, out_dir: Path,
                    cell_numbers: list[int] | None = None) -> tuple[list[dict], list[dict]]:
    """Write the PNGs and tables the executed notebook displayed; (figures, tables) for the manifest.

    Cells are numbered by `cell_numbers` (their number in the source file) when given.
    """
    figures, tables = [], []
    for index, cell in enumerate(nb.cells):
        number = cell_numbers[index] if cell_numbers else index + 1
        for k, out in enumerate(o for o in cell.get("outputs", []) if o.get("output_type") in
                                ("display_data", "execute_result")):
            meta = out.get("metadata", {}).get(META, {})
            data = out.get("data", {})
            if "image/png" in data:
                info = dict(meta.get("figure", {}))
                name = _safe(info.get("name") or f"cell{number}-{k}")
                path = out_dir / f"{name}.png"
                path.write_bytes(base64.b64decode(data["image/png"]))
                figures.append({**info, "file": path.name, "cell": number, "bytes": path.stat().st_size})
            if "table" in meta:
                info = dict(meta["table"])
                path = out_dir / f"{_safe(info['name'])}.csv"
                path.write_text(info.pop("csv"), encoding="utf-8")
                tables.append({**info, "file": path.name, "cell": number})
    return figures, tables


def run_notebook(nb: nbformat.NotebookNode, name: str, out_dir: Path, *, cwd: Path, python_paths: list[Path],
                 timeout: int, cell_numbers: list[int] | None = None) -> RunResult:
    """Execute `nb` in a fresh kernel started in `cwd`; write `<name>.ipynb`, figures, tables, manifest.

    `cell_numbers[i]`: the number, in the source file, of notebook cell i (the injected-parameters
    cell has none of its own), so a failure names the cell the user can find. A cell that raises is
    a CellFailedError after the partial notebook has been written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL, allow_errors=False,
                            resources={"metadata": {"path": str(cwd)}})
    error = None
    try:
        client.execute(env=kernel_env(python_paths), cwd=str(cwd))
    except CellExecutionError:
        found = _failed_cell(nb)
        number, message = found if found else (None, "unknown error")
        if number is not None and cell_numbers:
            number = cell_numbers[number - 1]
        error = f"{name}: cell {number} failed: {message}"
    except CellTimeoutError as exc:
        error = f"{name}: a cell ran past --timeout {timeout} s ({str(exc).splitlines()[0]})"
    except DeadKernelError as exc:
        error = f"{name}: the kernel died ({exc})"
    path = out_dir / f"{name}.ipynb"
    nbformat.write(nb, path)
    figures, tables = collect_outputs(nb, out_dir, cell_numbers)
    manifest = {"notebook": path.name, "python": sys.executable, "figures": figures, "tables": tables,
                "error": error}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    if error:
        raise CellFailedError(error + f" (the executed notebook is {path})")
    return RunResult(path, figures, tables)
