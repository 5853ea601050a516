"""The embedded default study: loads, validates, scores, screens OpenAI out with the quote."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import pytest

import quanheng
from quanheng.cli import main
from quanheng.framework import load_framework
from quanheng.measure.suites import BUILTIN_SUITES, builtin_suite
from quanheng.specs.normalisation import LogMinMax, MinMax

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT / "studies" / "cn-llm-vendors-2024"
SEED = ROOT.parent / "shared" / "seeds" / "000_c3800c3e79d5f442.txt"


@pytest.fixture(scope="module")
def study() -> quanheng.Study:
    return quanheng.load_study(STUDY)


def test_builtin_framework_has_the_reconstructed_shape() -> None:
    fw = load_framework("cn-llm-vendor-2024")
    assert fw.gate_ids == ("china_market", "full_stack", "commercial_base", "product_market")
    assert [d.id for d in fw.tree] == ["P", "S", "E"]
    first = [n for d in fw.tree for n in d.children]
    assert len(first) == 15
    assert [len(d.children) for d in fw.tree] == [7, 5, 3]
    assert len(fw.leaves) == 56
    assert [sum(len(n.children) for n in d.children) for d in fw.tree] == [27, 15, 14]
    tree = fw.compiled
    assert tree.weights[tree.index["P"]] == 0.5
    assert tree.weights[tree.index["S"]] == tree.weights[tree.index["E"]] == 0.25
    assert math.isclose(tree.global_weights()[: tree.n_leaves].sum(), 1.0)
    kinds = {leaf.kind for leaf in fw.leaves}
    assert kinds == {"measured", "fact", "rubric"}
    # every measured leaf names a metric that a built-in suite reports
    suite_metrics = {m for s in BUILTIN_SUITES for m in builtin_suite(s).metrics}
    for leaf in fw.leaves:
        if leaf.kind == "measured":
            assert leaf.metric in suite_metrics, leaf.id
        if leaf.kind == "rubric":
            assert leaf.normalisation is not None and leaf.normalisation.type == "rubric"
    assert fw.landscape is not None and (fw.landscape.x, fw.landscape.y) == ("S", "P")
    assert fw.provenance is not None and fw.provenance.reconstructed


def test_every_cohort_relative_leaf_has_a_reference_with_a_basis_in_both_languages() -> None:
    fw = load_framework("cn-llm-vendor-2024")
    relative = [leaf for leaf in fw.leaves if isinstance(leaf.normalisation, MinMax | LogMinMax)]
    assert len(relative) == 26
    for leaf in relative:
        assert isinstance(leaf.normalisation, MinMax | LogMinMax)
        ref = leaf.normalisation.reference
        assert ref is not None, leaf.id
        assert (ref.basis.zh or "").strip() and (ref.basis.en or "").strip(), leaf.id
        if isinstance(leaf.normalisation, LogMinMax):
            assert ref.min + leaf.normalisation.offset > 0, leaf.id


def test_sparse_leaves_of_the_default_study_use_the_framework_references(
    study: quanheng.Study,
) -> None:
    card = quanheng.score(study)
    assert card.sparse and {s.how for s in card.sparse} == {"reference"}
    # P2.3 (linear 0..24), two vendors: Baidu 12 -> 0.5 and Alibaba 2 -> 2/24, not 1 and 0
    assert card.column("P2.3")[card.subjects.index("baidu")] == pytest.approx(0.5)
    assert card.column("P2.3")[card.subjects.index("alibaba")] == pytest.approx(2 / 24)
    # E1.3 (linear 0..24): Huawei's 30 lies above the top of the range -> clipped to 1
    assert card.column("E1.3")[card.subjects.index("huawei")] == pytest.approx(1.0)
    # P3.3 has four vendors now: scored within the cohort (min 3 -> 0, max 5 -> 1)
    assert "P3.3" not in {s.leaf for s in card.sparse}
    assert card.column("P3.3")[card.subjects.index("tencent")] == pytest.approx(0.5)
    # P6.3 (log 1..2000): SenseTime 5 -> log10(5) / log10(2000) = 0.699 / 3.301 = 0.212
    assert card.column("P6.3")[card.subjects.index("sensetime")] == pytest.approx(0.21174, abs=1e-4)
    # P1.3 (log 3.5e9..5e11): Baidu's 5.5e11 facts lie above the top of the range -> clipped to 1
    assert card.column("P1.3")[card.subjects.index("baidu")] == pytest.approx(1.0)


def test_study_loads_with_its_subjects(study: quanheng.Study) -> None:
    assert [s.id for s in study.subjects] == [
        "sensetime", "baidu", "alibaba", "huawei", "tencent", "openai", "qwen2.5-coder-0.5b",
    ]  # fmt: skip
    local = study.subjects[-1]
    assert (local.kind, local.vendor, local.local_model) == (
        "model", "alibaba", "qwen2.5-coder-0.5b-q4km",
    )  # fmt: skip
    assert "open-qa" in study.spec.measure.suites and study.spec.measure.judge is None
    assert {"customer-service", "code-assistant", "regulated-finance"} <= set(study.profiles)


def test_every_report_quote_is_verbatim_in_the_seed(study: quanheng.Study) -> None:
    if not SEED.exists():
        pytest.skip(f"seed report not present at {SEED}")
    seed = SEED.read_text(encoding="utf-8")
    report = [r for r in study.evidence if r.file.endswith("report-2024.yaml")]
    assert len(report) >= 40
    for record in report:
        assert record.quote.strip() in seed, record.ref


def test_every_record_has_source_quote_and_analyst(study: quanheng.Study) -> None:
    for record in study.evidence:
        assert record.source.title and record.quote.strip() and record.analyst


def test_openai_is_screened_out_by_china_market_with_the_quote(study: quanheng.Study) -> None:
    card = quanheng.score(study)
    assert card.status("openai") == "excluded"
    gates = card.gates[card.subjects.index("openai")]
    [failed] = gates.failed
    assert failed.gate == "china_market"
    assert "OpenAI 尚未向中国用户开放 ChatGPT 及 GPT-4 服务" in (failed.quote or "")
    assert math.isnan(card.overall[card.subjects.index("openai")])


def test_shortlisted_vendors_pass_all_gates(study: quanheng.Study) -> None:
    card = quanheng.score(study)
    for vendor in ("sensetime", "baidu", "alibaba", "huawei", "tencent"):
        results = card.gates[card.subjects.index(vendor)].results
        assert [r.status for r in results] == ["pass"] * 4, vendor


def test_coverage_is_reported_for_every_ranked_subject(study: quanheng.Study) -> None:
    card = quanheng.score(study)
    frame = card.to_frame()
    ranked = frame[frame["status"] != "excluded"]
    assert ranked["coverage"].notna().all()
    assert (ranked["coverage"] < 1).all()  # the study is sparse on purpose, and says so
    # the report's text has no indicator evidence for Huawei; cited public records add it, so
    # each of the report's five vendors is at least 40% covered (issue #16)
    vendors = ["sensetime", "baidu", "alibaba", "huawei", "tencent"]
    assert (frame.loc[vendors, "coverage"] >= 0.4).all(), frame.loc[vendors, "coverage"]
    assert not [
        r
        for r in study.evidence
        if r.subject == "huawei"
        and "report-2024" in r.file
        and r.indicator not in {"china_market", "full_stack", "commercial_base", "product_market"}
    ]


def test_profiles_change_the_scores(study: quanheng.Study) -> None:
    default = quanheng.score(study)
    for profile in ("customer-service", "code-assistant", "regulated-finance"):
        other = quanheng.score(study, profile)
        assert other.profile == profile
        assert not all(
            (math.isnan(a) and math.isnan(b)) or a == b
            for a, b in zip(default.overall, other.overall, strict=True)
        )


def test_demo_writes_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    # a copy without any run store: the scores below come from the quoted evidence alone
    shutil.copytree(STUDY, tmp_path / "study", ignore=shutil.ignore_patterns("runs"))
    monkeypatch.setenv("QUANHENG_STUDY", str(tmp_path / "study"))
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--out", "out", "--no-measure"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "OpenAI (openai): fails china_market" in out
    card = json.loads((tmp_path / "out" / "cn-llm-vendors-2024.default.scorecard.json").read_text())
    first = next(s for s in card["subjects"] if s["rank"] == 1 and s["cohort"] == "vendor")
    assert re.search(rf"│\s+1 │ {first['name']['en']}\s", out)  # the table shows the card
    assert {s["id"] for s in card["subjects"]} >= {"baidu", "openai"}
    csv = (tmp_path / "out" / "cn-llm-vendors-2024.default.scorecard.csv").read_text()
    assert csv.splitlines()[0].startswith("subject,name,cohort,rank,overall,P,S,E,coverage")
    assert re.search(r"\nhuawei,Huawei,vendor,[1-5],0\.", csv)  # integer ranks
    assert "\nopenai,OpenAI,vendor,,,,,,,excluded," in csv  # none for the screened out
    summary = (tmp_path / "out" / "cn-llm-vendors-2024.default.md").read_text()
    assert "## Screened out" in summary and "china_market" in summary
    assert "measuring" not in out and not (tmp_path / "study" / "runs").exists()
    for lang in ("zh", "en"):
        assert (tmp_path / "out" / f"cn-llm-vendors-2024.default.report.{lang}.html").exists()
        assert (tmp_path / "out" / f"cn-llm-vendors-2024.default.report.{lang}.pdf").exists()
