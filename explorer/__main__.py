"""`python -m explorer` is the `autograd-explorer` command."""

import sys

from explorer.cli import main

sys.exit(main())
