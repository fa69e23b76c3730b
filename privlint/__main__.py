"""`python -m privlint`: the same command as the `privlint` console script."""

import os
import sys

# `python -m` puts the current folder first on sys.path, so a scanned project's own
# `yaml.py` or `typer.py` would be imported, that is run, as privlint loads its
# dependencies. privlint itself is already imported; its modules come from its package.
if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from privlint.cli import main

if __name__ == "__main__":
    main()
