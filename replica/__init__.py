"""The replica drill: reports read a real streaming replica, writes go to the primary
(docs/reports.md, Reading from a replica). ``make replica``; never part of ``make test``."""
