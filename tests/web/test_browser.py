"""The workbench end to end in real headless Chromium against a real uvicorn server.

One server (on a copy of the default study) and one browser serve the whole module; each test
opens its own page. Every request Chromium makes is collected: all of them go to 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from quanheng.curation.proposals import write_proposals
from quanheng.web import create_app
from tests.web.support import LiveServer, copy_study

SCRIPT = "<script>window.__pwned = 1; alert('x')</script><img src=x onerror=\"alert(1)\">"


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_study(tmp_path_factory.mktemp("web-browser") / "study")


@pytest.fixture(scope="module")
def server(study: Path) -> Iterator[LiveServer]:
    with LiveServer(create_app(study, draws=200)) as live:
        yield live


class Page:
    """A browser page that records every request and every dialog."""

    def __init__(self, browser: Any, base: str) -> None:
        self.context = browser.new_context(accept_downloads=True)
        self.page = self.context.new_page()
        self.base = base
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def go(self, path: str) -> Any:
        self.page.goto(self.base + path)
        return self.page

    def close(self) -> None:
        off_host = [
            u for u in self.requests if not (u.startswith(self.base + "/") or u.startswith("data:"))
        ]
        self.context.close()
        assert off_host == [], f"requests off 127.0.0.1: {off_host}"
        assert self.errors == [], self.errors


@pytest.fixture
def page(browser: Any, server: LiveServer) -> Iterator[Page]:
    p = Page(browser, server.url)
    yield p
    p.close()


def ranked_order(page: Any) -> list[str]:
    rows = page.locator("#ranking table[data-cohort=vendor] tbody tr:not([data-rank=''])")
    return [rows.nth(i).get_attribute("data-subject") for i in range(rows.count())]


def fill_record(page: Any, **fields: str) -> None:
    for name, value in fields.items():
        field = page.locator(f"#record-form [name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


NEW = {
    "subject": "tencent",
    "indicator": "S2.3",
    "value": "0.07",
    "source_title": "Browser test source",
    "source_date": "2024-03-03",
    "quote": "Tencent had 7% of the market.",
    "analyst": "browser",
    "who": "analyst-a",
    "reason": "from the browser test",
}


def test_overview_in_both_languages_loads_only_from_the_workbench(page: Page) -> None:
    p = page.go("/?lang=en")
    assert p.locator("h2", has_text="Competitive landscape").count() == 1
    assert p.locator("img.chart").count() == 1
    assert p.locator("#ranking tr[data-subject=baidu]").count() == 1
    assert "OpenAI" in p.locator("ul.excluded").inner_text()
    p.click("#lang-switch")
    p.wait_for_selector("html[lang=zh-CN]")
    assert "竞争力格局" in p.content()
    assert page.requests, "the page made no requests?"


def test_moving_a_weight_changes_the_ranking_and_p_best(page: Page) -> None:
    p = page.go("/weights?lang=en")
    p.wait_for_function("() => document.getElementById('pbest-state').textContent.length > 0")
    before = ranked_order(p)
    assert len(before) >= 4
    p.evaluate(
        """() => {
        const set = (id, v) => { const s = document.querySelector(`input[data-node="${id}"]`);
            s.value = v; s.dispatchEvent(new Event('input', {bubbles: true})); };
        set('P', 0); set('E', 0); set('S', 1);
    }"""
    )
    p.wait_for_function("() => Number(document.getElementById('ranking').dataset.version) >= 1")
    p.wait_for_function(
        "() => Number(document.getElementById('pbest-state').dataset.version) >= "
        "Number(document.getElementById('ranking').dataset.version)"
    )
    after = ranked_order(p)
    assert sorted(after) == sorted(before) and after != before
    cells = p.locator("#ranking td.pbest").all_inner_texts()
    assert any(c.endswith("%") for c in cells)
    assert p.locator("#landscape svg g.bubble").count() == len(before)


def test_a_record_added_in_the_form_reaches_the_score_and_the_audit_log(page: Page) -> None:
    p = page.go("/leaf/S2.3?lang=en")
    row = p.locator("table.leafvalues tr", has=p.locator("a[href='/subject/tencent']"))
    assert row.locator("td").nth(1).inner_text() == "—"
    p = page.go("/evidence/edit?new=1&lang=en")
    fill_record(p, **{**NEW, "value": "plenty"})
    p.click("#save")
    p.wait_for_selector("label.field.bad[data-field=value] em.problem")
    fill_record(p, value="0.07")
    p.click("#save")
    p.wait_for_selector("p.ok")
    p = page.go("/leaf/S2.3?lang=en")
    row = p.locator("table.leafvalues tr", has=p.locator("a[href='/subject/tencent']"))
    assert row.locator("td").nth(1).inner_text() == "0.07"
    assert "Tencent had 7% of the market." in row.inner_text()
    p = page.go("/audit?subject=tencent&indicator=S2.3")
    entry = p.locator("tr.entry").first.inner_text()
    assert "analyst-a" in entry and "add" in entry and "from the browser test" in entry


def test_two_pages_editing_one_record_the_second_gets_a_conflict(
    browser: Any, server: LiveServer
) -> None:
    first, second = Page(browser, server.url), Page(browser, server.url)
    try:
        url = "/evidence/edit?file=evidence/public-figures.yaml&index=2&lang=en"
        a, b = first.go(url), second.go(url)
        a.fill("#record-form [name=quote]", "edited in page A")
        a.fill("#record-form [name=who]", "A")
        a.click("#save")
        a.wait_for_selector("p.ok")
        b.fill("#record-form [name=quote]", "edited in page B")
        b.fill("#record-form [name=who]", "B")
        b.click("#save")
        b.wait_for_selector("#conflict")
        assert "edited in page A" in b.locator("pre.theirs").inner_text()
        assert "edited in page B" in b.locator("pre.mine").inner_text()
        assert b.input_value("#record-form [name=quote]") == "edited in page B"  # not lost
        b.click("#save")  # saving again on top of the current version goes through
        b.wait_for_selector("p.ok")
        assert b.input_value("#record-form [name=quote]") == "edited in page B"
    finally:
        first.close()
        second.close()


def test_queue_items_are_accepted_with_edits_and_rejected_with_a_reason(
    page: Page, study: Path
) -> None:
    base = {
        "indicator": "S2.1",
        "source": {"title": "Extracted report", "date": "2024-06-01"},
        "analyst": "extractor",
    }
    origin = {"tool": "extract", "document": "docs/vendor.pdf", "offsets": [10, 42]}
    keep, drop = write_proposals(
        study,
        [
            ({**base, "subject": "baidu", "value": 3, "quote": "Baidu proposal"}, origin),
            ({**base, "subject": "alibaba", "value": 4, "quote": "Alibaba proposal"}, origin),
        ],
        "browser",
    )
    p = page.go("/queue?lang=en")
    item = p.locator(f"#p-{keep.id}")
    assert "docs/vendor.pdf" in item.inner_text() and "Baidu proposal" in item.inner_text()
    item.locator("summary").click()
    item.locator("form.accept [name=value]").fill("2")
    item.locator("form.accept [name=who]").fill("reviewer")
    item.locator(".accept-btn").click()
    p.wait_for_selector(f"#p-{keep.id}", state="detached")
    other = p.locator(f"#p-{drop.id}")
    other.locator("form.reject [name=reason]").fill("not in the source")
    other.locator(".reject-btn").click()
    p.wait_for_selector("#empty-queue")
    p = page.go("/queue?status=rejected&lang=en")
    assert "not in the source" in p.locator(f"#p-{drop.id}").inner_text()
    p = page.go("/leaf/S2.1?lang=en")
    row = p.locator("table.leafvalues tr", has=p.locator("a[href='/subject/baidu']"))
    assert row.locator("td").nth(1).inner_text() == "2"  # the edited value, accepted
    row = p.locator("table.leafvalues tr", has=p.locator("a[href='/subject/alibaba']"))
    assert "Alibaba proposal" not in row.inner_text()


def test_a_script_in_a_quote_stays_text(page: Page) -> None:
    p = page.go("/evidence/edit?new=1&lang=en")
    fill_record(p, **{**NEW, "subject": "baidu", "quote": SCRIPT, "analyst": "browser-2"})
    p.click("#save")
    p.wait_for_selector("p.ok")
    for path in ("/evidence?subject=baidu", "/subject/baidu", "/leaf/S2.3", "/audit"):
        p = page.go(path)
        shown = p.locator("body").inner_text()
        assert (SCRIPT if path != "/audit" else "<script>window.__pwned") in shown, path
        assert p.evaluate("window.__pwned") is None
    assert page.dialogs == []


def test_a_report_is_generated_and_downloaded(page: Page) -> None:
    p = page.go("/reports?lang=en")
    p.select_option("#make-report [name=format]", "md")
    p.select_option("#make-report [name=report_lang]", "en")
    p.click("#make-report button")
    link = p.locator("#jobs a.download").first
    link.wait_for(timeout=60_000)
    with p.expect_download() as info:
        link.click()
    path = info.value.path()
    text = Path(path).read_text(encoding="utf-8")
    assert "China LLM vendor competitiveness 2024" in text
