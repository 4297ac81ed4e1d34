"""A county's archive, made up: thousands of meetings written through the schema module, for benchmarks and tests.

    .venv/bin/python scripts/make_archive.py --meetings 5000 --db /tmp/county5000.db [--seed 0] [--smoke]

Each meeting has 1-3 speeches of 100-600 sentences, grouped into paragraphs under a title line, by a few dozen
officials (Chinese names made from the seed, each holding an office for some years, so some give hundreds of
speeches and some a handful), on dates from 2016 to November 2026 (weekdays; about 5,000 meetings make a county's
decade). Titles follow the county's meeting types ("在2019年全县安全生产工作会议上的讲话"); the text is government
speech built from a vocabulary: the seed speech's own clauses (ingest/sample/official.txt) and a few hundred words
and phrases listed here, drawn with Zipf-like weights, the topics of their years (脱贫攻坚 until 2020, 疫情防控
2020-2022, ...), so terms are as frequent or rare as in a real archive and no sentence is a copy of another.
Statuses are mostly spoken, with partial, estimated and skipped (not spoken, untimed) sentences and paragraphs;
each speech has a few off-script passages, and the host's words lie between the speeches. No audio
(media_path NULL); the same seed gives the same archive, byte for byte but for the history's clock times.

Rows are built as `schema.meeting_rows` builds them (ids, times, status counts, shares) and written many
meetings to a transaction: the same statements as `store.write_meeting` (rows, the trigram indexes by their
triggers, the character index by `schema.index_rows`, the machine run in the history), without one transaction
and one connection per meeting. Meetings already in the archive are skipped, so an interrupted build resumes.
`--smoke`: 5 meetings in a temporary directory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import re
import sqlite3
import sys
import tempfile
import time
from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from random import Random
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "ingest" / "sample" / "official.txt"
FIRST_DAY, LAST_DAY = dt.date(2016, 1, 1), dt.date(2026, 11, 27)
BATCH = 25  # meetings per transaction: ~20,000 sentences, a few seconds of work; an interruption loses one batch

# --- offices and the people who hold them --------------------------------------------------------------------
# (office, how many hold it one after another over the decade, holders at a time, weight of speaking,
#  the meeting themes it usually speaks at)
OFFICES = (
    ("县委书记", 3, 1, 10.0, ()),
    ("县长", 3, 1, 9.0, ()),
    ("县委副书记", 2, 1, 4.0, ("党建", "乡村振兴", "信访")),
    ("常务副县长", 2, 1, 5.0, ("经济", "项目", "营商环境", "招商")),
    ("副县长", 8, 4, 3.0, ("安全生产", "防汛", "森林防火", "教育", "人居环境", "疫情防控", "乡村振兴", "河长制")),
    ("县委常委、组织部部长", 2, 1, 2.0, ("党建", "组织")),
    ("县委常委、宣传部部长", 2, 1, 1.5, ("宣传", "文明城市")),
    ("县委常委、县纪委书记", 2, 1, 2.0, ("廉政",)),
    ("县委常委、政法委书记", 2, 1, 1.5, ("扫黑除恶", "信访", "平安建设")),
    ("县人大常委会主任", 2, 1, 1.0, ("人大",)),
    ("县政协主席", 2, 1, 1.0, ("政协",)),
    ("县应急管理局局长", 2, 1, 0.7, ("安全生产", "防汛", "森林防火")),
    ("县农业农村局局长", 2, 1, 0.7, ("乡村振兴", "脱贫攻坚")),
    ("县教育和体育局局长", 1, 1, 0.6, ("教育",)),
    ("县发展和改革局局长", 2, 1, 0.6, ("经济", "项目")),
    ("县卫生健康局局长", 1, 1, 0.6, ("疫情防控",)),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "建国志强明军伟红华平刚勇辉斌波涛峰磊鹏宇杰超俊飞春海东林文新玉兰芳丽娟静敏燕霞英秀梅云雪利民永德庆祥福义兴宏立成树荣国庆卫东晓光振学忠晨浩然思远正阳长青"

# --- meeting themes -------------------------------------------------------------------------------------------
# (theme, title forms, first and last year (inclusive) it is held, months it is held in (empty: any), weight,
#  its own words and phrases, most frequent first)
THEMES = (
    ("经济", ("全县经济工作会议", "全县经济运行分析会"), 2016, 2026, (1, 4, 7, 10, 12), 5.0,
     ("经济运行", "地区生产总值", "固定资产投资", "一般公共预算收入", "规模以上工业增加值", "社会消费品零售总额",
      "稳增长", "调结构", "防风险", "扩大有效投资", "市场主体", "实体经济", "财政收支平衡")),
    ("项目", ("全县重点项目建设推进会", "全县项目建设观摩点评会"), 2016, 2026, (), 3.0,
     ("重点项目", "项目建设", "项目谋划", "开工率", "要素保障", "土地指标", "专项债券", "项目包装", "竣工投产")),
    ("招商", ("全县招商引资工作会议", "全县“双招双引”工作推进会"), 2016, 2026, (), 2.0,
     ("招商引资", "招大引强", "产业链招商", "签约项目", "落地率", "以商招商", "驻外招商")),
    ("营商环境", ("全县优化营商环境大会", "全县深化“放管服”改革优化营商环境推进会"), 2017, 2026, (), 2.0,
     ("营商环境", "放管服改革", "一次办好", "一网通办", "审批时限", "企业开办", "帮办代办", "惠企政策")),
    ("安全生产", ("全县安全生产工作会议", "全县安全生产暨消防工作会议", "全县安全生产专项整治三年行动推进会"),
     2016, 2026, (), 4.0,
     ("安全生产", "隐患排查", "风险管控", "消防安全", "道路交通安全", "危险化学品", "燃气安全", "非煤矿山",
      "自建房安全", "安全生产责任制", "党政同责、一岗双责")),
    ("防汛", ("全县防汛抗旱工作会议", "全县防汛工作调度会"), 2016, 2026, (4, 5, 6, 7, 8), 2.0,
     ("防汛抗旱", "汛期", "强降雨", "山洪地质灾害", "水库安全度汛", "转移避险", "应急值守", "物资储备")),
    ("森林防火", ("全县森林防灭火工作会议",), 2016, 2026, (1, 2, 3, 10, 11, 12), 1.5,
     ("森林防火", "野外用火", "护林员", "火源管控", "清明祭扫", "防火隔离带")),
    ("脱贫攻坚", ("全县脱贫攻坚工作推进会", "全县脱贫攻坚问题整改会议"), 2016, 2020, (), 4.0,
     ("脱贫攻坚", "精准扶贫", "建档立卡", "两不愁三保障", "贫困户", "扶贫产业", "驻村工作队", "脱贫摘帽",
      "易地扶贫搬迁")),
    ("乡村振兴", ("全县乡村振兴工作会议", "全县农村工作会议", "全县巩固拓展脱贫攻坚成果同乡村振兴有效衔接推进会"),
     2018, 2026, (), 4.0,
     ("乡村振兴", "农业农村现代化", "粮食安全", "高标准农田", "防止返贫监测", "村集体经济", "和美乡村",
      "农村产权制度改革", "特色产业", "耕地保护")),
    ("人居环境", ("全县农村人居环境整治现场推进会", "全县城乡环境综合整治大会"), 2018, 2026, (), 2.0,
     ("人居环境整治", "农村厕所革命", "垃圾分类", "生活污水治理", "村容村貌", "美丽乡村", "清洁家园")),
    ("疫情防控", ("全县新冠肺炎疫情防控工作会议", "全县疫情防控调度会"), 2020, 2022, (), 6.0,
     ("疫情防控", "核酸检测", "外防输入、内防反弹", "常态化防控", "疫苗接种", "密接人员", "健康码", "复工复产")),
    ("扫黑除恶", ("全县扫黑除恶专项斗争推进会",), 2018, 2021, (), 2.5,
     ("扫黑除恶", "黑恶势力", "保护伞", "线索核查", "行业乱象", "长效常治")),
    ("党建", ("全县基层党建工作会议", "全县抓党建促乡村振兴工作会议"), 2016, 2026, (), 2.5,
     ("基层党建", "基层党组织", "党员队伍", "村级组织换届", "两学一做", "主题教育", "党史学习教育", "支部建设")),
    ("组织", ("全县组织工作会议", "全县人才工作会议"), 2016, 2026, (1, 2, 3), 1.0,
     ("干部队伍", "年轻干部", "考核评价", "人才引进", "干部选拔任用", "实干实绩")),
    ("廉政", ("全县党风廉政建设和反腐败工作会议", "全县警示教育大会"), 2016, 2026, (1, 2, 3, 8), 2.5,
     ("党风廉政建设", "全面从严治党", "中央八项规定精神", "四风", "形式主义、官僚主义", "廉洁自律", "监督执纪",
      "主体责任", "清廉建设")),
    ("宣传", ("全县宣传思想文化工作会议",), 2016, 2026, (1, 2, 3), 1.0,
     ("宣传思想工作", "意识形态工作", "新时代文明实践", "网络舆情", "正面宣传", "融媒体中心")),
    ("文明城市", ("全县创建全国文明城市动员大会", "全县文明城市创建推进会"), 2019, 2026, (), 1.5,
     ("文明城市创建", "市容秩序", "志愿服务", "文明交通", "背街小巷", "公益广告")),
    ("信访", ("全县信访稳定工作会议", "全县重要时间节点安保维稳工作会议"), 2016, 2026, (), 2.0,
     ("信访稳定", "矛盾纠纷排查化解", "重复信访", "积案化解", "源头治理", "网格化管理")),
    ("平安建设", ("全县平安建设工作会议", "全县政法工作会议"), 2016, 2026, (1, 2, 3), 1.5,
     ("平安建设", "社会治安", "电信网络诈骗", "综治中心", "法治建设", "枫桥经验")),
    ("教育", ("全县教育工作会议", "全县教育高质量发展大会"), 2016, 2026, (2, 3, 8, 9), 1.5,
     ("教育质量", "义务教育", "学位供给", "双减", "教师队伍", "控辍保学", "校园安全")),
    ("河长制", ("全县河长制湖长制工作会议",), 2017, 2026, (), 1.0,
     ("河长制", "河湖治理", "水质达标", "清四乱", "入河排污口", "巡河")),
    ("人大", ("县人民代表大会常务委员会会议",), 2016, 2026, (), 1.0,
     ("人大监督", "代表建议", "执法检查", "依法履职", "人大代表")),
    ("政协", ("政协县委员会常务委员会会议",), 2016, 2026, (), 1.0,
     ("协商议政", "民主监督", "政协委员", "建言献策", "提案办理")),
    ("常委会", ("县委常委会（扩大）会议", "县政府常务会议", "县委全体会议"), 2016, 2026, (), 4.0, ()),
)

# --- the words and phrases of every speech, most frequent first (Zipf-like weights by rank) ------------------
SUBJECTS = ("我们", "各乡镇（街道）", "各级各部门", "全县上下", "大家", "县直各部门", "各级领导干部", "广大党员干部",
            "各级党组织", "县委县政府", "各乡镇党委书记", "各责任单位", "相关部门", "各村（社区）", "牵头部门")
ADVERBS = ("切实", "进一步", "扎实", "全面", "持续", "认真", "着力", "坚决", "大力", "积极", "加快", "深入", "不断",
           "统筹", "始终", "务必", "主动", "真正", "尽快", "狠抓")
VERBS = ("抓好", "推进", "落实", "加强", "提升", "做好", "推动", "强化", "完善", "深化", "巩固", "抓实", "保障",
         "压实", "健全", "统筹", "优化", "打造", "聚焦", "抓紧", "守牢", "防范", "化解", "培育", "壮大", "实施",
         "开展", "建立", "落细", "部署", "谋划", "破解", "补齐", "拓展", "夯实")
OBJECTS = ("工作", "责任", "任务", "工作责任", "重点工作", "各项工作", "工作机制", "工作措施", "发展", "高质量发展",
           "干部队伍", "作风建设", "民生保障", "基层治理", "体制机制", "目标任务", "短板弱项", "工作合力",
           "执行力", "产业发展", "城乡融合发展", "县域经济", "新型城镇化", "生态环境保护", "污染防治",
           "营商环境", "社会稳定", "公共服务", "财政收入", "重大风险", "民生实事", "群众满意度", "执行观念",
           "担当作为", "政治建设", "工作作风", "服务意识", "底线思维", "系统观念", "问题导向", "结果导向",
           "督查考核", "数字经济", "文旅融合", "工业强县", "园区建设", "科技创新", "招商引资", "要素保障",
           "乡村治理", "养老服务", "医疗保障", "就业创业", "住房保障", "食品安全", "粮食生产", "农民增收",
           "绿色发展", "黄河流域生态保护", "南四湖生态保护", "县城承载能力")
# topics of their years only: (word, first year, last year)
OF_THEIR_YEARS = (("脱贫攻坚", 2016, 2020), ("精准扶贫", 2016, 2020), ("供给侧结构性改革", 2016, 2019),
                  ("两学一做", 2016, 2018), ("扫黑除恶", 2018, 2021), ("疫情防控", 2020, 2022),
                  ("复工复产", 2020, 2021), ("巩固拓展脱贫攻坚成果", 2021, 2026), ("乡村振兴", 2018, 2026),
                  ("党史学习教育", 2021, 2021), ("主题教育", 2019, 2023), ("新质生产力", 2024, 2026),
                  ("十三五规划", 2016, 2020), ("十四五规划", 2021, 2025), ("十五五规划", 2025, 2026),
                  ("党的十九大精神", 2017, 2022), ("党的二十大精神", 2022, 2026), ("低空经济", 2024, 2026))
RESULTS = ("确保各项任务落到实处", "推动工作取得实效", "形成工作合力", "确保按时完成任务", "以实际行动向群众交出满意答卷",
           "为全县高质量发展提供坚强保障", "让群众有更多获得感", "确保不出任何问题", "坚决防止出现反弹",
           "努力在全市争先进位", "不断开创各项工作新局面", "做到守土有责、守土负责、守土尽责")
TIMES = ("今年以来", "下一步", "当前", "近年来", "过去一年", "上半年", "从现在开始", "截至目前", "近期", "今后一个时期")
INDICATORS = (("地区生产总值", "亿元"), ("固定资产投资", "亿元"), ("一般公共预算收入", "亿元"),
              ("规模以上工业增加值", "亿元"), ("社会消费品零售总额", "亿元"), ("农村居民人均可支配收入", "元"),
              ("城镇居民人均可支配收入", "元"), ("实际到位外资", "万美元"))
COUNTED = (("新开工项目", "个"), ("排查整改隐患", "处"), ("化解信访积案", "件"), ("新建高标准农田", "万亩"),
           ("新增市场主体", "户"), ("培训基层干部", "人次"), ("改造农村户厕", "户"), ("新建改建农村公路", "公里"))
IDIOMS = ("事在人为、关键在干", "打铁还需自身硬", "一分部署、九分落实", "功成不必在我、功成必定有我", "撸起袖子加油干",
          "久久为功、善作善成", "抓铁有痕、踏石留印", "空谈误国、实干兴邦", "行百里者半九十", "细节决定成败",
          "为官一任、造福一方", "民生无小事", "安全生产责任重于泰山", "绿水青山就是金山银山", "发展是第一要务",
          "上有千条线、下面一根针", "不忘初心、牢记使命", "逆水行舟、不进则退")
ORDINALS = "一二三四五六七八九十"
CLOSINGS = ("我就讲这么多，谢谢大家。", "以上讲话，不当之处请批评指正。", "同志们，任务艰巨，责任重大，让我们团结一心、"
            "真抓实干，为建设更加美好的家园而努力奋斗！", "我就讲这些，谢谢大家！")
# what a speaker says off the script, and the host
ASIDE_OPENERS = ("这里我再强调一下", "我插一句", "说到这个问题", "这个我多说两句", "大家注意啊", "我看了一下材料",
                 "刚才来的路上我还在想", "讲到这里", "这个事情啊", "我再补充一点")
ASIDES = ("有的乡镇到现在还没有动起来", "这个事情不是开玩笑的", "出了问题是要追责的", "大家回去以后马上研究",
          "下周我要亲自去看", "不要等到最后再来找我", "该担的责任一定要担起来", "这个数据还是不好看",
          "我们跟周边县比差距还很大", "群众的眼睛是雪亮的", "不要搞形式主义", "材料写得再好也没用",
          "关键是要干出来", "大家心里都有数", "上次开会讲过的到现在还没落实", "这个会开完就要见行动",
          "有困难可以提，但是任务不能打折扣", "我不点名了，大家自己对照")
ASIDE_CLOSERS = ("好，我们接着讲", "好，继续", "这个就说到这儿", "回到稿子上来", "")

STATUS_DRAW = (("spoken", 0.90), ("partial", 0.05), ("estimated", 0.03), ("not_spoken", 0.02))  # within a paragraph read
SKIPPED_PARAGRAPH = 0.04  # share of body paragraphs the speaker leaves out altogether


def zipf(items, s: float = 1.0, offset: float = 2.0) -> list[float]:
    """Cumulative Zipf-Mandelbrot weights for items in rank order (for `Random.choices(cum_weights=)`)."""
    return list(accumulate(1.0 / (rank + offset) ** s for rank in range(len(items))))


class Pick:
    """Items in rank order and their cumulative weights: `pick(rng)` draws one."""

    def __init__(self, items, s: float = 1.0, offset: float = 2.0, weights=None):
        self.items = list(items)
        self.cum = list(accumulate(weights)) if weights is not None else zipf(self.items, s, offset)

    def __call__(self, rng: Random):
        return self.items[bisect(self.cum, rng.random() * self.cum[-1])]


def seed_clauses() -> list[str]:
    """The seed speech's clauses (between punctuation marks), 4-24 characters: real phrases of such speeches."""
    body = SAMPLE.read_text(encoding="utf-8").splitlines()[1:]
    pieces = re.split(r"[，。；：！？、“”（）()\s]+", "\n".join(body))
    return list(dict.fromkeys(p for p in pieces if 4 <= len(p) <= 24 and re.search(r"[\u4e00-\u9fff]{4}", p)))


@dataclass(frozen=True)
class Person:
    name: str
    office: str
    start: dt.date
    end: dt.date  # inclusive
    weight: float  # how often they speak, beside others in office
    themes: tuple[str, ...]


def make_people(rng: Random) -> list[Person]:
    """The county's officials: each office held by its holders one after another from 2016 to 2026."""
    names: set[str] = set()
    surnames = Pick(SURNAMES, s=0.8)
    people = []
    span = (LAST_DAY - FIRST_DAY).days
    for office, count, at_a_time, weight, themes in OFFICES:
        for slot in range(at_a_time):
            per_slot = max(1, count // at_a_time)
            # terms of unequal length: cut the decade at random points
            cuts = sorted(rng.uniform(0.15, 0.85) * span for _ in range(per_slot - 1))
            bounds = [0, *[round(c) for c in cuts], span + 1]
            for k in range(per_slot):
                while True:
                    name = surnames(rng) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
                    if name not in names:
                        break
                names.add(name)
                start = FIRST_DAY + dt.timedelta(days=bounds[k])
                end = FIRST_DAY + dt.timedelta(days=bounds[k + 1] - 1)
                # some people talk far more than others in the same office
                people.append(Person(name, office, start, end, weight * rng.lognormvariate(0, 0.5), themes))
    return people


def meeting_dates(rng: Random, n: int) -> list[dt.date]:
    """`n` weekdays from FIRST_DAY to LAST_DAY, fewer in the Spring Festival month and August, in order. Drawn
    one in each of `n` equal stretches of the weighted calendar, so that even a few dozen meetings cover every
    year (a test's year filters find some), while the days themselves are random."""
    days = [FIRST_DAY + dt.timedelta(days=k) for k in range((LAST_DAY - FIRST_DAY).days + 1)]
    days = [d for d in days if d.weekday() < 5]
    cum = list(accumulate(0.5 if d.month in (2, 8) else 1.0 for d in days))
    return [days[min(len(days) - 1, bisect(cum, (k + rng.random()) / n * cum[-1]))] for k in range(n)]


class Writer:
    """The vocabulary and its weights, built once; `meeting(index, date)` makes one meeting's rows."""

    def __init__(self, seed: int, meetings: int):
        from podium import schema

        self.schema = schema
        self.seed = seed
        rng = Random(f"podium-archive:{seed}")
        self.people = make_people(rng)
        self.dates = meeting_dates(rng, meetings)
        clauses = seed_clauses()
        rng.shuffle(clauses)  # the seed speech's clauses, in a rank order of this seed
        self.clauses = Pick(clauses, s=0.9)
        self.subjects, self.adverbs, self.verbs = Pick(SUBJECTS), Pick(ADVERBS), Pick(VERBS, s=0.9)
        self.results, self.times, self.idioms = Pick(RESULTS), Pick(TIMES), Pick(IDIOMS)
        self.indicators, self.counted = Pick(INDICATORS), Pick(COUNTED)
        self.asides = Pick(ASIDES)
        self.statuses = Pick([s for s, _ in STATUS_DRAW], weights=[w for _, w in STATUS_DRAW])
        self._objects: dict[tuple[int, str], Pick] = {}

    def objects(self, year: int, theme: str) -> Pick:
        """What is spoken of in `year` at a meeting on `theme`: the general objects, the topics of that year, and
        the theme's own words weighted up (each theme's vocabulary is how a search finds its meetings)."""
        key = (year, theme)
        if key not in self._objects:
            items = list(OBJECTS) + [w for w, first, last in OF_THEIR_YEARS if first <= year <= last]
            weights = [1.0 / (rank + 2) for rank in range(len(items))]
            own = next((t[6] for t in THEMES if t[0] == theme), ())
            items += own
            weights += [2.0 / (rank + 1) for rank in range(len(own))]
            self._objects[key] = Pick(items, weights=weights)
        return self._objects[key]

    # -- text ---------------------------------------------------------------------------------------------
    def clause(self, rng: Random, objects: Pick) -> str:
        form = rng.random()
        if form < 0.30:
            return self.clauses(rng)
        if form < 0.55:
            return f"{self.adverbs(rng)}{self.verbs(rng)}{objects(rng)}"
        if form < 0.70:
            return f"{self.subjects(rng)}要{self.adverbs(rng)}{self.verbs(rng)}{objects(rng)}"
        if form < 0.80:
            return f"{self.verbs(rng)}{objects(rng)}"
        if form < 0.88:
            one, other = objects(rng), objects(rng)
            return f"坚持{one}与{other}相结合" if one != other else f"坚持{one}不动摇"
        if form < 0.94:
            return f"在{objects(rng)}上{self.verbs(rng)}"
        return self.results(rng)

    def sentence(self, rng: Random, objects: Pick, year: int) -> str:
        form = rng.random()
        if form < 0.08:
            name, unit = self.indicators(rng)
            value = round(rng.lognormvariate(3.5, 1.2), 1) if unit != "元" else rng.randrange(9_000, 40_000)
            return (f"{self.times(rng)}，全县完成{name}{value}{unit}，同比{rng.choice(('增长', '增长', '下降'))}"
                    f"{rng.uniform(0.3, 12):.1f}%。")
        if form < 0.13:
            name, unit = self.counted(rng)
            return f"{year}年，全县{name}{rng.randrange(3, 900)}{unit}，{self.clause(rng, objects)}。"
        if form < 0.18:
            return f"{self.idioms(rng)}，{self.clause(rng, objects)}，{self.results(rng)}。"
        if form < 0.28:
            return f"{self.times(rng)}，{'，'.join(self.clause(rng, objects) for _ in range(rng.randint(1, 3)))}。"
        clauses = [self.clause(rng, objects) for _ in range(rng.choice((1, 2, 2, 3, 3, 4)))]
        if rng.random() < 0.3:
            clauses.append(self.results(rng))
        return "，".join(clauses) + rng.choice(("。",) * 12 + ("！",))

    def aside(self, rng: Random) -> str:
        parts = list(dict.fromkeys(self.asides(rng) for _ in range(rng.randint(1, 3))))  # never the same twice
        said = f"{rng.choice(ASIDE_OPENERS)}，{'，'.join(parts)}。"
        closer = rng.choice(ASIDE_CLOSERS)
        return said + (f"{closer}。" if closer else "")

    def speech_lines(self, rng: Random, title: str, objects: Pick, year: int, n_sentences: int) -> list[list[str]]:
        """A speech's paragraphs, each a list of sentences: the title, 同志们：, numbered parts each under a
        heading, the closing; `n_sentences` sentences in all."""
        paragraphs = [[title], ["同志们："]]
        body = n_sentences - 3
        parts = max(2, min(len(ORDINALS), body // rng.randint(30, 70)))
        count, part = 0, 0
        while count < body:
            if part < parts and count >= part * body / parts:  # each part about as long as the others
                heading = f"{ORDINALS[part]}、{self.verbs(rng)}{objects(rng)}，{self.verbs(rng)}{objects(rng)}。"
                paragraphs.append([heading])
                part += 1
                count += 1
                continue
            size = min(body - count, rng.randint(2, 12))
            paragraphs.append([self.sentence(rng, objects, year) for _ in range(size)])
            count += size
        paragraphs.append([rng.choice(CLOSINGS)])
        return paragraphs

    # -- one meeting's rows ---------------------------------------------------------------------------------
    def meeting(self, index: int, meeting_id: str, date: dt.date):
        schema = self.schema
        rng = Random(f"podium-meeting:{self.seed}:{index}")  # each meeting its own: the same whatever is built around it
        year = date.year
        themes = [t for t in THEMES if t[2] <= year <= t[3] and (not t[4] or date.month in t[4])]
        theme = Pick(themes, weights=[t[5] for t in themes])(rng)
        name = rng.choice(theme[1])
        if name.startswith(("县委", "县政府", "县人民", "政协")):  # standing bodies: numbered sessions
            meeting_title = f"{year}年第{rng.randint(1, 40)}次{name}"
        else:
            meeting_title = f"{year}年{name}"
        objects = self.objects(year, theme[0])
        in_office = [p for p in self.people if p.start <= date <= p.end]
        speakers = self.choose_speakers(rng, in_office, theme[0])

        texts, speech_paragraphs = [], []
        for k, person in enumerate(speakers):
            if k == len(speakers) - 1:
                title = f"在{meeting_title}上的讲话"
            elif rng.random() < 0.5:
                title = f"关于{year}年{theme[0] if theme[0] != '常委会' else '全县重点'}工作情况的汇报"
            else:
                title = f"在{meeting_title}上的发言"
            lines = self.speech_lines(rng, title, objects, year, rng.randint(100, 600))
            speech_paragraphs.append(lines)
            texts.append("\n".join("".join(p) for p in lines))
        official_text = schema.SPEECH_SEPARATOR.join(texts)

        rows = schema.MeetingRows(meeting={})
        t = rng.uniform(2, 20)  # seconds of room noise before the host starts
        unscripted: list[tuple[float, float, str, str | None]] = []

        def host_says(text: str) -> None:
            nonlocal t
            duration = len(text) / 4.2
            unscripted.append((t, t + duration, text, None))
            t += duration + rng.uniform(1, 4)

        host_says(f"现在开会。今天我们召开{meeting_title}，主要任务是研究部署{objects(rng)}。"
                  f"下面，请{speakers[0].office}{speakers[0].name}同志讲话，大家欢迎。")
        paragraph_seq = 0
        all_sentences = []
        for k, (person, lines) in enumerate(zip(speakers, speech_paragraphs)):
            if k:
                host_says(f"刚才，{speakers[k - 1].name}同志讲得很好。下面，请{person.office}{person.name}同志讲话。")
            sid = schema.speech_id(meeting_id, k)
            rate = rng.uniform(3.6, 5.0)  # characters a second: this speaker's pace
            asides = set(rng.sample(range(sum(len(p) for p in lines)), rng.randint(2, 6)))  # after these sentences
            own, position = [], 0
            for p_lines in lines:
                skipped = len(p_lines) > 1 and rng.random() < SKIPPED_PARAGRAPH  # never the title or a heading
                sentence_rows = []
                for seq, text in enumerate(p_lines):
                    if p_lines is lines[0]:
                        status = "not_spoken"  # a title is printed, not read out
                    elif skipped:
                        status = "not_spoken"
                    else:
                        status = self.statuses(rng)
                    if status == "not_spoken":
                        start = end = None
                        confidence = round(rng.uniform(0, 0.2), 3)
                    else:
                        start = t
                        # partial: a part left out; estimated: times guessed from the neighbours
                        end = t + len(text) / rate * (rng.uniform(0.4, 0.8) if status == "partial" else 1.0)
                        t = end + rng.uniform(0.15, 1.2)
                        confidence = round({"spoken": rng.betavariate(12, 1.2), "partial": rng.uniform(0.4, 0.8),
                                            "estimated": rng.uniform(0.05, 0.45)}[status], 3)
                    sentence_rows.append({
                        "id": schema.sentence_id(meeting_id, paragraph_seq, seq), "meeting_id": meeting_id,
                        "paragraph_id": schema.paragraph_id(meeting_id, paragraph_seq),
                        "paragraph_seq": paragraph_seq, "seq": seq, "text": text, **schema.timed(start, end),
                        "status": status, "confidence": confidence, "speech_id": sid, "version": 0,
                        "corrected": None})
                    if position in asides and status != "not_spoken":
                        said = self.aside(rng)
                        duration = len(said) / rate
                        unscripted.append((t, t + duration, said, sid))
                        t += duration + rng.uniform(0.3, 1.5)
                    position += 1
                rows.paragraphs.append(self.paragraph_row(meeting_id, paragraph_seq, "".join(p_lines),
                                                          sentence_rows, sid))
                rows.sentences += sentence_rows
                own += sentence_rows
                paragraph_seq += 1
            all_sentences += own
            starts = [s["start"] for s in own if s["start"] is not None]
            ends = [s["end"] for s in own if s["end"] is not None]
            rows.speeches.append({
                "id": sid, "meeting_id": meeting_id, "seq": k, "title": lines[0][0], "speaker": person.name,
                "official_text": texts[k], **schema.timed(min(starts, default=None), max(ends, default=None)),
                "matched_share": round(found_share(own), 4),
                **{status: sum(s["status"] == status for s in own) for status in schema.STATUSES}})
            t += rng.uniform(2, 6)
        host_says(f"刚才，{speakers[-1].name}同志作了很好的讲话，大家要认真学习领会，抓好贯彻落实。会议到此结束，散会。")
        duration = round(t + rng.uniform(3, 30), 3)
        rows.unscripted = [
            {"id": schema.unscripted_id(meeting_id, k), "meeting_id": meeting_id, **schema.timed(start, end),
             "text": text, "speech_id": sid, "version": 0, "corrected": None, "struck": 0}
            for k, (start, end, text, sid) in enumerate(unscripted)]
        texts_sha = hashlib.sha256("\0".join(texts).encode()).hexdigest()
        meeting = {
            "id": meeting_id, "title": meeting_title, "date": date.isoformat(),
            "speaker": "、".join(p.name for p in speakers), "language": "zh", "duration": duration,
            "audio_sha256": hashlib.sha256(f"synthetic recording {self.seed} {meeting_id}".encode()).hexdigest(),
            "text_sha256": texts_sha, "source_path": f"{meeting_id}.mp3", "media_path": None,
            "official_text": official_text, "engine": "synthetic", "model": None, "settings": None,
            "matched_share": round(found_share(all_sentences), 4),
            "ingested_at": f"{date + dt.timedelta(days=rng.randint(1, 20))}T{rng.randint(0, 23):02d}:"
                           f"{rng.randint(0, 59):02d}:00Z",
            "voiced_coverage": round(rng.uniform(0.9, 0.99), 4)}
        rows.meeting = {c: meeting.get(c) for c in schema.TABLE["meetings"].column_names}
        return rows

    def choose_speakers(self, rng: Random, in_office: list[Person], theme: str) -> list[Person]:
        """1-3 speakers: those whose office covers the theme more likely; the highest office speaks last."""
        count = rng.choices((1, 2, 3), weights=(0.35, 0.4, 0.25))[0]
        pool = list(in_office)
        chosen: list[Person] = []
        for _ in range(min(count, len(pool))):
            weights = [p.weight * (4.0 if theme in p.themes else 1.0) for p in pool]
            person = rng.choices(pool, weights=weights)[0]
            chosen.append(person)
            pool.remove(person)
        rank = {office[0]: k for k, office in enumerate(OFFICES)}
        return sorted(chosen, key=lambda p: -rank[p.office])

    def paragraph_row(self, meeting_id: str, seq: int, text: str, sentences: list[dict], sid: str) -> dict:
        from podium.alignment.spans import paragraph_status

        starts = [s["start"] for s in sentences if s["start"] is not None]
        ends = [s["end"] for s in sentences if s["end"] is not None]
        weights = [max(1, len(s["text"])) for s in sentences]
        confidence = sum(w * s["confidence"] for w, s in zip(weights, sentences)) / sum(weights)
        return {"id": self.schema.paragraph_id(meeting_id, seq), "meeting_id": meeting_id, "seq": seq, "text": text,
                **self.schema.timed(min(starts, default=None), max(ends, default=None)),
                "status": paragraph_status({s["status"] for s in sentences}), "confidence": round(confidence, 3),
                "speech_id": sid}

    def all_meetings(self) -> Iterator[tuple[int, str, dt.date]]:
        """(index, ID, date) of every meeting: the ID is its date and its number that day (2019-03-15-1)."""
        per_day: dict[dt.date, int] = {}
        for index, date in enumerate(self.dates):
            per_day[date] = per_day.get(date, 0) + 1
            yield index, f"{date.isoformat()}-{per_day[date]}", date


def found_share(sentences: list[dict]) -> float:
    """The share of the text found, as `spans.mean_confidence(found_only=True)` gives it: confidence weighted
    by length, sentences not spoken counting nothing."""
    weights = [max(1, len(s["text"])) for s in sentences]
    total = sum(w * s["confidence"] for w, s in zip(weights, sentences) if s["status"] != "not_spoken")
    return total / sum(weights) if sentences else 0.0


def insert_rows(conn: sqlite3.Connection, table: str, rows: list[dict]) -> None:
    if rows:
        columns = list(rows[0])
        conn.executemany(f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
                         f"values ({', '.join('?' for _ in columns)})", [[r[c] for c in columns] for r in rows])


def write_meetings(conn: sqlite3.Connection, batch) -> None:
    """New meetings' rows in one transaction, as `store.write_meeting` writes one: the rows (the trigram indexes
    follow by their triggers), then each searchable table's new rows into its character index, and the machine
    run in every meeting's history."""
    from podium import corrections, schema

    with schema.transaction(conn):
        first = {t: conn.execute(f"select coalesce(max(rowid), 0) from [{t}]").fetchone()[0]
                 for t in ("paragraphs", "sentences", "unscripted")}
        for rows in batch:
            insert_rows(conn, "meetings", [rows.meeting])
            insert_rows(conn, "speeches", rows.speeches)
            for table in ("paragraphs", "sentences", "unscripted"):
                insert_rows(conn, table, getattr(rows, table))
        for table, after in first.items():
            schema.index_rows(conn, table, "rowid > ?", [after])  # new rows only: rowids grow
        for rows in batch:
            corrections.record_machine_run(conn, rows.meeting["id"], "ingested")


def make_archive(db_path: Path | str, meetings: int, seed: int = 0, progress: bool = True) -> dict:
    """Write a synthetic archive of `meetings` meetings at `db_path` (created, or completed: meetings already
    there are skipped). Returns what it wrote: meetings, speeches, sentences, unscripted, seconds."""
    from podium.ingest import store

    db_path = Path(db_path)
    started = time.perf_counter()
    writer = Writer(seed, meetings)
    conn = store.open_for_writing(db_path)
    counts = {"meetings": 0, "speeches": 0, "sentences": 0, "unscripted": 0}
    try:
        conn.execute("pragma synchronous = normal")  # WAL: durable at checkpoints; a crash loses a batch at most
        conn.execute("pragma cache_size = -131072")  # 128 MB of pages: the indexes' B-trees stay in memory
        done = {r[0] for r in conn.execute("select id from meetings")}
        if done and progress:
            print(f"{db_path}: {len(done)} meetings already there, kept", flush=True)
        batch: list = []
        todo = [m for m in writer.all_meetings() if m[1] not in done]
        for n, (index, meeting_id, date) in enumerate(todo, start=1):
            rows = writer.meeting(index, meeting_id, date)
            batch.append(rows)
            counts["meetings"] += 1
            counts["speeches"] += len(rows.speeches)
            counts["sentences"] += len(rows.sentences)
            counts["unscripted"] += len(rows.unscripted)
            if len(batch) == BATCH or n == len(todo):
                write_meetings(conn, batch)
                batch = []
                if progress:
                    elapsed = time.perf_counter() - started
                    print(f"  {n:,}/{len(todo):,} meetings, {counts['sentences']:,} sentences, {elapsed:,.0f} s"
                          f" (about {elapsed / n * (len(todo) - n):,.0f} s to go)", flush=True)
        conn.execute("pragma wal_checkpoint(truncate)")  # all in the main file: `podium serve --immutable` reads only it
    finally:
        conn.close()
    counts["seconds"] = time.perf_counter() - started
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=5000)
    parser.add_argument("--db", type=Path, help="The archive to write (completed if it is there).")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--smoke", action="store_true", help="5 meetings in a temporary directory, in seconds.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        if args.smoke:
            args.meetings, args.db = 5, Path(scratch) / "county.db"
        elif args.db is None:
            parser.error("--db is required")
        counts = make_archive(args.db, args.meetings, args.seed)
        size = sum(p.stat().st_size for p in args.db.parent.glob(args.db.name + "*")) / 1e6
        print(f"| meetings | speeches | sentences | off-script | seconds | MB |\n|---:|---:|---:|---:|---:|---:|\n"
              f"| {counts['meetings']:,} | {counts['speeches']:,} | {counts['sentences']:,} | "
              f"{counts['unscripted']:,} | {counts['seconds']:,.1f} | {size:,.1f} |")
        print(f"written: {args.db} (seed {args.seed})")


if __name__ == "__main__":
    sys.exit(main())
