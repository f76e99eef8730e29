"""Sample Kausal Watch pages and a sample site (tests, `vahti demo`, benchmarks)."""
