"""gunicorn config for the load test and the benchmark: every worker, once it has loaded the app,
leaves a file named after its pid in ``$WIJSCAN_LOAD_READY_DIR``, so "the server is up" can mean
"every worker is up" (a worker still importing would otherwise be measured or killed mid-boot)."""

import os
from pathlib import Path


def post_worker_init(worker):
    ready = os.environ.get("WIJSCAN_LOAD_READY_DIR")
    if ready:
        Path(ready, str(worker.pid)).touch()
