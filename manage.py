#!/usr/bin/env python
"""Developer entry point; the installed console script ``uzart`` does the same."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from uzart.cli import main

if __name__ == "__main__":
    main()
