"""One module per analysis command of ``investable``; each exposes ``register(subparsers)``."""
