"""One module per ``python -m dashboard`` command; each exposes ``register(subparsers)``."""
