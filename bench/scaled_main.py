"""Bench-only entry point for a scaled rate limit (see bench/README.md, "Scale factor").

`resources/settings.py` refuses `syncro:requestsPerMinute` above Syncro's documented
180 a minute, which is right for a real tenant. The benchmark runs the emulator at
180*F and the client at 170*F so that the 200-customer runs take minutes, not an
hour; this wrapper raises only that validation cap to 180*F (`BENCH_SCALE_FACTOR`)
and then runs the repository's `__main__.py` unchanged (`bench/run.py` links it into
the temporary project as `program_main.py` and copies this file as `__main__.py`).
"""

import os
import runpy
from pathlib import Path

import resources.settings

resources.settings.SYNCRO_REQUESTS_PER_MINUTE = int(180 * float(os.environ["BENCH_SCALE_FACTOR"]))
runpy.run_path(str(Path(__file__).with_name("program_main.py")), run_name="__main__")
