"""Benchmarks: each figure measured against an anchor in the same run (``python -m bench.run``),
so a ratio holds on a shared machine where absolute seconds do not."""
