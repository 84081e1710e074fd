"""A small polarity lexicon written for this project: praise and complaint markers of public opinion.

Entries are attitude, not subject matter: what a complaint is about (噪音, 过期, 虚假宣传, 退款,
扰民, 违法 …) is left out, because praise of the office that handled it names the same things
(features.TOPIC_TERMS drops the commonest of them for the same reason); so are words common in
neutral notices (规范, 落实, 卫生, 希望). The domain model learns word polarity from its training
data, but those sets are weibo posts, epidemic-time comments and delivery reviews. The words below
are how people praise or blame an office, a shop or a service in any of them (点赞, 给力, 敷衍,
踢皮球, 不作为, 无人问津 …), so their evidence carries over to sources the training data never saw.
:func:`lexicon_features` turns the hits in a text into a few extra features for the naive Bayes
model: ``L:pos`` / ``L:neg`` once per text with at least one hit, ``L:pos2`` / ``L:neg2`` with two
or more, and so on up to ``LADDER`` — so three complaint markers weigh more than one.

Matching is on the normalised text (``features.normalize``), longest entry first, left to right.
A hit preceded by a negator (不, 没, 没有, 并不 …, within ``NEGATION_WINDOW`` characters, and
no punctuation in between) counts for the opposite side: 不 满意 is a complaint, 没有 敷衍 is not.
Entries that already contain their negation (不错, 不满, 不作为) are entries of their own.
"""

from __future__ import annotations

import re

LADDER = 3
NEGATION_WINDOW = 2

POSITIVE = frozenset("""
点赞 赞赞 好评 五星 给力 靠谱 满意 很满意 非常满意 称赞 赞扬 表扬 夸奖 感谢 谢谢 多谢 感恩 感激 谢谢你们
辛苦了 辛苦啦 为你点赞 为他们点赞 致敬 敬佩 佩服 钦佩 了不起 厉害 优秀 出色 棒棒 很棒 真棒 太棒 好棒 超棒
不错 挺好 很好 真好 太好了 非常好 特别好 蛮好 还行 还可以 可以的 好吃 美味 好看 好用 好听 喜欢 很喜欢 超喜欢
爱了 爱死 最爱 开心 高兴 快乐 幸福 愉快 欣慰 温暖 暖心 贴心 感动 惊喜 舒服 舒心 放心 安心 踏实 省心 顺利
及时 迅速 高效 效率高 神速 很快 快速 准时 耐心 细心 热情 周到 负责 认真 尽职 尽责 尽心尽力 用心
态度好 服务好 服务周到 热心 和蔼 亲切 礼貌 诚信 公道 实惠 划算 物美价廉 性价比高 新鲜 干净 整洁
解决了 已解决 圆满解决 妥善处理 处理得当 到位 有效 见效 成效 改善 好转 进步 提升 加油 祝福
祝愿 恭喜 庆祝 赞美 美好 美丽 漂亮 可爱 帅 精彩 完美 成功 胜利 顺心 哈哈 嘻嘻 好开心 推荐 值得 回购 再来
还会再来 会再来 支持 拥护 点个赞 好样的 榜样 模范 楷模 好人 人民公仆 为民 为民办实事 办实事 暖人心
雪中送炭 及时雨 无微不至 热情周到 秉公 公正 公平 廉洁 便民 惠民 利民 暖心 连夜 第一时间
哈哈哈 笑死 笑死我了 好好笑 有趣 有意思 好玩 美滋滋 开心死了 太开心 超开心 好开心啊 好甜
幸运 好运 感恩节 温馨 治愈 满足 心满意足 享受 惬意 自豪 骄傲 光荣 振奋 激动 期盼 赞 牛逼
厉害了 6666 666 yyds 绝了 真香 大爱 好喜欢 太喜欢 喜欢死 好可爱 萌 美哭 好美
绝美 帅气 优雅 棒极了 一级棒 顶呱呱 nice good 赞赞赞 平安 健康 安康 顺遂 如意 圆满
团圆 吉祥 快乐哦 生日快乐 新年快乐 节日快乐 早日康复 平平安安 加油加油 必胜 一定能 挺住 坚持住
众志成城 同舟共济 守望相助 白衣天使 最美 逆行者 英雄 伟大 感人 泪目 暖哭 好评如潮 物有所值
超值 分量足 量足 量大 味道好 口感好 送餐快 速度快 准时送达 包装好 服务态度好 态度很好 谢谢老板
谢谢商家 良心 良心商家 厚道 周全 体贴 用心良苦 负责任 值得信赖 信赖 信任 认可
""".split())

NEGATIVE = frozenset("""
差评 太差 很差 真差 极差 差劲 垃圾 坑人 坑爹 坑钱 黑心 无良 奸商 骗子 欺骗 骗人 忽悠 糊弄
敷衍 敷衍了事 踢皮球 推诿 推脱 扯皮 互相推诿 不作为 乱作为 慢作为 懒政 官僚 官僚主义 形式主义
走过场 无人问津 没人管 无人管 不管不问 不闻不问 置之不理 石沉大海 杳无音信 没有回复 没回复 不回复
不理 不处理 没处理 拖延 一拖再拖 推三阻四 踢来踢去 投诉无门 求助无门 无门 失望 很失望 太失望
绝望 无奈 无语 郁闷 烦 烦死 气死 生气 愤怒 气愤 恼火 恶心 讨厌 厌恶 痛恨 可恶 可恨 可怕
害怕 担心 担忧 焦虑 恐慌 恐惧 难过 伤心 悲伤 痛苦 心痛 心疼 崩溃 委屈 憋屈 窝火 闹心 糟心
糟糕 糟透 难吃 难喝 难看 难闻 难受 恶劣 态度恶劣 态度差 服务差 蛮横 粗暴 刁难 野蛮 霸道 嚣张
欺负 欺压 威胁 辱骂 骂人 打人 冷漠 冷血 麻木 不负责 不负责任 不靠谱 不满 不满意 不行 不好
不值 不值得 不合理 不公平 不公正 不像话 不要脸 太坑 被坑 上当 受骗 被骗 坑 慢死 太慢 很慢
错了 悲剧 惨 惨痛 可悲 可怜 呵呵 呵呵哒 醉了 无力吐槽 吐槽 槽点 坑死 滚 去死 垃圾服务 拉黑
再也不 不会再 再也不会 后悔 失误 耽误 浪费 白跑 白等 等了半天
难过死了 伤心死了 哭了 哭死 呜呜 呜呜呜 心累 好累 累死 好烦 烦死了 烦人 好气 气人 火大 怒了
愤慨 寒心 心寒 无耻 恶心死了 变态 丢人 丢脸 可耻 活该 该死 混蛋 傻逼 狗屁 扯淡 胡扯
放屁 瞎扯 呵呵了 服了 真服了 无语了 吐了 晕死 倒霉 倒霉透了 晦气 悲哀 悲催 惨了 凄惨
绝望了 心碎 痛心 痛心疾首 揪心 忧心 害怕死了 恐怖 吓死 吓人 慌 心慌 抑郁 压抑 孤独 寂寞 空虚
迷茫 无助 后悔死了 遗憾 可惜 不舒服 难熬 煎熬 太难了 好难 受不了 忍无可忍 受够了 够了 不能忍
别再 再也 离谱 太离谱 荒唐 荒谬 奇葩 过分 太过分 欺人太甚 难以下咽 没法吃 咸死 太咸 太淡 太油
油腻 分量少 量少 太少 不新鲜 不熟 夹生 送得慢 送餐慢 等了 等太久 超级慢 一般般 很一般 不怎么样
差强人意 凑合 马马虎虎 不推荐 别买 千万别 避雷 踩雷 智商税 失信 言而无信 不讲理 耍赖
""".split())

# Weibo emoticons (kept as ``[name]`` in the normalised text) and emoji with a clear side.
POSITIVE_MARKS = frozenset("""
[赞] [good] [哈哈] [嘻嘻] [爱你] [心] [鼓掌] [给力] [威武] [握手] [太开心] [开心] [好爱哦] [耶] [ok] [偷笑]
[可爱] [亲亲] [微风] [蛋糕] [礼物] [作揖] [加油] [赞啊] [棒棒糖] [憧憬] [送花花] [馋嘴] [太阳] [鲜花]
👍 👏 ❤ ❤️ 😀 😁 😃 😄 😊 😍 🥰 😘 🎉 💪 🌹 🙏 ✌ 🤗 😆 😋 💯 ☺
""".split())
NEGATIVE_MARKS = frozenset("""
[怒] [抓狂] [泪] [悲伤] [衰] [生病] [吐] [鄙视] [哼] [允悲] [黑线] [委屈] [可怜] [失望] [伤心] [怒骂]
[弱] [晕] [汗] [困] [拜拜] [打脸] [闭嘴] [费解] [疑问] [傻眼] [左哼哼] [右哼哼] [淚] [蜡烛] [单身狗] [感冒]
[嫌弃] [裂开] [大哭] [哭] [骷髅] [心碎] [伤心] [凄凉] [吃惊] [污] [生气]
😭 😡 😠 💔 😤 😢 😞 😩 😫 😒 🙄 😓 😔 😰 😱 🤮 👎 😣 😖 🤬 😿 🥀 🕯
""".split())

# Longer strings that contain an entry but say nothing either way (不好意思 is not 不好).
NEUTRAL = frozenset("""
不好意思 负责人 不客气 没关系 不用谢 好不好 行不行 对不对 差不多 出差 差距 时差 相差
偏差 误差 差价 差点 乱码 好不容易
不得不 不管怎样 无论 别人 别的 不行了吗 坑位 臭豆腐 螺蛳粉 满意度 不满足于 感谢信 希望工程 可怜天下
""".split())

NEGATORS = ("不", "没", "没有", "无", "未", "别", "并不", "并没有", "从不", "从没", "毫无", "绝不", "决不",
             "不是", "不太", "不够", "不怎么")

_PUNCTUATION = frozenset("，。！？!?；;,.、：:…~～\n")


def _entries() -> dict[str, str | None]:
    table = {word: "pos" for word in POSITIVE | POSITIVE_MARKS}
    table.update({word: "neg" for word in NEGATIVE | NEGATIVE_MARKS})
    table.update({word: None for word in NEUTRAL})
    return table


ENTRIES: dict[str, str | None] = _entries()
# Every prefix of every entry, and the characters an entry starts with: a scan tries an entry
# only where one starts and stops as soon as the text leaves every entry.
_PREFIXES = frozenset(word[:size] for word in ENTRIES for size in range(1, len(word) + 1))
_STARTS = re.compile("[" + "".join(sorted({re.escape(word[0]) for word in ENTRIES})) + "]")
_FLIP = {"pos": "neg", "neg": "pos"}


# Negators by their last character: only those can end where a given character stands.
_NEGATORS_ENDING = {ch: tuple(n for n in NEGATORS if n[-1] == ch) for ch in {n[-1] for n in NEGATORS}}


def _negated(text: str, start: int) -> bool:
    """Whether a negator ends at most ``NEGATION_WINDOW`` characters before ``start``, same clause."""
    for gap in range(NEGATION_WINDOW + 1):
        end = start - gap
        if end <= 0 or (gap and text[end] in _PUNCTUATION):
            return False
        if any(text.startswith(n, end - len(n)) for n in _NEGATORS_ENDING.get(text[end - 1], ()) if end >= len(n)):
            return True
    return False


def _longest_entry(text: str, start: int) -> int:
    """Length of the longest entry at ``start`` in ``text`` (0 when none starts there)."""
    longest = 0
    end = start + 1
    while end <= len(text) and (piece := text[start:end]) in _PREFIXES:
        if piece in ENTRIES:
            longest = end - start
        end += 1
    return longest


def hits(text: str) -> list[tuple[str, str]]:
    """``(entry, side)`` for each lexicon hit in ``text``, scanning left to right and taking the
    longest entry at each position (its characters are then consumed), negation applied."""
    found = []
    match = _STARTS.search(text)
    while match:
        i = match.start()
        size = _longest_entry(text, i)
        if size:
            word = text[i:i + size]
            side = ENTRIES[word]
            if side is not None:  # a neutral phrase is consumed and counts nothing
                if _negated(text, i) and not word.startswith(("不", "没", "无")):
                    side = _FLIP[side]
                found.append((word, side))
        match = _STARTS.search(text, i + (size or 1))
    return found


def lexicon_features(text: str) -> list[str]:
    """``L:pos``, ``L:pos2`` … and ``L:neg`` … for the lexicon hits in (normalised) ``text``."""
    counts = {"pos": 0, "neg": 0}
    for _word, side in hits(text):
        counts[side] += 1
    out = []
    for side in ("pos", "neg"):
        for level in range(1, min(counts[side], LADDER) + 1):
            out.append(f"L:{side}" if level == 1 else f"L:{side}{level}")
    return out
