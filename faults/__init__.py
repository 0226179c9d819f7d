"""The fault drill (`make faults`, docs/operations.md "The fault drill"): the app served by
gunicorn with a job worker, village stations submitting events and case intakes that retry
with their own keys, while PostgreSQL is restarted twice and the worker is killed in the
middle of a background import. It prints sent / acknowledged / stored / duplicated / lost, the
answers seen while the database was away, and how the import ended."""
