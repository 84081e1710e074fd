"""Help text and parser messages in Chinese that fit the terminal.

argparse wraps only at spaces and counts characters, so a Chinese description came out as one
line twice the terminal's width. This formatter counts a wide character as two columns, may break
between any two Chinese characters (never before closing punctuation), and keeps the line breaks
a text spells out (the top-level overview is laid out by hand). argparse's own words (usage,
options, "error: the following arguments are required") are said in Chinese too."""

from __future__ import annotations

import argparse
import re

from yuqing.columns import width_of

# A unit is a run of non-space characters that are not wide (an English word, a number, a flag),
# a single wide character, or a run of spaces.
_UNITS = re.compile(r"\s+|[^\s\u1100-\uffff]+|.", re.S)
_NO_LINE_START = set("，。、；：？！）》」』”’】…,.;:?!)")


def wrap(text: str, columns: int, keep_spaces: bool = False) -> list[str]:
    """``text`` (one paragraph) in lines of at most ``columns`` display columns where possible;
    runs of spaces inside a line are kept when ``keep_spaces`` (text laid out by hand)."""
    lines: list[str] = []
    line: list[str] = []  # the units of the line being filled
    for unit in _UNITS.findall(text):
        if unit.isspace():
            if line:
                line.append(unit if keep_spaces else " ")
            continue
        if line and width_of("".join(line).rstrip() + unit) > columns:
            carried: list[str] = []
            if unit[0] in _NO_LINE_START and len(line) > 1 and width_of(line[-1]) == 2:
                carried = [line.pop()]  # closing punctuation takes the character before it along
            lines.append("".join(line).rstrip())
            line = carried
        line.append(unit)
    if "".join(line).strip():
        lines.append("".join(line).rstrip())
    return lines or [""]


class HelpFormatter(argparse.HelpFormatter):
    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(" ".join(text.split()), max(width, 20))

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" not in text.strip():
            return "\n".join(indent + line for line in wrap(" ".join(text.split()), max(width, 20)))
        out = []
        for raw in text.strip("\n").splitlines():
            lead = raw[: len(raw) - len(raw.lstrip())]
            if not raw.strip():
                out.append("")
                continue
            if width_of(raw) <= width:
                out.append(indent + raw)
                continue
            # "  term      description": continuation lines start under the description
            term = re.match(r"(\s*\S.*?\s{2,})(?=\S)", raw)
            hang = term.group(1) if term else lead
            lines = wrap(raw[len(hang):].strip(), max(width - width_of(hang), 20), keep_spaces=True)
            out += [indent + (hang if n == 0 else " " * width_of(hang)) + line
                    for n, line in enumerate(lines)]
        return "\n".join(out)


def apply(parser: argparse.ArgumentParser) -> None:
    """Use :class:`HelpFormatter` for ``parser`` and every sub-command parser below it."""
    parser.formatter_class = HelpFormatter
    for action in parser._actions:  # noqa: SLF001 - argparse keeps sub-parsers only here
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for sub in set(action.choices.values()):
                apply(sub)


# argparse's own messages, looked up through its module-level ``_`` each time one is built.
_CHINESE = {
    "usage: ": "用法: ",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s: %(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: 错误: %(message)s\n",
    "unrecognized arguments: %s": "无法识别的参数: %s",
    "the following arguments are required: %s": "缺少必需的参数: %s",
    "one of the arguments %s is required": "须给出其中一个参数: %s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多一个值",
    "expected at least one argument": "至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是 %(matches)s",
    "invalid %(type)s value: %(value)r": "%(type)s 值无效: %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的值: %(value)r（可选: %(choices)s）",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有子命令 %(parser_name)r（可用: %(choices)s）",
}


def speak_chinese() -> None:
    """argparse's messages in Chinese from now on in this process (call before building parsers:
    the -h help and the section titles are taken when a parser is made)."""
    argparse._ = lambda message: _CHINESE.get(message, message)  # noqa: SLF001
