"""privlint: a privacy policy-as-code linter for Python."""

__version__ = "0.1.0"
