"""`python -m privlint`: the same command as the `privlint` console script."""

from privlint.cli import main

if __name__ == "__main__":
    main()
