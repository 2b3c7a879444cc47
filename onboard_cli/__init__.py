"""`syncro-onboard`: the day-two tool (import, status, diagnose, sla-report)."""
