"""Benchmarks for stt. Run them with ``python -m bench.asr`` (see bench/README.md)."""
