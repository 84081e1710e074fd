"""Edited rules apply to the running service's next analysis cycle; a broken edit is refused, named and reported."""

from __future__ import annotations

import os
import shutil

from analysis.rules import RULES_PATH, SCHEMES_PATH
from yuqing.alerts.reload import RulesReloader
from yuqing.service.app import Service, ServiceConfig

NEW_RULE = """
  - name: 新增测试规则
    type: media_coverage
    level: Ⅳ
    options: {media_levels: [行业]}
"""


def _copy_config(tmp_path):
    rules, schemes = tmp_path / "rules.yaml", tmp_path / "schemes.yaml"
    shutil.copy(RULES_PATH, rules)
    shutil.copy(SCHEMES_PATH, schemes)
    return rules, schemes


def _touch_later(path, text):
    """Write ``text`` and move the modification time on, as an edit a second later would."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))


def test_unchanged_files_give_nothing_and_an_edit_gives_the_new_rules(tmp_path):
    rules, schemes = _copy_config(tmp_path)
    reloader = RulesReloader(rules, schemes)
    assert reloader.check() is None
    _touch_later(rules, rules.read_text(encoding="utf-8") + NEW_RULE)
    loaded = reloader.check()
    assert loaded is not None and "新增测试规则" in [r.name for r in loaded.rules]
    assert reloader.check() is None and reloader.error is None


def test_a_broken_edit_is_refused_with_file_and_line(tmp_path):
    rules, schemes = _copy_config(tmp_path)
    reloader = RulesReloader(rules, schemes)
    text = rules.read_text(encoding="utf-8")
    _touch_later(rules, text + "\n  - name: 坏规则\n    type: 不存在的类型\n    level: Ⅲ\n")
    assert reloader.check() is None
    line = len((text + "\n  - name: 坏规则\n    type: 不存在的类型\n").splitlines())
    assert reloader.error.startswith(f"{rules}:{line}:") and "未知的规则类型" in reloader.error


def test_the_service_applies_an_edit_and_reports_a_refused_one(store, tmp_path):
    rules, schemes = _copy_config(tmp_path)
    service = Service(store, ServiceConfig(health_port=0, digests=False), reloader=RulesReloader(rules, schemes))
    service.analyse(None)
    assert "新增测试规则" not in [r.name for r in service.engine().rules.rules]
    _touch_later(rules, rules.read_text(encoding="utf-8") + NEW_RULE)
    service.analyse(None)
    assert "新增测试规则" in [r.name for r in service.engine().rules.rules]
    assert "rule:新增测试规则" in service.engine().filters
    assert "rules_error" not in service.health()
    _touch_later(rules, "rules: [oops\n")
    service.analyse(None)
    assert "新增测试规则" in [r.name for r in service.engine().rules.rules]  # the rules in force stay
    assert "修改后的预警规则未生效" in service.health()["rules_error"]
