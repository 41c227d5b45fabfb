"""``python -m trackreport``: the command line (see :mod:`trackreport.cli`)."""

import sys

from trackreport.cli import main

if __name__ == "__main__":
    sys.exit(main())
