"""What is wrong with a CSS or XPath selector of the sources file, said in Chinese.

cssselect and lxml say it in English ("Expected ']', got <EOF at 4>", "Invalid predicate"), and lxml
compiles an unknown function or a wrong number of arguments without a word: the crawl fails on the
first page instead. ``css_problem`` reads cssselect's words (they carry a position); ``xpath_problem``
scans the expression itself (quotes, brackets, steps, function calls) and falls back on lxml's words,
which never say where. Positions are counted from 1, in characters."""

from __future__ import annotations

import ast
import difflib
import re

# ----------------------------------------------------------------- CSS

# A cssselect token as its messages print it: <EOF at 4>, <DELIM '#' at 0>, <IDENT 'x' at 12>.
_TOKEN = re.compile(r"<(?P<type>[A-Z]+)(?: (?P<value>.*?))? at (?P<pos>\d+)>")
_PSEUDO_NAME = re.compile(r"::(?:FunctionalPseudoElement\[::)?(?P<name>[\w-]+)")
PSEUDO_CLASSES = (
    "first-child", "last-child", "only-child", "first-of-type", "last-of-type", "only-of-type", "empty",
    "root", "checked", "link", "disabled", "enabled", "nth-child()", "nth-last-child()", "nth-of-type()",
    "nth-last-of-type()", "not()", "has()", "is()", "where()", "contains()", "lang()",
)
_ATTRIBUTE_OPERATORS = "=、~=、^=、$=、*=、|=、!="
_TAKE = "取文本写 ::text，取属性写 ::attr(属性名)"


def css_problem(selector: str, exc: Exception) -> str:
    """What is wrong with ``selector``, which cssselect (or lxml, given its translation) refused."""
    raw = str(exc)
    what = _css_reason(selector, raw)
    if _looks_like_xpath(selector):
        what += "；这像是 XPath：只有以 / 或 ( 或 normalize-space( 等字符串函数开头的才按 XPath 解析（如 //h1/text()），其余都按 CSS"
    return what


def _token(raw: str) -> tuple[str, str | None, int] | None:
    found = _TOKEN.search(raw)
    if not found:
        return None
    value = found["value"]
    if value is not None:
        try:
            value = str(ast.literal_eval(value))
        except (ValueError, SyntaxError):
            pass
    return found["type"], value, int(found["pos"])


def _place(selector: str, pos: int) -> str:
    """'第 5 个字符 '['' or '结尾处'."""
    if pos >= len(selector.rstrip()):
        return "结尾处"
    return f"第 {pos + 1} 个字符 {selector[pos]!r}"


def _css_reason(selector: str, raw: str) -> str:  # noqa: C901, PLR0911, PLR0912 - one case per message
    token = _token(raw)
    kind, value, pos = token if token else ("", None, len(selector))
    at_end = kind == "EOF"
    tail = selector.rstrip()
    if found := re.match(r"(Unclosed|Invalid) string at (\d+)", raw):
        start = int(found[2])
        if found[1] == "Unclosed":
            return f"第 {start + 1} 个字符的引号 {selector[start]} 没有闭合"
        return f"第 {start + 1} 个字符起的字符串写法有误（引号内不能换行）"
    if "not at the end of a selector" in raw:
        name = _pseudo_name(raw)
        return f"伪元素 ::{name} 只能写在选择器最后（如 'p::text'、'a::attr(href)'）"
    if raw.startswith("Got pseudo-element"):
        name = _pseudo_name(raw)
        return f"伪元素 ::{name} 不能写在括号里（如 :not(...) 中），只能写在选择器最后"
    if raw.startswith("Got nested :not()"):
        return ":not() 里不能再套 :not()"
    if found := re.match(r"The functional pseudo-element ::(.+?)\(\) is unknown", raw):
        name = found[1]
        if name == "text":
            return "::text 后面不加括号"
        return f"没有伪元素 ::{name}(){_guess(name, ['attr'], '::{}(...)')}；{_TAKE}"
    if found := re.match(r"The pseudo-element ::(.+?) is unknown", raw):
        name = found[1]
        if name == "attr":
            return "::attr 后要用括号写出属性名，如 ::attr(href)"
        return f"没有伪元素 ::{name}{_guess(name, ['text', 'attr'], '::{}')}；{_TAKE}"
    if found := re.match(r"The pseudo-class :(.+?)(\(\))? is unknown", raw):
        name = found[1] + (found[2] or "")
        if found[1] in ("text", "attr"):
            return f"伪元素要写两个冒号：::{name}"
        return f"不支持伪类 :{name}" + (
            _guess(name, PSEUDO_CLASSES, ":{}")
            or "（常用的有 :first-child、:last-child、:nth-child(2)、:not(...)、:contains(文字)）"
        )
    if raw.startswith("Invalid series"):
        found = re.search(r":(nth-[\w-]+)\(", selector)
        name = f":{found[1]}()" if found else ":nth-child() 等"
        return f"{name} 的参数应为 odd、even、数字或 an+b 的形式（如 2n+1）"
    if found := re.match(r"Expected a single string or ident for (::attr|:contains|:lang)\(\)", raw):
        example = {"::attr": "::attr(href)", ":contains": ":contains(投诉)", ":lang": ":lang(zh)"}[found[1]]
        return f"{found[1]}() 的括号里应写一个值，如 {example}"
    if raw.startswith("Expected ident or '*'"):  # after '[' (or a namespace '|')
        if value == "@":
            return "CSS 的属性名前不加 @（@ 是 XPath 的写法），写作 [class] 或 [class='news']"
        return "方括号 [ 后缺少属性名" if at_end else f"{_place(selector, pos)} 处应为属性名"
    if raw.startswith("Operator expected"):  # [name then neither an operator nor ']'
        if at_end:
            return _brackets(selector) or "方括号 [ 没有闭合"
        return f"属性条件中 {_place(selector, pos)} 处应为 ] 或比较符（{_ATTRIBUTE_OPERATORS}）"
    if raw.startswith("Expected string or ident"):  # [name= then no value
        return f"属性条件的比较符后缺少值（{_place(selector, pos)}），如 [class='news']"
    if raw.startswith("Expected ']'"):
        if at_end:
            return _brackets(selector) or "方括号 [ 没有闭合"
        return f"{_place(selector, pos)} 处应为 ]"
    if raw.startswith(("Expected ')'", "Expected an argument")):
        if at_end:
            return _brackets(selector) or "括号 ( 没有闭合"
        return f"括号里的写法有误（{_place(selector, pos)}）"
    if raw.startswith("Expected ident"):
        if at_end:
            if tail.endswith("::"):
                return f"结尾的 :: 后缺少伪元素名（{_TAKE}）"
            if tail.endswith(":"):
                return "结尾的 : 后缺少伪类名"
            if tail.endswith("."):
                return "结尾的 . 后缺少类名"
            return "结尾处缺少名称"
        before = selector[pos - 1] if pos else ""
        if before == ".":
            return f"第 {pos} 个字符的 . 后缺少类名（接着的是 {value!r}）"
        if before == ":":
            return f"第 {pos} 个字符的 : 后缺少伪类名（接着的是 {value!r}）"
        return f"{_place(selector, pos)} 处应为名称"
    if raw.startswith("Expected selector"):
        if at_end:
            last = tail[-1:] if tail else ""
            if last in (">", "+", "~"):
                return f"结尾的组合符 {last} 后缺少选择器"
            if last == ",":
                return "结尾的逗号后缺少选择器"
            if last == "(":
                return _brackets(selector) or "括号 ( 没有闭合"
            return "选择器不完整"
        if value == "#":
            return f"第 {pos + 1} 个字符的 # 后缺少 id 名（如 #main）"
        if value == ",":
            return f"第 {pos + 1} 个字符的逗号前缺少选择器"
        if value in (">", "+", "~"):
            return f"第 {pos + 1} 个字符的组合符 {value} 前缺少选择器"
        if value == "(":
            return f"第 {pos + 1} 个字符的括号 ( 用错了地方（CSS 中括号只跟在 :nth-child、:not 等伪类后）"
        if kind == "DELIM":
            return f"第 {pos + 1} 个字符 {value!r} 不能用在 CSS 选择器中"
        return f"{_place(selector, pos)} 处缺少选择器"
    if "Undefined namespace prefix" in raw:  # a|b: the part before '|' is a namespace
        found = re.search(r"([\w-]*)\|", selector)
        prefix = found[1] if found else ""
        return (f"命名空间前缀 {prefix}| 未定义（CSS 的 | 表示命名空间，网页用不到；"
                "要写“或”请用逗号，如 'h1, h2'）")
    if "Combined selectors are not supported inside" in raw:
        return ":is()、:where() 的括号里只能写简单选择器，不能有空格、> 等组合符"
    if raw.startswith("All strings must be XML compatible"):
        return "含有控制字符（如转义 \\1 写出的字符），网页里不会有"
    if ":scope" in raw:
        return ":scope 只能写在选择器开头"
    if raw.startswith(":not() is not supported inside"):
        return ":is()、:where() 的括号里不能写 :not()"
    return f"无法解析（{raw}）"


def _pseudo_name(raw: str) -> str:
    found = _PSEUDO_NAME.search(raw)
    return found["name"] if found else "text"


def _guess(name: str, choices, template: str) -> str:
    close = difflib.get_close_matches(name, [c.rstrip("()") for c in choices], n=1, cutoff=0.5)
    if not close:
        return ""
    full = next(c for c in choices if c.rstrip("()") == close[0])
    return f"（是不是 {template.format(full)}？）"


def _looks_like_xpath(selector: str) -> bool:
    text = selector.strip()
    return "//" in text or text.startswith(("./", "../", "@")) or bool(re.match(r"[\w-]+\(.*/", text))


# ----------------------------------------------------------------- XPath

_NCNAME = r"[A-Za-z_\u00b7-\uffff][\w.\-\u00b7-\uffff]*"
_XPATH_TOKENS = re.compile(
    rf"""(?P<space>\s+)
    |(?P<literal>"[^"]*"|'[^']*')
    |(?P<number>\d+(?:\.\d*)?|\.\d+)
    |(?P<variable>\$(?:{_NCNAME}:)?{_NCNAME})
    |(?P<axis>{_NCNAME}(?=\s*::))
    |(?P<name>{_NCNAME}(?::(?:{_NCNAME}|\*))?)
    |(?P<op>//|::|\.\.|!=|<=|>=|[/()\[\]@,|+\-=<>*.])
    |(?P<other>.)""",
    re.X | re.S,
)
NODE_TYPES = {"text", "node", "comment", "processing-instruction"}
AXES = {
    "ancestor", "ancestor-or-self", "attribute", "child", "descendant", "descendant-or-self", "following",
    "following-sibling", "namespace", "parent", "preceding", "preceding-sibling", "self",
}
# Functions lxml evaluates for parsel (XPath 1.0, parsel's has-class, EXSLT re: and set:): (least, most) arguments.
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "last": (0, 0), "position": (0, 0), "count": (1, 1), "id": (1, 1), "local-name": (0, 1),
    "namespace-uri": (0, 1), "name": (0, 1), "string": (0, 1), "concat": (2, None), "starts-with": (2, 2),
    "contains": (2, 2), "substring-before": (2, 2), "substring-after": (2, 2), "substring": (2, 3),
    "string-length": (0, 1), "normalize-space": (0, 1), "translate": (3, 3), "boolean": (1, 1), "not": (1, 1),
    "true": (0, 0), "false": (0, 0), "lang": (1, 1), "number": (0, 1), "sum": (1, 1), "floor": (1, 1),
    "ceiling": (1, 1), "round": (1, 1), "has-class": (1, None),
    "re:test": (2, 3), "re:match": (2, 3), "re:replace": (4, 4),
    "set:difference": (2, 2), "set:intersection": (2, 2), "set:distinct": (1, 1), "set:has-same-node": (2, 2),
    "set:leading": (2, 2), "set:trailing": (2, 2),
}
PREFIXES = ("re", "set")
# XPath 2.0 and later, which people copy from other tools; lxml (libxml2) has XPath 1.0 only.
XPATH2_FUNCTIONS = {
    "ends-with", "matches", "replace", "tokenize", "lower-case", "upper-case", "string-join", "exists", "empty",
    "distinct-values", "abs", "min", "max", "avg", "contains-token", "normalize-unicode", "data", "head", "tail",
}
_OPERATOR_NAMES = {"and", "or", "div", "mod"}
_OPERATORS = {"=", "!=", "<", "<=", ">", ">=", "+", "-", "|", "and", "or", "div", "mod", ","}
_CLOSE = {")": "(", "]": "["}
_BRACKET = {"(": "括号 (", "[": "方括号 ["}


def xpath_problem(selector: str, exc: Exception | None = None) -> str | None:
    """What is wrong with ``selector``; ``exc`` is what lxml raised compiling it (None when it compiled,
    and only what it cannot see is looked for: unknown functions, argument counts, variables)."""
    if exc is not None:
        problem = _brackets(selector)
        if problem:
            return problem
    tokens = _xpath_tokens(selector)
    problem = _xpath_calls(tokens)
    if problem or exc is None:
        return problem
    return _xpath_steps(selector, tokens) or _lxml_reason(selector, str(exc))


def _xpath_tokens(selector: str) -> list[tuple[str, str, int]]:
    """(kind, text, position) of each token but spaces; an unclosed quote is an 'other' token."""
    tokens = []
    for found in _XPATH_TOKENS.finditer(selector):
        kind = found.lastgroup
        if kind != "space":
            tokens.append((kind, found.group(), found.start()))
    return tokens


def _brackets(selector: str) -> str | None:
    """An unclosed quote, an unclosed or stray bracket, with where it is (CSS or XPath)."""
    opened: list[tuple[str, int]] = []
    i = 0
    while i < len(selector):
        char = selector[i]
        if char in "'\"":
            end = selector.find(char, i + 1)
            if end < 0:
                return f"第 {i + 1} 个字符的引号 {char} 没有闭合"
            i = end + 1
            continue
        if char in "([":
            opened.append((char, i))
        elif char in ")]":
            if not opened:
                return f"第 {i + 1} 个字符的 {char} 是多余的（前面没有对应的 {_CLOSE[char]}）"
            start, where = opened.pop()
            if start != _CLOSE[char]:
                return f"第 {where + 1} 个字符的{_BRACKET[start]} 没有闭合，却在第 {i + 1} 个字符遇到了 {char}"
        i += 1
    if opened:
        start, where = opened[-1]
        return f"第 {where + 1} 个字符的{_BRACKET[start]} 没有闭合"
    return None


def _ends_operand(token: tuple[str, str, int] | None) -> bool:
    return token is not None and (token[0] in ("literal", "number", "name", "variable")
                                  or token[1] in (")", "]", ".", "..", "*"))


def _xpath_calls(tokens: list[tuple[str, str, int]]) -> str | None:
    """Unknown functions, undefined prefixes, wrong argument counts and variables (lxml sees them only
    when it evaluates the call on a page)."""
    for n, (kind, text, pos) in enumerate(tokens):
        if kind == "variable":
            return f"第 {pos + 1} 个字符：不能使用变量 {text}（来源文件无法给变量赋值）"
        if kind != "name" or n + 1 >= len(tokens) or tokens[n + 1][1] != "(" or text in NODE_TYPES:
            continue
        if text in _OPERATOR_NAMES and _ends_operand(tokens[n - 1] if n else None):
            continue
        if ":" in text and text.split(":")[0] not in PREFIXES:
            prefix = text.split(":")[0]
            return f"函数 {text}() 的命名空间前缀 {prefix}: 未定义（可用的前缀只有 re: 和 set:）"
        if text not in FUNCTIONS:
            if text in XPATH2_FUNCTIONS:
                return (f"第 {pos + 1} 个字符：没有函数 {text}()，这里只能用 XPath 1.0 的函数"
                        "（如 contains()、starts-with()、normalize-space()；正则用 re:test()）")
            close = difflib.get_close_matches(text, list(FUNCTIONS), n=1, cutoff=0.75)
            guess = f"（是不是 {close[0]}()？）" if close else ""
            return f"第 {pos + 1} 个字符：没有函数 {text}(){guess}"
        count = _argument_count(tokens, n + 1)
        least, most = FUNCTIONS[text]
        if count < least or (most is not None and count > most):
            return _wrong_count(text, least, most, count)
    return None


def _argument_count(tokens: list[tuple[str, str, int]], opening: int) -> int:
    """How many arguments the call whose '(' is ``tokens[opening]`` is given."""
    if opening + 1 < len(tokens) and tokens[opening + 1][1] == ")":
        return 0
    depth, commas = 0, 0
    for kind, text, _pos in tokens[opening:]:
        if kind == "op" and text in ("(", "["):
            depth += 1
        elif kind == "op" and text in (")", "]"):
            depth -= 1
            if depth == 0:
                break
        elif depth == 1 and text == ",":
            commas += 1
    return commas + 1


def _wrong_count(name: str, least: int, most: int | None, count: int) -> str:
    given = f"这里给了 {count} 个" if count else "这里没有给"
    if most == 0:
        return f"函数 {name}() 不带参数，{given}"
    if most is None:
        need = f"至少 {least} 个"
    elif least == most:
        need = f" {least} 个"
    else:
        need = f"至多 {most} 个" if least == 0 else f" {least} 到 {most} 个"
    return f"函数 {name}() 需要{need}参数，{given}"


def _xpath_steps(selector: str, tokens: list[tuple[str, str, int]]) -> str | None:
    """Where lxml's "Invalid expression" most often comes from: a slash, @ or operator with nothing after
    it, three slashes, an empty or stray condition, an axis that does not exist."""
    for n, (kind, text, pos) in enumerate(tokens):
        after = tokens[n + 1] if n + 1 < len(tokens) else None
        where = f"第 {pos + 1} 个字符"
        if text in ("/", "//") and after and after[1] in ("/", "//"):
            return f"{where}起斜杠太多（只能是 / 或 //）"
        if text in ("/", "//") and (after is None or after[1] in ("]", ")", "|", ",")):
            return f"{where}的 {text} 后缺少节点（如 /a、/text()、/@href）"
        if text in ("/", "//") and after[1] == "[":
            return f"{where}的 {text} 后缺少节点名：条件 [...] 要跟在节点后，如 //div[1]"
        if text == "@" and (after is None or after[0] not in ("name",) and after[1] != "*"):
            return f"{where}的 @ 后缺少属性名（如 @href）"
        if text == "$":
            return f"{where}的 $ 后缺少变量名（来源文件中也不能使用变量）"
        if kind == "axis" and text not in AXES:
            return f"没有 {text}:: 这个轴（常用的有 following-sibling::、parent::、ancestor::）"
        if text == "::" and (after is None or after[0] not in ("name",) and after[1] != "*"):
            return f"{where}的 :: 后缺少节点名（如 following-sibling::td）"
        if text == "[" and after and after[1] == "]":
            return f"{where}的方括号 [] 里缺少条件"
        if text == "[" and after and after[1] == "[":
            return f"{where}的方括号 [ 里紧接着又是 [（条件写在一对方括号里，如 //div[1]）"
        if kind == "literal" and after and after[0] == "literal":
            return (f"{where}起两个字符串连在一起（XPath 里不能用两个引号表示一个引号："
                    "含 ' 的文字请用双引号括起来，如 \"it's\"）")
        if text in _OPERATORS and kind in ("op", "name") and (
            text not in _OPERATOR_NAMES or _ends_operand(tokens[n - 1] if n else None)
        ) and (after is None or after[1] in ("]", ")", ",")):
            return f"{where}的 {text} 后缺少{'路径' if text == '|' else '值'}"
    return None


_LXML = {
    "Invalid predicate": "方括号 [...] 中的条件写法有误",
    "Invalid expression": "表达式写法有误",
    "Unfinished literal": "引号没有闭合",
    "Missing closing curly brace": "括号没有闭合",
    "Unregistered function": "用了不存在的函数",
    "Invalid number of arguments": "函数的参数个数不对",
    "Undefined variable": "不能使用变量",
    "Invalid type": "函数参数的类型不对",
    "Invalid operand": "运算对象无效",
    "Number encoding": "数字写法有误",
    "Expected $ for variable reference": "$ 的用法不对（来源文件中也不能使用变量）",
}


def _lxml_reason(selector: str, raw: str) -> str:
    if "Undefined namespace prefix" in raw:
        names = [t for k, t, _p in _xpath_tokens(selector)
                 if k == "name" and ":" in t and t.split(":")[0] not in PREFIXES]
        prefix = names[0].split(":")[0] + ":" if names else ""
        return f"命名空间前缀 {prefix} 未定义（网页的节点名不带前缀，写作 //div；函数前缀只有 re: 和 set:）"
    for words, said in _LXML.items():
        if words in raw:
            return said
    return f"无法解析（{raw}）"


__all__ = ["css_problem", "xpath_problem"]


# ----------------------------------------------------------------- valid, but not what was meant

# Attributes a selector reads; written without @ inside [ ], each names a child element instead.
ATTRIBUTE_NAMES = {"class", "id", "href", "src", "name", "title", "style", "content", "type", "value", "alt"}


def xpath_doubts(selector: str) -> list[str]:
    """What a valid XPath most likely does not mean (it compiles, and on a page selects nothing):
    CSS written inside it (//div.a), an attribute without its @ ([class='a']), text without ()."""
    tokens = _xpath_tokens(selector)
    doubts = []
    for i, (kind, text, _position) in enumerate(tokens):
        before = tokens[i - 1][1] if i else ""
        after = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if kind != "name" or after == "(":
            continue
        if before in ("/", "//") and "." in text.strip("."):  # a name may hold dots; CSS's class may not
            name, _, value = text.partition(".")
            doubts.append(f"{text!r} 在 XPath 中是一个名为 {text} 的元素（这是 CSS 的写法），"
                          f"应写作 //{name}[@class='{value}']")
        elif before == "[" and text in ATTRIBUTE_NAMES and after in ("=", "!=", "]"):
            doubts.append(f"[{text}…] 选的是名为 {text} 的子元素；属性要加 @，写作 [@{text}…]")
        elif before in ("/", "//") and text in ("text", "node") and after in ("", "|", "]"):
            doubts.append(f"末尾的 {text} 选的是名为 {text} 的元素；取文本写 {text}()")
    return doubts
