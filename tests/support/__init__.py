"""What the tests and the benchmarks share: real media made with PyAV, scoring as the field does it, builders
of transcripts, and the CLI invoker. Importable as ``tests.support`` (pytest's ``pythonpath`` is the root)."""
