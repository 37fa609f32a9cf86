"""`flywheel notebook …`: Databricks source notebooks turned into Jupyter notebooks and executed.

`databricks.py` converts between the two formats (both ways, so a notebook survives
`source -> ipynb -> source`); `execute.py` runs a notebook in a real Jupyter kernel (nbclient) and
writes the executed `.ipynb`, its figures as PNG and its result tables as CSV; `cli.py` is the
command. Nothing here imports the notebooks or the parts they read: a notebook reaches the
tables from inside its own kernel.
"""
