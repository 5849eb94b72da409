"""`python -m bot`: see bot.cli."""

import logging
import os
import sys

from bot.cli import main

code = main()
# The work is done and saved; skip tearing down pyvi's scikit-learn/SciPy modules, which
# costs 0.1–0.3 s of a one-question `ask`. Flush what the normal exit would have flushed.
logging.shutdown()
try:
    sys.stdout.flush()
    sys.stderr.flush()
except BrokenPipeError:  # `python -m bot sources | head`
    code = code or 1
os._exit(code)
