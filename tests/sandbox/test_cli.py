"""`yuqing sandbox serve` as a user runs it: a real process on a free loopback port."""

import re
import subprocess
import sys
import time
from datetime import datetime

from .conftest import fetch_json


def test_serve_on_a_free_port_with_speed_and_start():
    process = subprocess.Popen(
        [sys.executable, "-m", "yuqing", "sandbox", "serve", "--port", "0", "--speed", "3600",
         "--start", "2025-06-01T09:00:00+08:00"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
        assert match, line + process.stderr.read()
        url = match[1]
        first = datetime.fromisoformat(fetch_json(url + "/__sandbox/clock")[1]["now"])
        time.sleep(0.5)
        state = fetch_json(url + "/__sandbox/clock")[1]
        second = datetime.fromisoformat(state["now"])
        assert state["epoch"] == "2025-06-01T09:00:00+08:00" and state["speed"] == 3600
        assert (second - first).total_seconds() >= 0.4 * 3600
    finally:
        process.terminate()
        process.wait(10)


def test_serve_refuses_a_negative_speed():
    result = subprocess.run([sys.executable, "-m", "yuqing", "sandbox", "serve", "--speed", "-1"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "--speed" in result.stderr
