"""What to look for: each leaf's keywords and counted nouns, each subject's names and aliases.

Keywords come first from the framework itself — a leaf's names in both languages, split at
``与 / 和 / & / ,`` — and then from a small curated list per leaf of the cn-llm-vendor-2024
framework (what a report calls the thing: ``开发者``, ``企事业单位``, ``知识图谱``). A leaf of
another framework gets only its names. *Nouns* are what a count leaf counts, the word a figure
is followed by (``535 万开发者``): the rule finder proposes a figure for a leaf only when one of
them follows it.

Aliases are a subject's id and names plus, for the report's vendors, the names of their model
families and platforms (``文心`` and ``飞桨`` are Baidu), since a report names a vendor by its
products more often than by itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from quanheng.framework import Framework, Node
from quanheng.study import Study, Subject
from quanheng.text import Text

__all__ = ["LeafTerms", "leaf_terms", "subject_aliases"]

_SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "P1.1": ("token", "语料", "预训练数据", "训练数据"),
    "P1.2": ("数据质量", "清洗", "去重", "过滤", "数据管理"),
    "P1.3": ("知识图谱", "知识增强", "条知识"),
    "P1.4": ("合规", "版权", "数据来源", "备案"),
    "P2.1": ("算力", "PFLOPS", "智算中心", "计算集群", "GPU"),
    "P2.2": ("训练加速", "集群", "训练框架", "分布式训练", "batch", "训练优化"),
    "P2.3": ("硬件伙伴", "硬件适配", "芯片", "适配"),
    "P2.4": ("压缩", "量化", "蒸馏", "推理成本", "推理加速"),
    "P3.1": ("大模型体系", "个大模型", "模型体系"),
    "P3.2": ("参数", "参数量", "参数规模"),
    "P3.3": ("多模态", "模态", "NLP", "CV", "计算机视觉", "自然语言处理", "文生图", "语音"),
    "P3.4": ("架构", "Transformer", "MoE", "统一模型", "训练范式"),
    "P4.1": ("深度学习框架", "训练框架", "开发框架", "深度学习平台"),
    "P4.2": ("API", "MaaS", "模型即服务", "接口"),
    "P4.3": ("工具链", "开发平台", "精调", "微调", "部署", "开箱即用"),
    "P4.4": ("私有化", "本地部署", "专属云", "私有云"),
    "P5.5": ("SuperCLUE", "榜单", "评测"),
    "P6.1": ("落地场景", "场景"),
    "P6.2": ("效果提升", "应用效果", "提升"),
    "P6.3": ("Serving", "项目", "交付"),
    "P7.3": ("价格", "定价", "百万token", "千token", "元/百万"),
    "S1.1": ("安全治理", "伦理", "AI安全", "可信"),
    "S1.3": ("数据安全", "隐私"),
    "S1.4": ("芯片", "供应链", "国产化", "自主可控", "昇腾"),
    "S2.1": ("客户需求", "用户需求", "痛点"),
    "S2.2": ("know-how", "行业知识", "行业经验", "行业大模型"),
    "S2.3": ("市场份额", "份额", "市占率"),
    "S3.1": ("路线", "路线图", "战略", "规划"),
    "S3.2": ("研发投入", "研发费用", "研发支出"),
    "S3.3": ("发布", "迭代", "版本"),
    "S4.1": ("产品", "商用", "商业化产品"),
    "S4.2": ("定价", "计费", "价格", "免费"),
    "S4.3": ("自身业务", "内部业务", "赋能", "业务场景"),
    "S5.1": ("行业", "领域", "行业大模型"),
    "S5.2": ("客户", "标杆客户", "合作伙伴"),
    "E1.1": ("开源",),
    "E1.2": ("开放API", "兼容", "标准接口", "API"),
    "E1.3": ("硬件伙伴", "硬件生态", "生态发行版"),
    "E1.4": ("第三方模型", "托管", "模型广场", "模型库"),
    "E2.1": ("开发者",),
    "E2.2": ("企事业单位", "企业客户", "企业", "机构"),
    "E2.3": ("社区", "开发者平台"),
    "E2.4": ("高校", "人才培养", "学子", "教师"),
    "E2.5": ("用户", "App", "日活", "月活"),
    "E3.1": ("联合", "行业大模型", "联合发布"),
    "E3.2": ("产学研", "科研院所", "高校合作", "研究合作"),
    "E3.3": ("联合实验室", "实验室", "创新中心"),
    "E3.4": ("标准", "开源社区", "贡献"),
    "E3.5": ("榜单", "登顶", "排名第一", "数据集"),
}

_NOUNS: Mapping[str, tuple[str, ...]] = {
    "P1.1": ("token", "tokens", "词元"),
    "P1.3": ("知识", "facts"),
    "P2.1": ("PFLOPS", "P算力", "EFLOPS"),
    "P2.3": ("硬件伙伴", "硬件厂商", "芯片厂商", "硬件"),
    "P3.1": ("大模型", "模型"),
    "P3.2": ("参数",),
    "P6.1": ("落地场景", "场景", "应用场景"),
    "P6.2": ("的应用效果提升", "效果提升", "应用效果"),
    "P6.3": ("项目",),
    "S4.1": ("产品", "款产品"),
    "S5.1": ("行业",),
    "S5.2": ("标杆客户", "客户"),
    "E1.1": ("开源模型", "开源"),
    "E1.3": ("硬件伙伴", "硬件生态伙伴"),
    "E2.1": ("开发者",),
    "E2.2": ("企事业单位", "企业客户", "家企业", "机构"),
    "E2.4": ("高校",),
    "E3.2": ("产学研合作", "研究合作"),
    "E3.3": ("联合实验室", "实验室", "创新中心"),
    "E3.5": ("数据集榜单", "榜单", "权威数据集"),
}

_ALIASES: Mapping[str, tuple[str, ...]] = {
    "sensetime": ("商汤", "SenseTime", "日日新", "SenseNova", "SenseChat", "秒画", "SenseCore",
                  "大装置"),
    "baidu": ("百度", "Baidu", "文心", "ERNIE", "飞桨", "PaddlePaddle"),
    "alibaba": ("阿里", "Alibaba", "通义", "Tongyi", "达摩院", "阿里云", "千问", "Qwen",
                "AliceMind", "M6"),
    "huawei": ("华为", "Huawei", "盘古", "Pangu", "昇腾", "Ascend", "ModelArts", "昇思",
               "MindSpore"),
    "tencent": ("腾讯", "Tencent", "混元", "HunYuan", "太极", "腾讯云", "HCC"),
    "openai": ("OpenAI", "ChatGPT"),
}  # fmt: skip


@dataclass(frozen=True)
class LeafTerms:
    """What marks a passage as being about one leaf.

    Attributes:
        leaf: the framework leaf.
        keywords: words that mark a passage as about it.
        nouns: words a figure for it is followed by (count leaves; empty for the others).
        counter: the measure word of its unit (``家`` of ``家伙伴``), if any.
    """

    leaf: Node
    keywords: tuple[str, ...]
    nouns: tuple[str, ...]
    counter: str | None


def _name_terms(name: Text | str | None) -> list[str]:
    if name is None:
        return []
    texts = [name] if isinstance(name, str) else [t for t in (name.zh, name.en) if t]
    out: list[str] = []
    for text in texts:
        for part in re.split(r"[与和、,&()（）/]| and ", text):
            part = part.strip()
            chinese = len(part) >= 2 and not part.isascii()
            latin = part.isascii() and len(part) >= 4 and part.lower() not in ("with", "scale")
            if chinese or latin:
                out.append(part)
    return out


def _counter(unit: Text | str | None) -> str | None:
    if unit is None:
        return None
    zh = unit if isinstance(unit, str) else unit.zh
    from quanheng.extract.numbers import COUNTERS

    return zh[0] if zh and zh[0] in COUNTERS else None


def leaf_terms(framework: Framework) -> dict[str, LeafTerms]:
    """Keywords, nouns and counter of every leaf (measured leaves excluded: they are measured)."""
    out: dict[str, LeafTerms] = {}
    for leaf in framework.leaves:
        if leaf.kind == "measured":
            continue
        keywords = dict.fromkeys([*_name_terms(leaf.name), *_SYNONYMS.get(leaf.id, ())])
        out[leaf.id] = LeafTerms(
            leaf=leaf,
            keywords=tuple(keywords),
            nouns=_NOUNS.get(leaf.id, ()) if leaf.kind == "fact" else (),
            counter=_counter(leaf.unit),
        )
    return out


def subject_aliases(study: Study) -> dict[str, tuple[str, ...]]:
    """Every subject's id, names and known aliases, longest first (so 阿里云 wins over 阿里)."""

    def names(subject: Subject) -> list[str]:
        return [subject.id, subject.name.zh, subject.name.en, *_ALIASES.get(subject.id, ())]

    return {
        s.id: tuple(sorted(dict.fromkeys(n for n in names(s) if n), key=len, reverse=True))
        for s in study.subjects
    }
