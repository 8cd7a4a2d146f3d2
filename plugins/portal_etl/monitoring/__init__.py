"""Run monitoring for data engineers: per-source run metrics, source health, status."""
