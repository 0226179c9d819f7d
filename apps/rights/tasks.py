"""The rights app's periodic task (procrastinate finds this module, docs/jobs.md)."""

from procrastinate.contrib.django import app

from apps.core.queue import fresh_connections
from apps.rights.services.escalation import cases_escalate, referrals_escalate


@app.periodic(cron="*/15 * * * *", periodic_id="escalate_cases")
@app.task(name="rights.escalate_cases", queue="jobs", queueing_lock="rights.escalate_cases")
@fresh_connections
def escalate_cases(timestamp: int) -> None:
    """Every 15 minutes: escalate the cases past their deadlines (docs/rights.md)."""
    cases_escalate()
    referrals_escalate()
