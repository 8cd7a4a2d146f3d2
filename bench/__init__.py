"""Benchmarks for issue #5: each figure measured against an anchor in the same run (``python -m bench.run``)."""
