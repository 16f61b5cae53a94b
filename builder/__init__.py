"""newsroom: a static site generator for a programme news archive."""

__version__ = "0.1.0"
