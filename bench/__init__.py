"""The benchmark (`make bench`, README.md "The benchmark"): district-scale data, and each
measurement as a ratio against its floor taken in the same run (docs/quality.md, Speed)."""

# The measurements by name, in the order of issue 9's list (python -m bench --only NAME).
STEPS = ["lists", "sync", "imports", "admin", "duplicates", "create", "reports", "events"]
