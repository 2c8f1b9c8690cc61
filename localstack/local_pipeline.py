"""The whole pipeline on the local emulator: ``python localstack/local_pipeline.py COMMAND``.

Commands (``localrun/cli.py``): ``up``, ``down``, ``restart serve|endpoint|runner``,
``status``, ``demo``, ``bench``. The code lives in the ``localrun`` package beside this file.
"""

import sys

from localrun.cli import main

if __name__ == "__main__":
    sys.exit(main())
