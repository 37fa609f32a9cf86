"""`flywheel notebook …`: run, convert and list the Databricks notebooks of `notebooks/`.

    flywheel notebook list
    flywheel notebook run 01_corpus_overview [--warehouse W] [--param k=v …] [--out DIR]
    flywheel notebook to-ipynb 02 --out 02.ipynb          (no execution)
    flywheel notebook to-source my.ipynb --out my.py      (back to the Databricks source format)

NAME is a file of `notebooks/` (its stem, or a unique prefix such as `01`). `run` executes the
notebook in a fresh Jupyter kernel started in the current folder, so relative paths
(`warehouse`, `runs/demo`) mean what they mean to the other commands, and writes the executed
`.ipynb`, each figure as PNG and each result table as CSV to `--out` (default
`notebook_out/<name>`). A cell that raises ends the command with one line naming the cell.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from conf.errors import UserError
from flywheel.notebooks_run.databricks import INJECTED_TAG, NotebookFormatError, to_notebook, to_source

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
DEFAULT_OUT = Path("notebook_out")
DEFAULT_TIMEOUT_SECONDS = 900  # one cell; the dedup notebook starts a local Spark (~1 min on 2 cores)


def notebook_files(folder: Path = NOTEBOOKS) -> list[Path]:
    """The Databricks source notebooks of `folder` (files whose first line is the header)."""
    out = []
    for path in sorted(folder.glob("*.py")):
        with path.open(encoding="utf-8") as fh:
            if fh.readline().strip() == "# Databricks notebook source":
                out.append(path)
    return out


def find_notebook(name: str, folder: Path = NOTEBOOKS) -> Path:
    """The notebook called `name` (a path, a stem or a unique stem prefix); UserError listing them."""
    if name.endswith(".py") and Path(name).is_file():
        return Path(name)
    files = notebook_files(folder)
    exact = [p for p in files if p.stem == name]
    matches = exact or [p for p in files if p.stem.startswith(name)]
    if len(matches) != 1:
        known = ", ".join(p.stem for p in files)
        what = "is ambiguous" if matches else "is not a notebook"
        raise UserError(f"{name!r} {what}; the notebooks are: {known}")
    return matches[0]


def parse_params(items: list[str]) -> dict[str, str]:
    """`k=v` strings into a dict; UserError on an item without `=`."""
    params = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UserError(f"--param takes name=value, got {item!r}")
        params[key] = value
    return params


def source_cell_numbers(nb: nbformat.NotebookNode) -> list[int]:
    """Per notebook cell, its number in the source file (an injected cell shares its predecessor's)."""
    numbers, n = [], 0
    for cell in nb.cells:
        if INJECTED_TAG not in cell.metadata.get("tags", []):
            n += 1
        numbers.append(n)
    return numbers


def run(name: str, params: dict[str, str], out: Path | None = None, timeout: int = DEFAULT_TIMEOUT_SECONDS):
    """Convert and execute notebook `name`; the RunResult (files written under `out`)."""
    from flywheel.notebooks_run.execute import run_notebook

    path = find_notebook(name)
    try:
        nb = to_notebook(path.read_text(encoding="utf-8"), params)
    except NotebookFormatError as exc:
        raise UserError(f"{path.name}: {exc}") from None
    out_dir = out if out is not None else DEFAULT_OUT / path.stem
    return run_notebook(nb, path.stem, out_dir, cwd=Path.cwd(), python_paths=list(dict.fromkeys([ROOT, NOTEBOOKS, path.parent.resolve()])),
                        timeout=timeout, cell_numbers=source_cell_numbers(nb))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flywheel notebook", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("list", help="the notebooks")
    r = sub.add_parser("run", help="execute a notebook in a Jupyter kernel")
    r.add_argument("name")
    r.add_argument("--warehouse", help="the warehouse folder (the notebook's `warehouse` widget)")
    r.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="a widget value (repeatable)")
    r.add_argument("--out", type=Path, help="output folder (default notebook_out/<name>)")
    r.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT_SECONDS, help="seconds one cell may run")
    t = sub.add_parser("to-ipynb", help="convert a source notebook to .ipynb without running it")
    t.add_argument("name")
    t.add_argument("--out", type=Path, required=True)
    s = sub.add_parser("to-source", help="convert an .ipynb back to the Databricks source format")
    s.add_argument("ipynb", type=Path)
    s.add_argument("--out", type=Path, required=True)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.action == "list":
        for path in notebook_files():
            print(path.stem)
    elif args.action == "run":
        params = parse_params(args.param)
        if args.warehouse:
            params["warehouse"] = args.warehouse
        result = run(args.name, params, args.out, args.timeout)
        print(f"notebook {result.notebook.stem}: {len(result.figures)} figures, {len(result.tables)} tables "
              f"-> {result.notebook.parent}")
    elif args.action == "to-ipynb":
        nbformat.write(to_notebook(find_notebook(args.name).read_text(encoding="utf-8")), args.out)
    else:
        if not args.ipynb.is_file():
            raise UserError(f"{args.ipynb} does not exist")
        args.out.write_text(to_source(nbformat.read(args.ipynb, as_version=4)), encoding="utf-8")
    return 0
