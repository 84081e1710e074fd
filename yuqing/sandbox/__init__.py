"""A local website for tests and the demo: news sites, message boards, a social feed and faults,
with scripted scenarios that unfold over simulated time. Loopback only."""

from yuqing.sandbox.clock import SandboxClock
from yuqing.sandbox.server import SandboxApp, SandboxServer
from yuqing.sandbox.world import DEFAULT_EPOCH, World, build_world

__all__ = ["SandboxClock", "SandboxServer", "SandboxApp", "World", "build_world", "DEFAULT_EPOCH"]
