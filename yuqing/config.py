"""Configuration is data: YAML validated against a small schema at load, errors name file:line.

``load(path, schema)`` returns plain dicts and lists with defaults filled in, or
raises :class:`~yuqing.errors.ConfigError` whose message starts with ``file:line:``.
A schema is a mapping of key -> :class:`Field`; nested mappings use ``Field(dict,
schema=…)``, lists use ``Field(list, item=…)`` where ``item`` is a type or a schema.
``check`` is a callable returning an error text (or None) for values that need more
than a type test, e.g. a selector that must compile.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import yaml

from yuqing.errors import ConfigError


class LocatedDict(dict):
    """A mapping that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LocatedList(list):
    """A list that remembers the line of each item (1-based)."""

    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LocatedDict:
    own = sum(1 for key_node, _ in node.value if key_node.tag != "tag:yaml.org,2002:merge")
    loader.flatten_mapping(node)
    merged = len(node.value) - own  # pairs brought in by `<<: *anchor` come first; own keys override them
    result = LocatedDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    own_keys: set = set()
    for position, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (list, dict)):
            raise ConfigError(f"{node.start_mark.name}:{key_node.start_mark.line + 1}: 键不能是列表或映射")
        if position >= merged:
            if key in own_keys:
                raise ConfigError(
                    f"{node.start_mark.name}:{key_node.start_mark.line + 1}: 重复的键 '{key}'"
                )
            own_keys.add(key)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LocatedList:
    result = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def read_yaml(path: str | os.PathLike, text: str | None = None) -> Any:
    """Parse YAML keeping line numbers; a syntax error becomes ConfigError with file:line."""
    name = str(path)
    if text is None:
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except FileNotFoundError:
            raise ConfigError(f"{name}: 配置文件不存在") from None
        except IsADirectoryError:
            raise ConfigError(f"{name}: 是目录，不是配置文件") from None
        except OSError as exc:
            raise ConfigError(f"{name}: 无法读取: {exc.strerror or exc}") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise ConfigError(f"{name}:{line}: 不是 UTF-8 编码（第 {exc.start + 1} 个字节）") from None
    try:
        loader = _Loader(text)
        loader.name = name
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise ConfigError(f"{name}:{line}: YAML 语法错误: {exc.problem or exc.context}") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, before any parsing
        line = text.count("\n", 0, exc.position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise ConfigError(f"{name}:{line}: 含有 YAML 不允许的字符 U+{code:04X}（控制字符或 NUL）") from None
    except RecursionError:
        raise ConfigError(f"{name}: 嵌套过深") from None
    except ValueError as exc:  # an integer longer than Python converts (4,300 digits)
        raise ConfigError(f"{name}: 无法读取的数值: {str(exc)[:60]}") from None


@dataclass(frozen=True)
class Field:
    """One key of a schema."""

    type: type | tuple[type, ...]
    required: bool = False
    default: Any = None
    help: str = ""
    choices: tuple = ()
    schema: Mapping[str, "Field"] | None = None
    item: "type | tuple[type, ...] | Mapping[str, Field] | None" = None
    check: Callable[[Any], str | None] | None = None
    extra_keys: bool = False  # for dict fields without schema: any keys allowed


TYPE_NAMES = {str: "字符串", int: "整数", float: "数字", bool: "布尔值", dict: "映射", list: "列表"}


def _type_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " 或 ".join(TYPE_NAMES.get(k, k.__name__) for k in kinds)


def _is_instance(value: Any, kind: type | tuple[type, ...]) -> bool:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        return False
    if float in kinds and isinstance(value, int) and not isinstance(value, bool):
        return True
    return isinstance(value, kinds)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


@dataclass
class Where:
    """Position of a value: the file and line, plus a dotted key path for the message."""

    file: str
    line: int
    path: str = ""

    def child(self, key: str | int, line: int) -> "Where":
        sub = f"{self.path}[{key}]" if isinstance(key, int) else (f"{self.path}.{key}" if self.path else key)
        return Where(self.file, line, sub)

    def error(self, message: str) -> ConfigError:
        label = f" {self.path}:" if self.path else ""
        return ConfigError(f"{self.file}:{self.line}:{label} {message}")


def validate(value: Any, schema: Mapping[str, Field], where: Where) -> dict:
    """Check a mapping against a schema; return a plain dict with defaults filled in."""
    if not isinstance(value, dict):
        raise where.error(f"应为映射，实际是{_type_name(type(value).__mro__[1] if type(value) is LocatedList else type(value))}")
    line_of = value.line_of if isinstance(value, LocatedDict) else (lambda _k: where.line)
    unknown = [k for k in value if k not in schema]
    if unknown:
        key = unknown[0]
        known = "、".join(schema)
        raise where.child(str(key), line_of(key)).error(f"未知的键 '{key}'（可用: {known}）")
    result: dict = {}
    for key, spec in schema.items():
        if key not in value or value[key] is None:
            if spec.required:
                raise where.error(f"缺少必填键 '{key}'" + (f"（{spec.help}）" if spec.help else ""))
            result[key] = _default(spec)
            continue
        result[key] = check_value(value[key], spec, where.child(key, line_of(key)))
    return result


def _default(spec: Field) -> Any:
    if callable(spec.default):
        return spec.default()
    if isinstance(spec.default, (list, dict)):
        return type(spec.default)(spec.default)
    return spec.default


MAX_NUMBER = 10**9  # no count, limit, weight or duration in our files is larger; beyond it is a typo


def check_value(value: Any, spec: Field, where: Where) -> Any:
    if not _is_instance(value, spec.type):
        raise where.error(f"应为{_type_name(spec.type)}，实际是 {_shown(value)}")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not -MAX_NUMBER <= value <= MAX_NUMBER:
        raise where.error(f"数值超出范围: {_shown(value)}（应在 ±{MAX_NUMBER:,} 以内）")
    if spec.choices and value not in spec.choices:
        raise where.error(f"取值 {value!r} 无效（可选: {'、'.join(map(str, spec.choices))}）")
    if isinstance(value, dict) and spec.schema is not None:
        value = validate(value, spec.schema, where)
    elif isinstance(value, dict):
        value = dict(value)
    elif isinstance(value, list):
        items = []
        for index, item in enumerate(value):
            line = value.line_of(index) if isinstance(value, LocatedList) else where.line
            sub = where.child(index, line)
            if isinstance(spec.item, Mapping):
                items.append(validate(item, spec.item, sub))
            elif spec.item is not None:
                items.append(check_value(item, Field(spec.item), sub))
            else:
                items.append(item)
        value = items
    if spec.check is not None:
        problem = spec.check(value)
        if problem:
            raise where.error(problem)
    return value


def load(path: str | os.PathLike, schema: Mapping[str, Field], text: str | None = None) -> dict:
    """Read and validate one YAML file against ``schema``."""
    data = read_yaml(path, text)
    where = Where(str(path), getattr(data, "line", 1) or 1)
    if data is None:
        data = LocatedDict()
        data.line, data.key_lines = 1, {}
    return validate(data, schema, where)


def located(value: Any) -> tuple[int, Callable[[Any], int]]:
    """(line, line_of) of a loaded value, for validators that walk lists of entries themselves."""
    line = getattr(value, "line", 0)
    return line, getattr(value, "line_of", lambda _k: line)


__all__ = ["Field", "Where", "load", "read_yaml", "validate", "check_value", "located", "LocatedDict",
           "LocatedList"]
