"""Pick up edited rule and scheme files while the service runs (no restart needed).

The service asks ``check()`` before each analysis cycle. When either file changed (size or
modification time), both are loaded and validated again; a valid pair replaces the engine's rules,
an invalid one is refused with its file:line error (kept in ``error`` for the health endpoint and
logged) and the rules in force stay as they were.
"""

from __future__ import annotations

import logging
from pathlib import Path

from analysis.rules import RULES_PATH, SCHEMES_PATH, RuleSet, load_rules
from yuqing.errors import ConfigError

LOGGER = logging.getLogger(__name__)


class RulesReloader:
    def __init__(self, rules_path: str | Path = RULES_PATH, schemes_path: str | Path = SCHEMES_PATH) -> None:
        self.paths = (Path(rules_path), Path(schemes_path))
        self.stamp = self._stamp()
        self.error: str | None = None

    def _stamp(self) -> tuple:
        out = []
        for path in self.paths:
            try:
                info = path.stat()
            except OSError:
                out.append(None)
            else:
                out.append((info.st_mtime_ns, info.st_size))
        return tuple(out)

    def check(self) -> RuleSet | None:
        """The newly loaded rules when a file changed since the last check and both are valid, else None."""
        stamp = self._stamp()
        if stamp == self.stamp:
            return None
        self.stamp = stamp
        try:
            rules = load_rules(self.paths[0], schemes_path=self.paths[1])
        except (ConfigError, OSError) as exc:
            self.error = str(exc)
            LOGGER.error("edited rules refused, the rules in force stay: %s", exc)
            return None
        self.error = None
        LOGGER.info("rules reloaded from %s: %d rules, %d schemes", self.paths[0], len(rules.rules), len(rules.schemes))
        return rules


__all__ = ["RulesReloader"]
