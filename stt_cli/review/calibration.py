"""Provisional: replaced by ``python -m bench.review --write``."""

MODEL = "none"
KNOTS = ((0.0, 0.0), (1.0, 1.0))
