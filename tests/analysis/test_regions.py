"""Regions from text and source: gazetteer coverage, short forms, ambiguity, source fallback."""

from __future__ import annotations

import pytest

from analysis.regions import Gazetteer, GazetteerError, Region, default_gazetteer, detect_region

TIANJIN = ["和平区", "河东区", "河西区", "南开区", "河北区", "红桥区", "东丽区", "西青区", "津南区", "北辰区",
           "武清区", "宝坻区", "滨海新区", "宁河区", "静海区", "蓟州区"]


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return default_gazetteer()


def path(gaz: Gazetteer, title: str, content: str = "", source=None) -> str | None:
    region = gaz.resolve(title, content, source)
    return region.path if region else None


def test_gazetteer_covers_provinces_prefectures_and_tianjin_districts(gaz):
    provinces = [p for p in gaz.places if p.level == "province"]
    cities = [p for p in gaz.places if p.level == "city"]
    assert len(provinces) == 34
    # prefecture-level divisions (municipalities have none) and 26 county-level cities under their province
    assert len(cities) == 333 + 26
    tianjin = [p.name for p in gaz.places if p.level == "district" and p.province == "天津市"]
    assert tianjin == TIANJIN
    assert len([p for p in gaz.places if p.level == "district"]) > 2500  # every county of three characters or more


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("上海市浦东新区一超市售卖过期食品", "上海市/浦东新区"),
        ("南京市鼓楼区一小区电梯困人", "江苏省/南京市/鼓楼区"),
        ("贵州荔波县教育局发布通知", "贵州省/黔南布依族苗族自治州/荔波县"),
        ("湖北仙桃市查处一起制售假药案", "湖北省/仙桃市"),
        ("和平区一饭店后厨脏乱", "天津市/和平区"),  # the local district keeps its name (沈阳 has one too)
        ("养牛示范县耕牛连年被盗", None),  # 范县 and other two-character counties are not read
        ("老城区改造后城区道路拓宽，郊区农家乐生意好", None),  # 城区, 郊区, 老城区 are ordinary words
    ],
)
def test_counties_everywhere_by_full_name(gaz, text, expected):
    assert path(gaz, text) == expected


@pytest.mark.parametrize("district", TIANJIN)
def test_every_tianjin_district_by_full_name(gaz, district):
    assert path(gaz, f"{district}某超市被曝出售过期食品") == f"天津市/{district}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("东丽一小区电梯困人", "天津市/东丽区"),
        ("西青、津南两区开展抽检", "天津市/西青区"),
        ("家住武清的王女士投诉", "天津市/武清区"),
        ("蓟县农家院被曝宰客", "天津市/蓟州区"),  # former name
        ("南开大学食堂", "天津市/南开区"),
    ],
)
def test_unambiguous_short_forms(gaz, text, expected):
    assert path(gaz, text) == expected


def test_common_word_short_forms_are_not_place_names(gaz):
    assert path(gaz, "维护世界和平，河东狮吼") is None  # 和平区/河东区 need the full name
    assert path(gaz, "中山路上的三明治店开业") is None  # 中山市, 三明市 short forms switched off
    assert path(gaz, "北京时间今晚八点") is None


def test_hebei_province_versus_hebei_district(gaz):
    assert path(gaz, "河北一家企业被立案调查") == "河北省"
    assert path(gaz, "河北省市场监管局通报") == "河北省"
    assert path(gaz, "河北区一家企业被立案调查") == "天津市/河北区"
    assert path(gaz, "天津市河北区") == "天津市/河北区"
    assert path(gaz, "京津冀及河北区域的食品企业") == "河北省"  # 区域 is not 河北区


def test_short_form_conflicts_prefer_the_higher_level(gaz):
    assert path(gaz, "吉林发布消费提示") == "吉林省"
    assert path(gaz, "吉林市发布消费提示") == "吉林省/吉林市"
    assert path(gaz, "海南出台新规") == "海南省"  # not 海南藏族自治州


def test_longest_match_first(gaz):
    assert path(gaz, "大兴安岭林区") == "黑龙江省/大兴安岭地区"  # not 大兴 (北京)
    assert path(gaz, "上海南京路步行街") == "上海市"  # 上海 then 南京: two mentions
    assert gaz.resolve("上海南京路步行街").province == "上海市"


def test_prefecture_city_sets_province_and_city(gaz):
    assert path(gaz, "石家庄一餐馆") == "河北省/石家庄市"
    assert path(gaz, "延边州市场监管局") == "吉林省/延边朝鲜族自治州"
    assert path(gaz, "内蒙古呼伦贝尔市") == "内蒙古自治区/呼伦贝尔市"


def test_ambiguous_full_name_resolved_by_context_or_left_open(gaz):
    # 新华区 exists in both 石家庄市 and 沧州市
    alone = gaz.resolve("新华区一商户被罚", "")
    assert alone.province == "河北省" and alone.city is None and alone.district is None
    assert alone.ambiguous == ("新华区",)
    assert path(gaz, "新华区一商户被罚", "沧州市场监管局通报") == "河北省/沧州市/新华区"
    assert path(gaz, "新华区一商户被罚", "", "河北省/石家庄市") == "河北省/石家庄市/新华区"


def test_source_region_fills_in_and_breaks_ties(gaz):
    assert path(gaz, "小区电梯困人两小时", "", "天津市/东丽区") == "天津市/东丽区"
    assert path(gaz, "天津一小区电梯困人", "", "天津市/东丽区") == "天津市/东丽区"
    assert path(gaz, "", "", {"province": "天津市", "city": "天津市", "district": "西青区"}) == "天津市/西青区"
    assert path(gaz, "", "", "天津/西青") == "天津市/西青区"


def test_text_beats_source_region(gaz):
    assert path(gaz, "南开区一餐馆被查", "", "天津市/东丽区") == "天津市/南开区"
    assert path(gaz, "石家庄市一超市", "", "天津市") == "河北省/石家庄市"
    # one passing mention in the content loses to a title mention
    assert path(gaz, "武清区开展食品抽检", "参照北京经验", None) == "天津市/武清区"


def test_national_round_up_has_no_region_from_text(gaz):
    text = "北京、上海、广东、浙江、江苏等地相继出台预付卡新规"
    assert path(gaz, text) is None
    assert path(gaz, text, "", "天津市") == "天津市"


def test_unknown_source_region_is_ignored(gaz, caplog):
    assert path(gaz, "无地名", "", "火星市") is None
    assert "火星市" in caplog.text


def test_detect_region_returns_dict_or_none():
    assert detect_region("东丽区一小区", "") == {
        "province": "天津市", "city": "天津市", "district": "东丽区", "path": "天津市/东丽区"
    }
    assert detect_region("无地名的帖子", "内容") is None


def test_region_path_skips_municipality_repeat():
    assert Region("天津市", "天津市", "东丽区").path == "天津市/东丽区"
    assert Region("河北省", "沧州市", None).path == "河北省/沧州市"


def test_find_region_paths(gaz):
    assert gaz.find("天津市/东丽区").path == "天津市/东丽区"
    assert gaz.find("天津市/天津市/东丽区").path == "天津市/东丽区"
    assert gaz.find("新华区") is None  # ambiguous without its city
    assert gaz.find("河北省/沧州市/新华区").path == "河北省/沧州市/新华区"
    assert gaz.find("") is None
    # a board's 地区 field spells the path out without separators
    assert gaz.find("天津市河西区").path == "天津市/河西区"
    assert gaz.find("西青区张家窝镇").path == "天津市/西青区"
    assert gaz.find("查无此地") is None


def test_small_custom_gazetteer_and_format_errors():
    gaz = Gazetteer.from_lines(["甲省", "  乙市", "    丙区", "    丁县 !", "  戊盟 =戊戊"])
    assert gaz.resolve("乙市丙区").path == "甲省/乙市/丙区"
    assert gaz.lookup("丁县") and not gaz.lookup("丁")
    assert gaz.lookup("戊戊")[0].name == "戊盟"
    with pytest.raises(GazetteerError, match="x.txt:2"):
        Gazetteer.from_lines(["甲省", "   乙市"], name="x.txt")
    with pytest.raises(GazetteerError, match="选项"):
        Gazetteer.from_lines(["甲省 ?"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("浦东查处无证餐饮", "上海市/浦东新区"),
        ("海淀一小区电梯困人", "北京市/海淀区"),
        ("闵行楼房倒塌抢险工作结束", "上海市/闵行区"),
        ("沙坪坝一火锅店被查", "重庆市/沙坪坝区"),
        ("第二届中俄政党论坛在绥芬河举行", "黑龙江省/牡丹江市/绥芬河市"),  # three characters stand alone
        ("顺德百个网吧名额接受申请", "广东省/佛山市/顺德区"),
        ("杨乐乐自曝祖籍萧山", "浙江省/杭州市/萧山区"),
        ("河北围场一景区门票乱收费", "河北省/承德市/围场满族蒙古族自治县"),  # ethnic names dropped from the short form
    ],
)
def test_county_short_forms_that_stand_alone(gaz, text, expected):
    assert path(gaz, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("广东陆丰检查毒品卖淫交易场所", "广东省/汕尾市/陆丰市"),  # '~': its province is named
        ("福建仙游偏远小山村25人高考21人本科", "福建省/莆田市/仙游县"),
        ("陆丰一男子被查", None),  # alone, a two-character county short form is not read
        ("交行首席经济学家连平：股市波动并不奇怪", None),  # 连平县 (广东) is also a person's name
        ("老外酒后驾车被扣12分 上街当义工", None),  # 上街区 (郑州) in 上街
        ("沪指下跌22点失守2000点大关", None),  # 大关县 (昭通) in 大关
        ("安徽该启动一级响应了，来安徽的武汉人不少于三万人", "安徽省"),  # 来安县 gives way to 安徽
        ("马布里25分 半场失常山西主场负吉林", "山西省"),  # unconfirmed 常山 (浙江) is ordinary text
    ],
)
def test_two_character_county_short_forms_need_their_province(gaz, text, expected):
    assert path(gaz, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("和平区一饭店后厨脏乱", "天津市/和平区"),
        ("南开一超市出售过期食品", "天津市/南开区"),
        ("滨江道一商场促销被投诉", None),  # 杭州滨江区 has no short form: 滨江道 is in 天津
        ("河西一小区电梯困人", None),  # 河西区 needs its full name here too
        ("资源整合，公安机关通报", None),  # 资源县, 公安县: common words
        ("恍然大悟：安居乐业才是最大化的幸福", None),  # 大悟, 乐业, 大化 hide in words
        ("龙湖地产拿地", None),  # a developer, not 汕头龙湖区
        ("吉利汽车发布新车", None),  # a brand, not 洛阳吉利区
        ("朝阳群众举报", None),  # 北京朝阳区 and 辽宁朝阳市 both need their full names
        ("平静安详的生活", None),  # 静安 counts only beside 上海
        ("上海黄浦江边", "上海市"),  # the river, not 黄浦区
    ],
)
def test_tianjin_names_win_and_excluded_short_forms_stay_unplaced(gaz, text, expected):
    assert path(gaz, text) == expected


def test_county_short_forms_are_never_tianjin_names(gaz):
    tianjin = {s for p in gaz.places if p.province == "天津市" for s in (p.name, *p.shorts)}
    tianjin |= {p.name[:-1] for p in gaz.places if p.province == "天津市" and p.level == "district"}
    for place in gaz.places:  # (河北 is the province, as before: 河北区 needs its full name)
        if place.province != "天津市" and place.level == "district":
            assert not tianjin & set(place.shorts), place.name


def test_confirmation_option_in_a_custom_gazetteer():
    gaz = Gazetteer.from_lines(["甲省", "  乙市", "    丙丙县 ~", "  丁丁市"])
    assert gaz.resolve("丙丙一家店") is None
    assert gaz.resolve("甲省丙丙一家店").path == "甲省/乙市/丙丙县"
    assert gaz.resolve("丙丙一家店", "据丁丁市通报").path == "甲省/乙市/丙丙县"  # a place in the province confirms
    assert gaz.resolve("丙丙县一家店").path == "甲省/乙市/丙丙县"  # the full name never needs confirmation
    with pytest.raises(GazetteerError, match="~"):
        Gazetteer.from_lines(["甲省 ~"])
