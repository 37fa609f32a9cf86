"""Databricks notebook source format <-> nbformat v4, both ways.

A Databricks source file is Python: a `# Databricks notebook source` header, then cells split
by `# COMMAND ----------` lines. A markdown cell is commented out line by line as
`# MAGIC %md` + `# MAGIC <text>`; any other magic (`%pip`, `%sh`) the same way. Widgets are
declared with `dbutils.widgets.<kind>(name, default, …)` and read with `dbutils.widgets.get`.

In the Jupyter notebook the cell that declares and reads the widgets becomes a papermill-style
`parameters` cell of plain assignments (`warehouse = "warehouse"`): Jupyter has no `dbutils`,
and overrides (`--param name=value`) go into an `injected-parameters` cell after it. The widget
kinds, labels and choices ride along in the cell's metadata, so the reverse conversion writes
the same `dbutils.widgets` lines again (with the defaults as the parameters cell holds them).

>>> nb = to_notebook('# Databricks notebook source\\n# MAGIC %md\\n# MAGIC # Hi\\n\\n# COMMAND ----------\\n\\nx = 1\\n')
>>> [c.cell_type for c in nb.cells]
['markdown', 'code']
>>> print(to_source(nb), end="")
# Databricks notebook source
# MAGIC %md
# MAGIC # Hi
<BLANKLINE>
# COMMAND ----------
<BLANKLINE>
x = 1
"""
from __future__ import annotations

import ast
import json
from dataclasses import asdict, dataclass

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HEADER = "# Databricks notebook source"
SEPARATOR = "# COMMAND ----------"
MAGIC = "# MAGIC"
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
META = "flywheel"
"""Key of this module's cell metadata: `widgets` on the parameters cell, `magic` on magic cells."""
PARAMETERS_COMMENT = ("# Parameters: this notebook's Databricks widgets as plain values "
                      "(`flywheel notebook run --param name=value` overrides them).")
WIDGET_KINDS = ("text", "dropdown", "combobox", "multiselect")
_ARGS = {"text": ("name", "defaultValue", "label"),
         **{k: ("name", "defaultValue", "choices", "label") for k in WIDGET_KINDS[1:]}}


class NotebookFormatError(ValueError):
    """The text is not a Databricks source notebook (or a cell cannot be read as one)."""


@dataclass(frozen=True)
class Widget:
    """One `dbutils.widgets.<kind>` declaration and the variable its value is read into."""

    kind: str
    name: str
    default: str
    label: str | None
    choices: list[str] | None
    var: str | None
    """Python variable assigned from `dbutils.widgets.get(name)` in the same cell; None if none."""

    def declaration(self, default: str | None = None) -> str:
        value = self.default if default is None else default
        args = [json.dumps(self.name), json.dumps(value, ensure_ascii=False)]
        if self.choices is not None:
            args.append(json.dumps(self.choices, ensure_ascii=False))
        if self.label is not None:
            args.append(json.dumps(self.label, ensure_ascii=False))
        return f"dbutils.widgets.{self.kind}({', '.join(args)})"


# ---- source -> notebook -----------------------------------------------------------------------
def split_cells(text: str) -> list[str]:
    """The cells of a Databricks source file, each without its surrounding blank lines."""
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != HEADER:
        raise NotebookFormatError(f"not a Databricks source notebook: the first line must be {HEADER!r}")
    cells, current = [], []
    for line in lines[1:]:
        if line.strip() == SEPARATOR:
            cells.append(current)
            current = []
        else:
            current.append(line)
    cells.append(current)
    return ["\n".join(c).strip("\n") for c in cells]


def _unmagic(cell: str) -> list[str] | None:
    """The lines of a `# MAGIC` cell without the prefix, or None when the cell is plain code."""
    lines = cell.split("\n")
    if not all(line == MAGIC or line.startswith(MAGIC + " ") for line in lines):
        return None
    return [line[len(MAGIC) + 1:] if line.startswith(MAGIC + " ") else "" for line in lines]


def _literal(node: ast.AST, what: str):
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise NotebookFormatError(f"{what} must be a literal, got {ast.unparse(node)!r}") from None


def parse_widgets(code: str) -> list[Widget] | None:
    """The widgets of a cell made only of `dbutils.widgets.<kind>(…)` and `x = dbutils.widgets.get(…)`
    statements, or None when the cell holds anything else."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    decls: dict[str, Widget] = {}
    gets: dict[str, str] = {}
    for stmt in tree.body:
        call = stmt.value if isinstance(stmt, (ast.Expr, ast.Assign)) else None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and ast.unparse(call.func.value) == "dbutils.widgets"):
            return None
        kind = call.func.attr
        if isinstance(stmt, ast.Assign):
            if kind != "get" or len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                return None
            gets[_literal(call.args[0], "a widget name")] = stmt.targets[0].id
        elif kind in WIDGET_KINDS:
            names = _ARGS[kind]
            values = {names[i]: _literal(a, f"argument {i + 1} of dbutils.widgets.{kind}")
                      for i, a in enumerate(call.args)}
            values.update({k.arg: _literal(k.value, k.arg) for k in call.keywords})
            missing = [n for n in names if n not in values and n != "label"]
            if missing:
                raise NotebookFormatError(f"dbutils.widgets.{kind} needs {missing}: {ast.unparse(call)!r}")
            decls[values["name"]] = Widget(kind, values["name"], str(values["defaultValue"]), values.get("label"),
                                           values.get("choices"), None)
        else:
            return None
    if not decls:
        return None
    unknown = sorted(set(gets) - set(decls))
    if unknown:
        raise NotebookFormatError(f"dbutils.widgets.get of undeclared widgets {unknown}")
    return [Widget(w.kind, w.name, w.default, w.label, w.choices, gets.get(name)) for name, w in decls.items()]


def parameters_code(widgets: list[Widget], values: dict[str, str] | None = None) -> str:
    """Plain assignments standing in for the widgets (`values` override defaults by widget name)."""
    values = values or {}
    lines = [PARAMETERS_COMMENT]
    for w in widgets:
        if w.var is not None:
            lines.append(f"{w.var} = {json.dumps(values.get(w.name, w.default), ensure_ascii=False)}")
    return "\n".join(lines)


def to_notebook(text: str, params: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """The nbformat v4 notebook of a Databricks source file.

    `params` (widget name -> value) become an `injected-parameters` cell after the parameters
    cell; a name no widget declares is a NotebookFormatError listing the widgets.
    """
    cells = []
    widgets: list[Widget] = []
    for source in split_cells(text):
        magic = _unmagic(source)
        if magic is not None and magic[0].startswith("%md"):
            first = magic[0][3:].strip()
            cells.append(new_markdown_cell("\n".join(([first] if first else []) + magic[1:])))
        elif magic is not None:
            cells.append(new_code_cell("\n".join(magic), metadata={META: {"magic": True}}))
        elif (found := parse_widgets(source)) is not None and not widgets:
            widgets = found
            cells.append(new_code_cell(parameters_code(found), metadata={
                "tags": [PARAMETERS_TAG], META: {"widgets": [asdict(w) for w in found]}}))
            if params:
                cells.append(_injected(found, params))
        else:
            cells.append(new_code_cell(source))
    if params and not widgets:
        raise NotebookFormatError(f"--param {sorted(params)} given, but the notebook declares no widgets")
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})
    nbformat.validate(nb)
    return nb


def _injected(widgets: list[Widget], params: dict[str, str]) -> nbformat.NotebookNode:
    known = {w.name: w for w in widgets}
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise NotebookFormatError(f"unknown parameter(s) {unknown}; this notebook's widgets: {sorted(known)}")
    for name, value in params.items():
        w = known[name]
        if w.choices is not None and w.kind != "multiselect" and value not in w.choices:
            raise NotebookFormatError(f"parameter {name}={value!r} is not one of {w.choices}")
    code = "\n".join(["# Injected by flywheel notebook run --param"] + [
        f"{known[n].var} = {json.dumps(v, ensure_ascii=False)}" for n, v in params.items() if known[n].var])
    return new_code_cell(code, metadata={"tags": [INJECTED_TAG]})


# ---- notebook -> source -----------------------------------------------------------------------
def _assigned_values(code: str) -> dict[str, str]:
    """`var -> value` of the plain string assignments of a parameters cell."""
    values = {}
    for stmt in ast.parse(code).body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            try:
                values[stmt.targets[0].id] = str(ast.literal_eval(stmt.value))
            except ValueError:
                pass
    return values


def _widget_source(cell: nbformat.NotebookNode) -> str:
    widgets = [Widget(**w) for w in cell.metadata[META]["widgets"]]
    values = _assigned_values(cell.source)
    lines = [w.declaration(values.get(w.var) if w.var else None) for w in widgets]
    lines += [f"{w.var} = dbutils.widgets.get({json.dumps(w.name)})" for w in widgets if w.var]
    return "\n".join(lines)


def _magic(lines: list[str]) -> str:
    return "\n".join(f"{MAGIC} {line}" if line else MAGIC for line in lines)


def to_source(nb: nbformat.NotebookNode) -> str:
    """The Databricks source text of a notebook (outputs and injected parameters left out)."""
    parts = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if INJECTED_TAG in tags:
            continue
        if cell.cell_type == "markdown":
            parts.append(_magic(["%md", *cell.source.split("\n")]))
        elif cell.cell_type == "code" and PARAMETERS_TAG in tags and "widgets" in cell.metadata.get(META, {}):
            parts.append(_widget_source(cell))
        elif cell.cell_type == "code" and cell.metadata.get(META, {}).get("magic"):
            parts.append(_magic(cell.source.split("\n")))
        elif cell.cell_type == "code":
            parts.append(cell.source.strip("\n"))
        # raw cells have no Databricks form; they are left out
    return HEADER + "\n" + f"\n\n{SEPARATOR}\n\n".join(parts) + "\n"
