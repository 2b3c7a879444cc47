"""The syncro-onboarding policy pack: `pulumi preview|up --policy-pack policies`.

The rules live in policies/syncro_rules.py and read resources/catalog.py, so the
repository root goes on sys.path first (the analyzer runs this file with the
policy pack folder as its only import root).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from policies.syncro_rules import POLICIES  # noqa: E402

PolicyPack(
    name="syncro-onboarding",
    policies=POLICIES,
    # Each advisory rule says so itself; everything else blocks the deployment.
    enforcement_level=EnforcementLevel.MANDATORY,
)
