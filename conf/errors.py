"""The kind of error a user can fix by changing a flag, a key or a path.

The `flywheel` command prints such an error as one line (what went wrong and what to do
next) and exits with status 2, instead of a Python traceback. Anything else is a bug and
keeps its traceback.
"""


class UserError(Exception):
    """A mistake in the user's input (config key, path, missing table, missing tool)."""
