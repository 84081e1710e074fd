"""Shared fixtures: one world per session, a fresh loopback server (manual clock) per test."""

from __future__ import annotations

import json
import urllib.request

import pytest

from yuqing.sandbox import DEFAULT_EPOCH, SandboxClock, SandboxServer, build_world


@pytest.fixture(scope="session")
def world():
    return build_world()


@pytest.fixture
def sandbox(world):
    with SandboxServer(world=world, clock=SandboxClock.manual(DEFAULT_EPOCH), slow_seconds=1.0) as server:
        yield server


def fetch(url: str, data: bytes | None = None, timeout: float = 5.0, headers: dict | None = None):
    """(status, headers, body bytes); HTTP errors are returned, not raised."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def fetch_json(url: str, payload=None):
    data = None if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
    status, _headers, body = fetch(url, data, headers={"Content-Type": "application/json"})
    return status, json.loads(body.decode("utf-8"))
