"""The benchmark (`make bench`, README.md "The benchmark"): district-scale data, and each
measurement as a ratio against its floor taken in the same run (docs/quality.md, Speed)."""
