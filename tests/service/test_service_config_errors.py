"""`yuqing run` with a malformed sources, rules or notify file: a non-zero exit naming file:line, and
nothing half-started (no crawl child, health port never bound, Elasticsearch never contacted)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from yuqing import esnode

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BAD = {
    "sources": ("sources.yaml", "sources:\n  - name: x\n    kind: news\n    colour: red\n", 4),
    "rules": ("rules.yaml", "levels:\n  push_from: Ⅱ\nrules:\n  - name: 坏规则\n    when: 'sentiment <'\n"
              "    level: 紫\n", None),
    "notify": ("notify.yaml", "channels:\n  hook:\n    type: pigeon\n    url: http://127.0.0.1:1/\n", 3),
}


def _processes_with(marker: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if marker.encode() in (proc / "environ").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


@pytest.mark.parametrize("kind", sorted(BAD))
def test_malformed_configuration_stops_yuqing_run_before_anything_starts(kind, tmp_path):
    name, text, line = BAD[kind]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    port = esnode.free_port()
    marker = f"yuqing-config-test-{uuid.uuid4().hex}"
    env = {**os.environ, "ES_URL": "http://127.0.0.1:9", "YUQING_DATA_DIR": str(tmp_path / "data"),
           "YUQING_TEST_MARKER": marker}
    result = subprocess.run([sys.executable, "-m", "yuqing", "run", f"--{kind}", str(path), "--health-port",
                             str(port), "--sandbox", "http://127.0.0.1:9"], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    where = f"{path}:{line}" if line else f"{path}:"
    assert where in result.stderr, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    with socket.socket() as probe:
        probe.settimeout(0.5)
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # the health port was never bound
    assert _processes_with(marker) == []  # no crawl child left behind
    assert not (tmp_path / "data" / "spool").exists()
