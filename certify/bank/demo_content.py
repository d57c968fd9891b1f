"""The demo bank's content: 文物修复师's theory element table (中级工 and 高级工 weights), a dozen hand-written
questions of every type, and a generator that fills the rest of the bank so blueprints are feasible.

Generated questions say that they are demo fillers in their explanation; the hand-written ones are what a new
user opens first.
"""

from __future__ import annotations

import random
from decimal import Decimal

from question_bank.model import Blank, Question

INTERMEDIATE, SENIOR = 3, 4

#: range path → (name, {level ordinal: weight %}); the innermost weighted ranges are the cells
RANGES: dict[str, tuple[str, dict[int, float]]] = {
    "A": ("基本要求", {}),
    "A-A": ("职业道德", {INTERMEDIATE: 5, SENIOR: 5}),
    "A-B": ("基础知识", {}),
    "A-B-A": ("文物保护法律法规", {INTERMEDIATE: 10, SENIOR: 5}),
    "A-B-B": ("文物材料与病害基础", {INTERMEDIATE: 15, SENIOR: 10}),
    "B": ("相关知识", {}),
    "B-A": ("修复前期准备", {}),
    "B-A-A": ("文物信息采集", {INTERMEDIATE: 10, SENIOR: 10}),
    "B-A-B": ("病害调查与记录", {INTERMEDIATE: 10, SENIOR: 10}),
    "B-B": ("修复实施", {}),
    "B-B-A": ("清洗与加固", {INTERMEDIATE: 20, SENIOR: 20}),
    "B-B-B": ("拼接与补配", {INTERMEDIATE: 15, SENIOR: 20}),
    "B-B-C": ("作色与做旧", {INTERMEDIATE: 5, SENIOR: 10}),
    "B-C": ("修复档案与保管", {}),
    "B-C-A": ("修复档案与文物保管", {INTERMEDIATE: 10, SENIOR: 10}),
}

#: cell → its assessment points (鉴定点), in order 001, 002, …; the last of each cell is Y (general), the rest X
POINTS: dict[str, list[str]] = {
    "A-A": [
        "文物修复职业守则",
        "最小干预原则",
        "可逆性原则",
        "可识别原则",
        "保密与安全意识",
        "团队协作",
        "工匠精神",
        "职业责任",
    ],
    "A-B-A": [
        "《中华人民共和国文物保护法》总则",
        "馆藏文物修复的审批",
        "文物等级划分",
        "文物出入库手续",
        "修复资质管理",
        "文物安全责任",
        "可移动文物普查",
        "不可移动文物保护范围",
        "文物复制与拓印管理",
        "文物损毁的法律责任",
        "文物保护单位的公布",
        "博物馆条例要点",
        "文物进出境审核",
    ],
    "A-B-B": [
        "陶瓷的胎釉构成",
        "烧成温度与瓷化",
        "青铜合金成分",
        "青铜锈蚀产物",
        "有害锈（粉状锈）",
        "纸张纤维构成",
        "丝织品老化",
        "漆器胎骨类型",
        "木材含水率",
        "可溶盐危害",
        "霉菌与虫害",
        "光照与紫外线损害",
        "温湿度波动影响",
        "金属电化学腐蚀",
        "石质风化类型",
        "玻璃病害",
        "骨角牙器特性",
        "材料相容性",
    ],
    "B-A-A": [
        "文物基本信息登记",
        "文物摄影布光",
        "比例尺与色卡使用",
        "三维扫描",
        "X射线探伤",
        "显微观察",
        "便携式X荧光分析",
        "红外光谱检测",
        "样品采集原则",
        "测量与绘图",
        "信息采集记录规范",
        "检测报告解读",
        "影像资料归档",
    ],
    "B-A-B": [
        "病害图示符号",
        "病害调查表填写",
        "裂隙与断裂记录",
        "缺失部位记录",
        "污染物识别",
        "锈蚀分布记录",
        "旧修复痕迹辨识",
        "病害面积测算",
        "保存现状评估",
        "病害成因分析",
        "风险等级判定",
        "修复方案编制依据",
        "方案报批要点",
    ],
    "B-B-A": [
        "表面清洗方法选择",
        "机械清洗工具",
        "去离子水清洗",
        "溶剂清洗安全",
        "络合剂清洗",
        "超声波清洗风险",
        "激光清洗",
        "脱盐处理",
        "缓蚀处理",
        "封护材料选择",
        "加固剂渗透",
        "Paraloid B-72 使用",
        "环氧树脂使用",
        "加固效果检验",
        "清洗效果评估",
        "有机溶剂防护",
        "除锈方法选择",
        "清洗顺序",
        "加固前试验",
        "加固剂浓度控制",
        "临时加固",
        "环境控制下施工",
        "清洗记录",
    ],
    "B-B-B": [
        "碎片预排",
        "拼接顺序",
        "粘接剂选择",
        "粘接面处理",
        "定位与固定",
        "错位校正",
        "补配材料选择",
        "石膏补配",
        "树脂补配",
        "翻模技术",
        "补配形状依据",
        "补配强度要求",
        "金属器焊接修复",
        "金属器补配",
        "陶瓷器补缺",
        "可逆粘接",
        "旧粘接拆除",
        "拼接误差控制",
        "支撑与内衬",
        "补配部位打磨",
        "隐蔽补配的界限",
        "复原与修复的区别",
        "拼接记录",
    ],
    "B-B-C": [
        "颜料选择",
        "调色方法",
        "作色可逆性",
        "做旧的分寸",
        "釉色仿制",
        "锈色仿制",
        "色差识别",
        "作色工具",
        "作色层封护",
        "光源下比色",
        "作色记录",
        "作色的可识别性",
        "避免过度修复",
    ],
    "B-C-A": [
        "修复档案的内容",
        "修复前后影像对比",
        "材料与工艺记录",
        "修复日志",
        "档案电子化",
        "验收程序",
        "修复后保存环境",
        "包装与运输",
        "库房温湿度",
        "囊匣制作",
        "定期巡检",
        "文物点交",
        "档案保密",
    ],
}


def _tf(stem: str, answer: bool, point: str, difficulty: int, explanation: str) -> Question:
    return Question("true_false", stem, answer=("true" if answer else "false",), points=Decimal(1),
                    difficulty=difficulty, point_code=point, explanation=explanation)  # fmt: skip


def _choice(qtype: str, stem: str, options: tuple[str, ...], answer: str, point: str, difficulty: int,
            explanation: str, points: int = 1) -> Question:  # fmt: skip
    return Question(qtype, stem, options=options, answer=tuple(answer), points=Decimal(points),
                    difficulty=difficulty, point_code=point, explanation=explanation)  # fmt: skip


#: hand-written questions (高级工) a new user opens first: every type, with keys and explanations
SHOWCASE: list[Question] = [
    _tf("文物修复应遵循最小干预原则，能不修的尽量不修，必须修的尽量少修。", True, "A-A-002", 1,
        "最小干预是文物保护修复的基本原则之一。"),
    _tf("为使修复部位与原器完全一致，补配部位应做到任何距离下都无法辨识。", False, "B-B-C-012", 3,
        "可识别原则要求修复部位在近距离可以辨识，“远看一致、近看有别”。"),
    _choice("single_choice", "青铜器上呈浅绿色粉末状、会不断扩展的锈蚀通常被称为：",
            ("孔雀石", "有害锈（粉状锈）", "赤铜矿", "蓝铜矿"), "B", "A-B-B-005", 2,
            "粉状锈主要成分为碱式氯化铜，会持续腐蚀器物，俗称“青铜病”。"),
    _choice("single_choice", "拼接陶瓷碎片前进行预排的主要目的是：",
            ("节省粘接剂", "确定拼接顺序，避免最后一片无法就位", "方便拍照", "检验碎片是否为同一器物"),
            "B", "B-B-B-001", 2, "预排能发现“锁死”现象，确定合理的拼接顺序。"),
    _choice("single_choice", "Paraloid B-72 常用的溶剂是：", ("去离子水", "丙酮", "氢氧化钠溶液", "盐酸"), "B",
            "B-B-A-012", 3, "B-72 溶于丙酮、乙酸乙酯等有机溶剂，具有良好的可逆性。"),
    _choice("multiple_choice", "下列属于文物修复档案必备内容的有：",
            ("修复前的病害记录与影像", "所用材料与工艺", "修复人员与日期", "修复人员的个人简历"), "ABC",
            "B-C-A-001", 3, "档案记录文物本身及修复过程，修复人员简历不属于修复档案。", points=3),
    _choice("multiple_choice", "对出土铁器进行脱盐处理时，应当：",
            ("先做小面积试验", "监测浸泡液中氯离子浓度", "使用自来水长时间浸泡", "处理后及时干燥并封护"),
            "ABD", "B-B-A-008", 4, "自来水含氯离子，不宜用于脱盐；应使用去离子水并监测氯离子。", points=3),
    Question("fill_in", "文物保护修复中常说的三原则是最小干预、________和________。",
             blanks=(Blank.of("可逆性", "可逆"), Blank.of("可识别性", "可识别")), points=Decimal(2),
             difficulty=2, point_code="A-A-003", explanation="三原则：最小干预、可逆性、可识别性。"),
    Question("short_answer", "简述陶瓷器粘接前对粘接面进行处理的步骤和要求。", points=Decimal(10), difficulty=3,
             point_code="B-B-B-004",
             marking_scheme="清除旧胶和污物（3分）；去除可溶盐并充分干燥（3分）；试拼确认对位（2分）；必要时涂隔离层保证可逆（2分）。"),
    Question("calculation", "某馆库房要求相对湿度 50%±5%。实测温度 20 ℃、绝对湿度 9.5 g/m³（20 ℃ 饱和湿度 17.3 g/m³），"
             "计算相对湿度并判断是否达标。", points=Decimal(10), difficulty=4, point_code="B-C-A-009",
             marking_scheme="RH = 9.5 ÷ 17.3 × 100% ≈ 54.9%（6分）；在 45%–55% 范围内，达标（4分）。"),
    Question("essay", "论述“可识别原则”在陶瓷器补配与作色中的运用，并举例说明如何把握分寸。", points=Decimal(20),
             difficulty=4, point_code="B-B-C-012",
             marking_scheme="原则含义（5分）；补配材料、色调、纹饰上的体现（8分）；实例及分寸把握（7分）。"),
    Question("case", "一件清代青花瓷盘碎为 7 片，其中一片缺失约 3 cm²，盘底有旧修复的虫胶粘接痕迹。"
             "请制定修复方案要点。", points=Decimal(20), difficulty=5, point_code="B-A-B-012",
             marking_scheme="信息采集与病害记录（4分）；旧粘接拆除方法（4分）；清洗与拼接顺序（4分）；"
                            "补配与作色及可识别（5分）；档案记录（3分）。"),
]  # fmt: skip


def generated_questions(seed: int = 2026) -> list[Question]:
    """Two filler questions per assessment point (true/false, single or multiple choice), deterministic."""
    rng = random.Random(seed)
    taken = {q.point_code for q in SHOWCASE}
    out: list[Question] = []
    for cell, names in POINTS.items():
        for number, name in enumerate(names, start=1):
            code = f"{cell}-{number:03d}"
            difficulty = rng.choice((2, 2, 3, 3, 3, 4))
            note = "演示题库自动生成的题目，仅用于演示组卷与统计。"
            kinds = ["true_false", "single_choice"] if code not in taken else ["single_choice"]
            if number % 4 == 0:
                kinds.append("multiple_choice")
            for kind in kinds:
                if kind == "true_false":
                    truth = rng.random() < 0.5
                    stem = (
                        f"“{name}”属于高级工理论知识的考核内容。"
                        if truth
                        else f"“{name}”只需了解，无须在修复实践中掌握。"
                    )
                    out.append(_tf(stem, truth, code, difficulty, note))
                elif kind == "single_choice":
                    options = (f"{name}的正确做法", f"{name}的常见误区一", f"{name}的常见误区二", f"{name}的常见误区三")
                    order = list(range(4))
                    rng.shuffle(order)
                    shuffled = tuple(options[i] for i in order)
                    key = "ABCD"[order.index(0)]
                    stem = f"关于“{name}”，下列做法正确的是："
                    out.append(_choice("single_choice", stem, shuffled, key, code, difficulty, note))
                else:
                    options = (f"{name}要点一", f"{name}要点二", f"与{name}无关的做法", f"{name}要点三")
                    stem = f"关于“{name}”，下列说法正确的有："
                    out.append(_choice("multiple_choice", stem, options, "ABD", code, min(5, difficulty + 1), note, 3))
    return out
