"""``python -m tengojit [flags] FILE [args...]``: the same as the ``tengojit`` command."""
from .cli import command

command()
