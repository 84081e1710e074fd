"""Default categories on realistic sentences, their false-positive exclusions, and file validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.categories import DEFAULT_PATH, Categorizer, CategoryMatch
from yuqing.errors import ConfigError

THUCNEWS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "news" / "thucnews_titles"

EXPECTED = [
    "食品安全", "药品/医疗器械/化妆品", "特种设备", "产品质量/召回", "消费维权/12315", "价格收费",
    "广告/虚假宣传", "网络交易", "反垄断/反不正当竞争", "知识产权/商标专利", "登记注册/信用",
    "计量/标准/认证/检验检测", "执法作风",
]


@pytest.fixture(scope="module")
def categorizer() -> Categorizer:
    return Categorizer.from_file(DEFAULT_PATH)


def names(categorizer: Categorizer, title: str, content: str = "") -> set[str]:
    return {m.name for m in categorizer.categorize(title, content)}


def test_default_file_has_the_thirteen_categories_in_order(categorizer):
    assert categorizer.names == EXPECTED


POSITIVES = [
    ("食品安全", "东丽区一小学多名学生午餐后出现呕吐腹泻，疑似食物中毒，市场监管部门已封存留样"),
    ("食品安全", "网友称在某连锁火锅店吃出一只蟑螂，店家只愿意免单"),
    ("食品安全", "某超市出售过期牛奶被顾客发现，店员称是“系统没下架”"),
    ("食品安全", "聚餐后十余人上吐下泻，饭店已被责令停业"),
    ("药品/医疗器械/化妆品", "网购的美白面膜检出激素，用后脸上起满红疹"),
    ("药品/医疗器械/化妆品", "眼镜店违规销售无证美瞳，多名学生眼睛感染"),
    ("特种设备", "滨海新区某小区电梯突然下坠，三名居民被困四十分钟"),
    ("特种设备", "商场自动扶梯夹住儿童手指，消防赶到后才救出"),
    ("特种设备", "景区玻璃栈道发生故障，一名游客受伤"),
    ("特种设备", "液化气瓶泄漏引发爆燃，饭店后厨起火"),
    ("产品质量/召回", "某品牌召回部分批次汽车，原因是安全气囊存在缺陷"),
    ("产品质量/召回", "市场监管总局通报电动自行车监督抽查结果，12批次不合格"),
    ("产品质量/召回", "刚买三个月的充电宝在床头自燃，厂家拒不承认质量问题"),
    ("消费维权/12315", "小区门口健身房突然闭店跑路，上百名会员预付的年卡无处退费"),
    ("消费维权/12315", "打了十几次12315都没人处理，商家至今不给退款"),
    ("消费维权/12315", "美容院老板跑路，顾客办的储值卡里还有几千元"),
    ("价格收费", "游客在海鲜大排档吃出天价账单，一盘虾收费两千多"),
    ("价格收费", "停车场不明码标价，出场时被多收了三十元停车费"),
    ("价格收费", "疫情期间药店哄抬价格，一包口罩卖到一百元"),
    ("广告/虚假宣传", "保健品讲座上宣传“包治百病”，老人花光积蓄买回一堆药丸"),
    ("广告/虚假宣传", "某培训机构广告称“全市第一”，涉嫌违反广告法使用绝对化用语"),
    ("网络交易", "在拼多多买的鞋子是假货，商家拒绝退款，客服也联系不上"),
    ("网络交易", "直播带货主播把普通大米说成有机米，粉丝质疑虚假宣传"),
    ("网络交易", "同一酒店，老用户在平台上看到的价格更高，网友质疑大数据杀熟"),
    ("反垄断/反不正当竞争", "外卖平台强迫商家二选一，市场监管总局立案调查"),
    ("反垄断/反不正当竞争", "超市货架上摆满仿冒知名饮料包装的山寨饮料"),
    ("知识产权/商标专利", "本地老字号商标被外地公司恶意抢注，企业维权难"),
    ("知识产权/商标专利", "我市今年发明专利授权量同比增长两成"),
    ("登记注册/信用", "大学生身份证被冒用，莫名其妙成了三家公司的“被法人”"),
    ("登记注册/信用", "申请企业简易注销要跑几趟？市场监管局推出一网通办"),
    ("计量/标准/认证/检验检测", "菜市场商贩用遥控电子秤缺斤短两，一斤少了二两"),
    ("计量/标准/认证/检验检测", "加油站加油机作弊，车主怀疑少加了五升油"),
    ("计量/标准/认证/检验检测", "检测机构出具虚假检测报告被罚款，资质被撤销"),
    ("执法作风", "市场监管执法人员对卖芹菜的老人罚款六万，网友质疑过罚不当"),
    ("执法作风", "投诉三次，市场监管所一直推诿扯皮，最后说不归他们管"),
    # everyday words of the people who complain, not the bureau's terms
    ("食品安全", "孩子中午在学校吃完饭就吐了，一直说肚子疼"),
    ("食品安全", "多名学生午餐后出现呕吐、腹痛，已送医观察"),
    ("食品安全", "请查处给我们学校供餐的配餐公司"),
    ("消费维权/12315", "小区门口的健身房突然闭店，私教课的钱也退不了"),
    ("消费维权/12315", "培训机构转让后，新老板不认之前买的课时"),
    ("价格收费", "医院门口的停车场超标准收费，一小时要二十元"),
    ("价格收费", "这周菜价稳中有降，西红柿比上周便宜了一块"),
    ("广告/虚假宣传", "社区里又办健康讲座，说鱼油能代替降压药"),
    ("网络交易", "直播间买的羽绒服是假的，客服不理人"),
    ("反垄断/反不正当竞争", "隔壁新开的糕点店模仿老字号的店招和包装"),
    ("药品/医疗器械/化妆品", "老人被上门推销理疗仪，花了一万多元"),
    ("执法作风", "商户反映执法检查态度生硬，区市场监管局回应将整改"),
    ("执法作风", "向市场监管局投诉一个多月了，没有结果"),
]


@pytest.mark.parametrize(("category", "text"), POSITIVES)
def test_category_positive(categorizer, category, text):
    assert category in names(categorizer, text)


FALSE_POSITIVES = [
    ("特种设备", "【急售】精装电梯房，一梯两户，南北通透，电梯直达，首付30万"),
    ("特种设备", "地铁口电梯洋房，户型方正，电梯故障率低，拎包入住"),
    ("特种设备", "今年的股市像坐过山车，不少股民被困在高位"),
    ("食品安全", "一家三口一氧化碳中毒，晚饭后在家中昏迷"),
    ("食品安全", "年轻人沉迷手机游戏中毒太深"),
    ("食品安全", "周末的零食安排好了吗"),  # 食安 must not match inside 零食安排
    ("产品质量/召回", "外交部宣布召回驻该国大使"),
    ("产品质量/召回", "今年我市空气质量问题明显改善"),
    ("知识产权/商标专利", "健身不是年轻人的专利，七旬老人也能练出肌肉"),
    ("计量/标准/认证/检验检测", "请完成实名认证后再发布动态，认证用户可获得蓝V标识"),
    ("计量/标准/认证/检验检测", "全市设置500个核酸检测点，检测机构24小时出结果"),
    ("计量/标准/认证/检验检测", "他在大学里教计量经济学"),
    ("计量/标准/认证/检验检测", "少年宫开设国标舞兴趣班"),
    ("消费维权/12315", "P2P平台老板卷款跑路，投资人血本无归"),
    ("消费维权/12315", "他去超市买了三包烟"),
    ("消费维权/12315", "中国电信向预付费用户赠送话费"),
    ("网络交易", "警方提醒：兼职刷单是诈骗，已有多人被骗"),
    ("价格收费", "比特币价格暴涨，一天涨了两成"),
    ("价格收费", "某明星天价片酬引发热议"),
    ("广告/虚假宣传", "本公司诚聘广告设计师，违规者不予录用"),
    ("反垄断/反不正当竞争", "中国跳水队再次垄断全部金牌"),
    ("执法作风", "城管粗暴执法视频引发关注"),
    ("登记注册/信用", "如何注销微信账号和手机号"),
    ("登记注册/信用", "法院公布一批失信被执行人名单"),
    ("药品/医疗器械/化妆品", "果园里打了农药，过期的农药要回收"),
    ("特种设备", "请有关人员尽快处理，楼道电梯旁堆满杂物"),  # 有关人员 contains 关人
    ("产品质量/召回", "开发商交付的商品房质量问题严重，墙体开裂渗水"),
    ("计量/标准/认证/检验检测", "他被评为全国标兵，事迹感人"),  # 全国标兵 contains 国标
    ("广告/虚假宣传", "沿街商户违规设置户外广告牌，遮挡交通标志"),  # outdoor signs belong to 城管
    ("消费维权/12315", "投诉物业公司无故停水，业主购买的车位也被占用"),
    ("执法作风", "规划部门对违建踢皮球，监管部门形同虚设"),
    ("食品安全", "小区里开了个木工小作坊，噪音扰民"),
    ("食品安全", "网友吐槽外卖送得太慢，饭菜都凉了"),  # 吐 in 吐槽 is not vomiting
    ("消费维权/12315", "健身房新店开张，会员首月享受八折优惠"),
    ("执法作风", "向环保局反映噪音问题一个多月了，没有结果"),  # another department's complaint
    ("网络交易", "企业加快建设销售网络，线下门店超过百家"),
]


@pytest.mark.parametrize(("category", "text"), FALSE_POSITIVES)
def test_category_false_positive_is_excluded(categorizer, category, text):
    assert category not in names(categorizer, text)


def test_unrelated_text_gets_no_category(categorizer):
    assert categorizer.categorize("今天天气晴朗，适合出游", "周末公园里人很多，孩子们在草地上放风筝") == []
    assert categorizer.categorize(None, None) == []


def test_one_post_can_have_several_categories_with_their_keywords(categorizer):
    result = categorizer.categorize(
        "网店卖过期奶粉", "消费者在淘宝网店买到过期奶粉，商家拒绝退款，已向12315投诉"
    )
    by_name = {m.name: m.keywords for m in result}
    assert {"食品安全", "网络交易", "消费维权/12315"} <= set(by_name)
    assert "过期" in by_name["食品安全"] and "奶粉" in by_name["食品安全"]
    assert "12315" in by_name["消费维权/12315"]
    assert all(isinstance(m, CategoryMatch) for m in result)


def test_title_alone_is_enough(categorizer):
    assert "特种设备" in names(categorizer, "小区电梯困人两小时无人救援", "")


def test_elevator_complaint_from_elevator_building_is_still_kept_when_not_an_ad(categorizer):
    # the ad exclusions are ad wording (户型, 首付, 一梯两户…), not 电梯房 itself
    assert "特种设备" in names(categorizer, "我们住的电梯房经常电梯困人，物业不管")


# --- file validation ----------------------------------------------------------------------------


def load_text(text: str) -> Categorizer:
    return Categorizer.from_file("cats.yaml", text=text)


def test_minimal_file_with_require_and_exclude():
    cat = load_text(
        "categories:\n"
        "  - name: 测试\n"
        "    keywords: [电梯, 扶梯]\n"
        "    require: 故障 | 困人\n"
        "    exclude:\n"
        "      - 电梯房\n"
    )
    assert cat.categorize("电梯故障", "") == [CategoryMatch("测试", ("电梯", "故障"))]
    assert cat.categorize("电梯运行正常", "") == []
    assert cat.categorize("电梯房 电梯故障", "") == []


def test_expression_error_names_file_line_and_column():
    with pytest.raises(ConfigError) as info:
        load_text(
            "categories:\n"
            "  - name: 甲\n"
            "    keywords:\n"
            "      - 食品\n"
            "      - (电梯 | 扶梯\n"
        )
    message = str(info.value)
    assert message.startswith("cats.yaml:5:")
    assert "categories[0].keywords[1]" in message
    assert "第 1 列" in message and "括号没有闭合" in message


def test_require_and_exclude_errors_name_their_line():
    with pytest.raises(ConfigError, match=r"^cats.yaml:4: categories\[0\].require: 表达式错误"):
        load_text("categories:\n  - name: 甲\n    keywords: [食品]\n    require: 食品 +\n")
    with pytest.raises(ConfigError, match=r"^cats.yaml:6: categories\[0\].exclude\[1\]"):
        load_text("categories:\n  - name: 甲\n    keywords: [食品]\n    exclude:\n      - 广告\n      - -招聘\n")


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("categories:\n  - name: 甲\n", r"^cats.yaml:2: categories\[0\]: 缺少必填键 'keywords'"),
        ("categories:\n  - name: 甲\n    keywords: []\n", r"^cats.yaml:3: .*至少需要一个关键词"),
        ("categories:\n  - name: 甲\n    keywords: [a]\n    colour: red\n", r"^cats.yaml:4: .*未知的键 'colour'"),
        ("categories:\n  - name: 甲\n    keywords: [a]\n  - name: 甲\n    keywords: [b]\n",
         r"^cats.yaml:4: .*分类名称 '甲' 重复（第 2 行已定义）"),
        ("categories:\n  - name: 甲\n    keywords:\n      - 12\n", r"^cats.yaml:4: .*应为字符串"),
        ("categories:\n  - 食品\n", r"^cats.yaml:2: .*应为映射"),
        ("categories: []\n", r"^cats.yaml:1: .*至少需要一个分类"),
        ("", r"^cats.yaml:1: 文件为空"),
        ("categories:\n  - name: 甲\n    keywords: [食品，药品]\n", r"^cats.yaml:3: .*第 3 列: 不支持分隔符"),
    ],
)
def test_bad_files_are_rejected_with_file_and_line(text, pattern):
    with pytest.raises(ConfigError, match=pattern):
        load_text(text)


def test_out_of_domain_news_titles_rarely_get_a_category(categorizer):
    """False-positive ceiling: sports, game and entertainment titles (THUCNews) seldom hit a category."""
    if not (THUCNEWS / "test.txt").exists():
        pytest.skip("../shared/data/news/thucnews_titles not present")
    classes = (THUCNEWS / "class.txt").read_text(encoding="utf-8").split()
    wanted = {classes.index(n) for n in ("sports", "game", "entertainment")}
    total = hits = 0
    for name in ("dev.txt", "test.txt"):
        for line in (THUCNEWS / name).read_text(encoding="utf-8").splitlines():
            title, _, label = line.rpartition("\t")
            if label.isdigit() and int(label) in wanted:
                total += 1
                hits += bool(categorizer.categorize(title, ""))
    assert total >= 5000
    assert hits / total <= 0.005  # measured 9/6000 = 0.0015 when written


def test_keywords_match_on_the_segmentation_not_across_a_word_boundary():
    from analysis.categories import Categorizer

    categorizer = Categorizer.from_file("cats.yaml", text=(
        "version: 1\ncategories:\n"
        "  - name: 服饰\n    description: 和服\n    keywords:\n      - 和服\n"
        "  - name: 电梯\n    description: 电梯\n    keywords:\n      - 电梯 + 困人\n"))
    straddling = categorizer.categories[0].matcher
    assert straddling.match("他们和服务员吵了起来")  # a plain substring would count it
    assert categorizer.categorize("他们和服务员吵了起来") == []
    assert [m.name for m in categorizer.categorize("和服店开业")] == ["服饰"]
    # inside one word still counts (电梯 in 电梯房), and an AND may take its words from title and content
    assert [m.name for m in categorizer.categorize("电梯房困人", "")] == ["电梯"]
    assert [m.name for m in categorizer.categorize("小区电梯困人", "三人已救出")] == ["电梯"]
    # the price of word boundaries: 困人 across 被困/人员 is not counted; the rule needs 被困 as well
    assert categorizer.categorize("小区电梯故障", "三人被困人员已救出") == []
    assert categorizer.straddling("小区电梯故障", "三人被困人员已救出") == {"电梯": ["困人"]}


def test_cli_names_keywords_found_only_across_a_word_boundary(capsys):
    from analysis.categories import _main

    assert _main(["他们和服务员吵了起来", "被困人员已救出"]) == 0
    out = capsys.readouterr().out
    assert "跨词边界" in out and "困人" in out


def test_long_and_short_texts_find_the_same_categories():
    """A very long text (its body padded far past 20,000 characters) gets the same categories and
    keywords as the short text it contains."""
    from analysis.segment import segment

    categorizer = Categorizer.from_file()
    title = segment("某小区电梯困人 维保单位被约谈")
    content = segment("市场监管局接到投诉：电梯突然停运，三人被困半小时。" + "无关的文字。" * 4000)
    assert len(content.text) > 20_000
    long_way = [(m.name, m.keywords) for m in categorizer.categorize_segmented(title, content)]
    assert long_way and "特种设备" in [name for name, _ in long_way]
    short = segment("市场监管局接到投诉：电梯突然停运，三人被困半小时。")
    assert [(m.name, m.keywords) for m in categorizer.categorize_segmented(title, short)] == long_way


def test_sandbox_corpus_posts_get_the_category_they_were_written_for(categorizer):
    """The sandbox corpus (written for the project in the voice of real posts) names one intended
    category per post. Measured when the rules learnt the complainants' words (吃完饭就吐了, 配餐公司,
    健身 闭店, 私教课 退, 超标准 收费 …): 273/292 = 0.935 get it (0.640 before), 17 get none (94 before).
    The corpus guided those rules, so this is a floor against regressions, not a quality figure."""
    from yuqing.sandbox.world import build_world

    posts = build_world().posts
    got = [names(categorizer, post.title + "。" + post.content) for post in posts]
    intended = sum(post.category in names_ for post, names_ in zip(posts, got))
    assert intended / len(posts) >= 0.92
    assert sum(not names_ for names_ in got) / len(posts) <= 0.07
