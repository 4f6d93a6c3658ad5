"""Benchmarks (`python -m bench <name>`), each measuring tuoyu against the raw database doing
the same work in the same run and printing the ratios. Not part of the test suite; results
are recorded in bench/RESULTS.md."""
