"""A project-owned check set of government-domain sentences (written for this project, not from any
corpus): praise of a bureau that names the complaint (投诉, 噪音, 举报 …), complaints, and neutral
notices. Public sets say little about this register, so the default model must keep a minimum
accuracy here. A notice counts as right when it is not labelled negative (``pos`` or ``neu``):
the cost in monitoring is a neutral notice raised as negative opinion.
"""

from __future__ import annotations

import pytest

from analysis.sentiment import get_model

PRAISE = [
    "小区噪音问题投诉后很快解决了，感谢执法人员",
    "楼下工地夜间施工噪音扰民，举报后城管当晚就来处理了，非常感谢",
    "给市场监管局点赞，投诉过期食品第二天就有人上门核查，处理结果很满意",
    "打了12345反映路灯不亮，三天就修好了，效率很高",
    "举报超市卖过期牛奶，市场监管局的同志很负责，及时处理，谢谢你们",
    "投诉商家缺斤少两，工作人员耐心调解，退了差价，服务周到",
    "之前反映的噪音扰民问题已经解决，晚上终于能睡个好觉了，感谢相关部门",
    "12315热线接线员态度很好，投诉很快有了回复，为你们点赞",
    "投诉餐馆卫生问题，执法人员当天就来检查了，真给力",
    "感谢区市场监管局，帮我们追回了预付卡的钱，辛苦了",
    "反映的占道经营问题得到妥善处理，街道干净整洁多了，点赞",
    "举报药店无证经营，监管部门迅速出动，依法查处，大快人心，支持",
    "对这次投诉处理结果非常满意，工作人员认真负责",
    "装修噪音投诉后，物业和社区一起协调，问题圆满解决，谢谢",
    "维权成功了！感谢市场监管部门的帮助，效率太高了",
    "投诉电梯故障，特检院第二天就来检修，很及时，好评",
    "反映菜市场短斤缺两，市场监管所很快整改，现在买菜放心多了",
    "网上投诉平台很方便，提交后两天就处理完了，值得表扬",
    "执法大队连夜查处了噪音扰民的酒吧，居民纷纷点赞",
    "举报虚假广告后，监管局核实处理并反馈了结果，感谢认真负责的工作人员",
    "投诉的充电桩收费问题已经整改到位，为便民服务点赞",
    "感谢热线工作人员耐心解答，问题顺利解决了",
]

COMPLAINTS = [
    "投诉了三次都没人管，商家态度恶劣，太失望了",
    "买到过期食品，打12315一直占线，根本没人处理，气死了",
    "反映了半个月的噪音问题石沉大海，相关部门不作为",
    "举报之后各部门互相推诿踢皮球，到现在也没有结果",
    "工作人员态度冷漠，敷衍了事，投诉等于白投诉",
    "预付卡商家跑路了，找了好几个部门都说不归他们管，求助无门",
    "打了无数次热线，每次都说会转交处理，然后就杳无音信",
    "这家店以次充好还态度蛮横，监管部门也不管管吗？",
    "夜里施工吵得根本睡不着，投诉多次没有任何改善，太难受了",
    "回复完全是套话，问题一点没解决，形式主义",
    "商家虚假宣传骗人，退款一拖再拖，维权太难了",
    "菜市场缺斤少两的情况越来越严重，没人管吗？？",
    "办个营业执照跑了五趟还没办下来，推三阻四，效率太低",
    "投诉被直接办结了，根本没人联系我，这就是你们的服务？",
    "小区门口的烧烤摊油烟熏人，反映多次无人问津",
    "网购到假货，平台和商家互相推脱，非常气愤",
    "药店乱涨价，举报了也没人理，老百姓太难了",
    "执法人员来了转一圈就走了，问题照旧，走过场",
    "电梯又坏了，把人困了半小时，物业不负责任，太可怕了",
    "排了两个小时队，窗口工作人员还玩手机，服务太差",
    "明明是商家的问题却让我们自己协商，监管部门就是踢皮球",
    "12345说已经处理了，实际上什么都没变，纯属糊弄",
]

NOTICES = [
    "市场监管局发布关于开展春季食品安全专项检查的通知",
    "3月15日上午，区市场监督管理局在中心广场开展消费者权益日宣传活动",
    "关于2024年第一批食品抽检结果的公告",
    "市场主体登记窗口自下周一起调整办公时间",
    "本市将于下月起开展电动自行车产品质量监督抽查",
    "消费者如遇价格问题，可拨打12315热线反映",
    "区市场监管局召开特种设备安全工作会议",
    "关于征求《网络交易监督管理办法》实施细则意见的公告",
    "市场监管部门提醒：节日期间购买预付卡请注意索要发票",
    "本周全市共受理投诉举报1200余件，主要集中在餐饮和预付式消费领域",
    "市局举办计量器具检定人员培训班",
    "经营者应当在营业场所显著位置公示营业执照",
    "区市场监管局与街道联合开展校园周边食品安全检查",
    "关于公布第二季度广告监测情况的通报",
    "即日起，个体工商户年报可通过手机端办理",
    "市场监管总局发布新版食品生产许可审查通则",
]

# Measured for domain@2: 54 of 60 (praise 20/22, complaints 22/22, notices 12/16); stock SnowNLP 33 of 60.
MINIMUM_ACCURACY = 0.85
MINIMUM_PER_GROUP = 0.7


@pytest.fixture(scope="module")
def results():
    model = get_model()
    return {
        "praise": [r.label for r in model.score_batch(PRAISE)],
        "complaints": [r.label for r in model.score_batch(COMPLAINTS)],
        "notices": [r.label for r in model.score_batch(NOTICES)],
    }


def correct(results) -> dict[str, int]:
    return {
        "praise": sum(label == "pos" for label in results["praise"]),
        "complaints": sum(label == "neg" for label in results["complaints"]),
        "notices": sum(label != "neg" for label in results["notices"]),
    }


def test_check_set_has_the_intended_size_and_no_duplicates():
    texts = PRAISE + COMPLAINTS + NOTICES
    assert len(texts) == 60
    assert len(set(texts)) == len(texts)


def test_default_model_meets_the_minimum_accuracy_on_the_check_set(results):
    right = correct(results)
    assert sum(right.values()) / 60 >= MINIMUM_ACCURACY, right


GROUPS = [("praise", PRAISE), ("complaints", COMPLAINTS), ("notices", NOTICES)]


@pytest.mark.parametrize("group, texts", GROUPS)
def test_each_group_is_mostly_right(results, group, texts):
    assert correct(results)[group] / len(texts) >= MINIMUM_PER_GROUP, (group, results[group])


def test_domain_model_beats_stock_snownlp_on_the_check_set(results):
    stock = get_model("snownlp-stock")
    stock_results = {
        "praise": [r.label for r in stock.score_batch(PRAISE)],
        "complaints": [r.label for r in stock.score_batch(COMPLAINTS)],
        "notices": [r.label for r in stock.score_batch(NOTICES)],
    }
    assert sum(correct(results).values()) > sum(correct(stock_results).values()) + 6

