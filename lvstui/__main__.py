"""``python -m lvstui``: the same as the ``lvstui`` command."""

import sys

from .cli import main

sys.exit(main())
