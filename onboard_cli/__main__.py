"""`python -m onboard_cli` = `syncro-onboard` (scripts/set-edr-keys runs it this way, so the
checkout's own code answers whichever checkout the shared virtualenv was installed from)."""

from onboard_cli.app import app

app(prog_name="syncro-onboard")
