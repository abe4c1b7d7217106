"""Benchmarks of BranchDesk on a large branch: ``python -m benchmarks`` prints the table."""
