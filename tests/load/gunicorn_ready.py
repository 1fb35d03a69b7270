"""gunicorn config for the load test and the benchmark.

- Every worker, once it has loaded the app, leaves a file named after its pid in
  ``$WIJSCAN_LOAD_READY_DIR``, so "the server is up" can mean "every worker is up" (a worker still
  importing would otherwise be measured, or killed mid-boot).
- The master watches the process that started it (``$WIJSCAN_LOAD_PARENT_PID``): when that one
  is gone — a test run killed by a timeout gets no chance to clean up — it SIGKILLs its own
  process group, so no server outlives its test.
"""

import os
import signal
import threading
import time
from pathlib import Path


def post_worker_init(worker):
    ready = os.environ.get("WIJSCAN_LOAD_READY_DIR")
    if ready:
        Path(ready, str(worker.pid)).touch()


def when_ready(server):
    parent = os.environ.get("WIJSCAN_LOAD_PARENT_PID")
    if parent:
        threading.Thread(target=_watch, args=(int(parent),), daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:  # an orphan is adopted by another process
        time.sleep(0.5)
    os.killpg(os.getpgrp(), signal.SIGKILL)
