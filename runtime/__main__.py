"""``python -m tengojit [flags] FILE [args...]``: the same as the ``tengojit`` command."""
import sys

from .cli import main

sys.exit(main())
