"""The workbench through FastAPI's test client: pages, live scores, edits, and its security."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import quanheng
from quanheng.curation.proposals import write_proposals
from quanheng.web import close_app, create_app
from quanheng.web.serve import workbench_url
from tests.web.support import client_for, copy_study

SCRIPT = "<script>alert('x')</script><img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_study(tmp_path_factory.mktemp("web-app") / "study")


@pytest.fixture(scope="module")
def app(study: Path) -> Iterator[Any]:
    made = create_app(study, draws=200)
    yield made
    close_app(made)


@pytest.fixture(scope="module")
def client(app: Any) -> Any:
    return client_for(app)


def csrf(app: Any) -> str:
    return str(app.state.settings.csrf)


def version_in(html: str) -> str:
    found = re.search(r'name="version" value="([^"]*)"', html)
    assert found is not None
    return found.group(1)


def record_form(app: Any, **changes: str) -> dict[str, str]:
    form = {
        "csrf": csrf(app),
        "file": "evidence/accepted.yaml",
        "index": "",
        "version": "",
        "subject": "tencent",
        "indicator": "S2.3",
        "value": "0.05",
        "source_title": "A test source",
        "source_date": "2024-05-01",
        "quote": "Tencent holds 5%.",
        "analyst": "tester",
        "who": "tester",
        "reason": "test",
    }
    form.update(changes)
    return form


# --------------------------------------------------------------------------- pages


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_renders_in_both_languages(client: Any, lang: str) -> None:
    pages = ["/", "/weights", "/subjects", "/subject/baidu", "/subject/openai", "/leaf/P1.1"]
    pages += ["/leaf/china_market", "/evidence", "/queue", "/audit", "/runs", "/reports"]
    for page in pages:
        r = client.get(f"{page}?lang={lang}")
        assert r.status_code == 200, page
        assert ('lang="zh-CN"' in r.text) == (lang == "zh"), page
    assert "竞争力格局" in client.get("/?lang=zh").text
    assert "Competitive landscape" in client.get("/?lang=en").text


def test_overview_names_who_the_gates_screened_out(client: Any) -> None:
    html = client.get("/?lang=en").text
    excluded = html.split("Screened out by the gates")[-1]
    assert "OpenAI" in excluded
    assert "fails:" in excluded


def test_unknown_subject_leaf_or_profile_is_404(client: Any) -> None:
    assert client.get("/subject/nobody").status_code == 404
    assert client.get("/leaf/P99").status_code == 404
    assert client.get("/?profile=nope").status_code == 404


# --------------------------------------------------------------------------- live scores


def test_reweight_matches_scoring_a_profile_with_those_weights(
    app: Any, client: Any, study: Path
) -> None:
    weights = {"P": 0.1, "S": 0.8, "E": 0.1}
    r = client.post(
        "/api/reweight",
        json={"profile": None, "weights": weights},
        headers={"X-CSRF-Token": csrf(app)},
    )
    assert r.status_code == 200
    got = r.json()
    loaded = quanheng.load_study(study)
    prof = loaded.profile(None).model_copy(update={"weights": weights})
    from quanheng.scoring.weighting import profile_weights

    card = quanheng.score(loaded)
    w = profile_weights(loaded, prof, card.matrix)
    expected = quanheng.scoring.engine.score_matrix(
        card.matrix, loaded.framework, card.gates, w, _context(card)
    )
    for i, sid in enumerate(expected.subjects):
        want = expected.overall[i]
        assert (got["overall"][sid] is None) == bool(want != want)
        if got["overall"][sid] is not None:
            assert got["overall"][sid] == pytest.approx(float(want), abs=1e-6)
    base = client.post(
        "/api/reweight", json={"weights": {}}, headers={"X-CSRF-Token": csrf(app)}
    ).json()
    assert base["order"] != got["order"]  # strategy-heavy weights reorder the vendors
    assert "<svg" in got["landscape"] and "<table" in got["ranking"]


def _context(card: Any) -> Any:
    from quanheng.scoring.engine import ScoringContext

    return ScoringContext(
        study_id=card.study,
        profile=card.profile,
        subject_names=card.subject_names,
        aggregation=card.aggregation,
        missing=card.missing,
        gate_policy=card.gate_policy,
        digests=card.digests,
        groups=card.cohorts,
    )


def test_probabilities_sum_to_one_over_the_cohort(app: Any, client: Any) -> None:
    r = client.post(
        "/api/probabilities",
        json={"weights": {"P": 0.2, "S": 0.6, "E": 0.2}},
        headers={"X-CSRF-Token": csrf(app)},
    )
    p = r.json()["p_best"]
    card = app.state.bench.card(None)
    assert set(p) == {s for i, s in enumerate(card.subjects) if card.ranks[i] > 0} - {
        s.id for s in app.state.bench.study().subjects if s.kind == "model"
    }
    assert len(p) >= 4
    assert sum(p.values()) == pytest.approx(1.0)


def test_reweight_refuses_unknown_nodes_and_bad_numbers(app: Any, client: Any) -> None:
    head = {"X-CSRF-Token": csrf(app)}
    assert (
        client.post("/api/reweight", json={"weights": {"P9": 1}}, headers=head).status_code == 400
    )
    assert (
        client.post("/api/reweight", json={"weights": {"P": -1}}, headers=head).status_code == 400
    )
    assert client.post("/api/reweight", content=b"{not json", headers=head).status_code == 400


# --------------------------------------------------------------------------- evidence


def test_a_new_record_is_saved_validated_and_audited(app: Any, client: Any, study: Path) -> None:
    before = app.state.bench.card(None)
    r = client.post("/evidence/save", data=record_form(app), follow_redirects=False)
    assert r.status_code == 303, r.text
    assert (study / "evidence" / "accepted.yaml").exists()
    quanheng.load_study(study)  # `quanheng validate` passes on what the workbench wrote
    after = app.state.bench.card(None)
    i = after.index("tencent")
    assert after.raw[i, after.node_index("S2.3")] == pytest.approx(0.05)
    assert before is not after
    audit = [json.loads(line) for line in (study / "audit.jsonl").read_text().splitlines()]
    assert audit[-1]["action"] == "add" and audit[-1]["after"]["quote"] == "Tencent holds 5%."
    page = client.get("/audit?subject=tencent&indicator=S2.3").text
    assert "Tencent holds 5%." in page


def test_problems_are_shown_next_to_their_field(app: Any, client: Any) -> None:
    r = client.post(
        "/evidence/save",
        data=record_form(app, value="lots", source_date="2999-01-01"),
        follow_redirects=False,
    )
    assert r.status_code == 422
    bad = re.findall(r'<label class="field bad" data-field="([a-z_]+)"', r.text)
    assert "value" in bad and "source_date" in bad


def test_a_stale_version_is_a_conflict_showing_both(app: Any, client: Any) -> None:
    page = client.get("/evidence/edit?file=evidence/public-figures.yaml&index=1").text
    version = version_in(page)
    base = dict(file="evidence/public-figures.yaml", index="1", version=version, subject="alibaba")
    first = record_form(app, **base, value="0.1", quote="first save")
    # the other fields of the record are those of the file; this test only needs a valid one
    first["indicator"] = "S2.3"
    r = client.post("/evidence/save", data=first, follow_redirects=False)
    assert r.status_code == 303, r.text
    second = {**first, "quote": "second save"}
    r = client.post("/evidence/save", data=second, follow_redirects=False)
    assert r.status_code == 409
    assert "first save" in r.text and "second save" in r.text  # both versions, nothing lost


def test_script_in_a_quote_is_escaped_everywhere(app: Any, client: Any) -> None:
    r = client.post(
        "/evidence/save",
        data=record_form(app, subject="baidu", quote=SCRIPT),
        follow_redirects=False,
    )
    assert r.status_code == 303
    for page in ("/evidence", "/subject/baidu", "/leaf/S2.3", "/audit"):
        html = client.get(page).text
        assert "<script>alert" not in html and "<img src=x" not in html, page
        assert "&lt;script&gt;alert(" in html or "&lt;script&gt;alert(&#39;x" in html, page


def test_queue_accept_and_reject(app: Any, client: Any, study: Path) -> None:
    record = {
        "subject": "sensetime",
        "indicator": "S2.3",
        "value": 0.03,
        "source": {"title": "Proposed source", "date": "2024-02-02"},
        "quote": "SenseTime 3%",
        "analyst": "extractor",
    }
    other = {**record, "subject": "huawei", "quote": "Huawei 9%", "value": 0.09}
    origin = {"tool": "extract", "document": "docs/a.pdf", "offsets": [3, 9]}
    made = write_proposals(study, [(record, origin), (other, origin)], "test")
    html = client.get("/queue").text
    assert "SenseTime 3%" in html and "Huawei 9%" in html and "docs/a.pdf" in html
    card = app.state.bench.card(None)
    assert card.raw[card.index("huawei"), card.node_index("S2.3")] != 0.09  # not scored yet
    keep, drop = made
    form = {"csrf": csrf(app), "who": "lead", "reason": "checked"}
    form.update({k: str(v) for k, v in record.items() if isinstance(v, str | float)})
    form.update({"source_title": "Proposed source", "source_date": "2024-02-02", "value": "0.04"})
    r = client.post(f"/queue/{keep.id}/accept", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    r = client.post(f"/queue/{drop.id}/reject", data={"csrf": csrf(app)}, follow_redirects=False)
    assert r.status_code == 400  # a reason is required
    r = client.post(
        f"/queue/{drop.id}/reject",
        data={"csrf": csrf(app), "who": "lead", "reason": "wrong company"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    card = app.state.bench.card(None)
    assert card.raw[card.index("sensetime"), card.node_index("S2.3")] == pytest.approx(0.04)
    assert card.raw[card.index("huawei"), card.node_index("S2.3")] != pytest.approx(0.09)
    assert "wrong company" in client.get("/queue?status=rejected").text


# --------------------------------------------------------------------------- security


def test_posts_without_the_csrf_token_are_refused(app: Any, client: Any) -> None:
    assert client.post("/evidence/save", data=record_form(app, csrf="")).status_code == 403
    assert client.post("/api/reweight", json={"weights": {}}).status_code == 403
    assert client.post("/runs", data={"subject": "x"}).status_code == 403
    assert client.post("/reports", data={"format": "md"}).status_code == 403


def test_paths_from_the_client_never_leave_the_study(app: Any, client: Any) -> None:
    for name in ("../outside.yaml", "/etc/passwd", "evidence/../../x.yaml"):
        r = client.post("/evidence/save", data=record_form(app, file=name))
        assert r.status_code == 400, name
        assert client.get(f"/evidence/edit?file={name}&index=0").status_code == 400
    assert client.get("/reports/000000000000/report.md").status_code == 404
    assert client.get("/reports/../../etc/passwd").status_code == 404
    assert client.get("/runs/..%2F..%2Fetc").status_code == 404
    assert client.get("/static/../app.py").status_code == 404


def test_bodies_over_the_limit_get_413(study: Path) -> None:
    small = client_for(create_app(study, max_body=1000))
    big = "x" * 5000
    assert small.post("/evidence/save", data={"quote": big}).status_code == 413
    assert small.post("/api/reweight", content=big.encode()).status_code == 413
    head = {"X-CSRF-Token": csrf(small.app)}
    streamed = small.post("/api/reweight", content=iter([b"x" * 600, b"y" * 600]), headers=head)
    assert streamed.status_code == 413  # no Content-Length: counted as it arrives


def test_a_token_guards_every_request(study: Path) -> None:
    guarded = client_for(create_app(study, token="s3cret-token"))
    assert guarded.get("/").status_code == 401
    assert guarded.get("/static/htmx.min.js").status_code == 401
    assert guarded.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert guarded.get("/", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    r = guarded.get("/?token=s3cret-token", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert "quanheng_token=s3cret-token" in r.headers["set-cookie"]
    assert guarded.get("/weights").status_code == 200  # the cookie now carries it
    assert workbench_url("0.0.0.0", 8765, "abc") == "http://0.0.0.0:8765/?token=abc"


def test_pages_forbid_scripts_from_anywhere_but_the_workbench(client: Any) -> None:
    csp = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp


def test_save_as_profile_writes_a_new_profile_keeping_the_file(
    app: Any, client: Any, study: Path
) -> None:
    before = (study / "study.yaml").read_text(encoding="utf-8")
    weights = {"P": 0.2, "S": 0.6, "E": 0.2}
    form = {
        "csrf": csrf(app),
        "profile_id": "strategy-first",
        "name_en": "Strategy first",
        "name_zh": "战略优先",
        "weights": json.dumps(weights),
        "who": "cio",
        "reason": "board view",
    }
    r = client.post("/weights/save", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    after = (study / "study.yaml").read_text(encoding="utf-8")
    assert after.startswith(before.split("profiles:")[0])  # comments and order kept
    assert "strategy-first" in after
    loaded = quanheng.load_study(study)
    assert loaded.profile("strategy-first").name.zh == "战略优先"
    page = client.get("/weights?profile=strategy-first")
    assert page.status_code == 200 and 'value="strategy-first" selected' in page.text
    again = client.post("/weights/save", data=form, follow_redirects=False)
    assert again.status_code == 400  # the id is taken: one line, the file untouched
    assert (study / "study.yaml").read_text(encoding="utf-8") == after
    bad = client.post("/weights/save", data={**form, "profile_id": "../x"})
    assert bad.status_code == 400
