"""Benchmarks (not tests): see docs/extraction.md."""
