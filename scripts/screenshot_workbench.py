"""Screenshots of every workbench page in both languages (for docs/ and for looking at them).

Usage: ``.venv/bin/python scripts/screenshot_workbench.py OUT_DIR`` — serves a copy of the
default study (with two proposals in its review queue) on a free 127.0.0.1 port and writes
``OUT_DIR/<page>-<lang>.png``; ``docs/img/workbench-overview.png`` is ``overview-en.png``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from quanheng.curation.proposals import write_proposals
from quanheng.web.app import close_app, create_app

ROOT = Path(__file__).resolve().parents[1]
PAGES = {
    "overview": "/",
    "weights": "/weights",
    "subjects": "/subjects",
    "subject": "/subject/baidu",
    "leaf": "/leaf/S2.3",
    "rubric-leaf": "/leaf/P1.2",
    "evidence": "/evidence",
    "record": "/evidence/edit?file=evidence/public-figures.yaml&index=0",
    "new-record": "/evidence/edit?new=1&subject=tencent&indicator=S2.3",
    "queue": "/queue",
    "audit": "/audit",
    "runs": "/runs",
    "reports": "/reports",
}
FLAGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        study = Path(tmp) / "study"
        shutil.copytree(
            ROOT / "studies" / "cn-llm-vendors-2024", study, ignore=shutil.ignore_patterns("runs")
        )
        source = {"title": "Vendor annual report 2024", "date": "2024-04-01"}
        write_proposals(
            study,
            [
                (
                    {
                        "subject": "baidu",
                        "indicator": "S2.1",
                        "value": 3,
                        "source": source,
                        "quote": "百度发布了覆盖多个行业的客户案例白皮书。",
                        "analyst": "extractor",
                    },
                    {"tool": "extract", "document": "docs/baidu-2024.pdf", "offsets": [120, 141]},
                ),
                (
                    {
                        "subject": "tencent",
                        "indicator": "S2.3",
                        "value": 0.06,
                        "source": source,
                        "quote": "腾讯云大模型市场份额约 6%。",
                        "analyst": "importer",
                    },
                    {"tool": "import", "document": "shares.csv"},
                ),
            ],
            "screenshots",
        )
        app = create_app(study)
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            page = browser.new_page(viewport={"width": 1360, "height": 900})
            for lang in ("en", "zh"):
                for name, path in PAGES.items():
                    sep = "&" if "?" in path else "?"
                    page.goto(f"{base}{path}{sep}lang={lang}")
                    if name == "weights":
                        page.wait_for_function(
                            "() => document.getElementById('pbest-state').textContent.length > 0"
                        )
                    page.screenshot(path=str(out / f"{name}-{lang}.png"), full_page=True)
            page.goto(f"{base}/?lang=en")
            page.screenshot(path=str(out / "workbench-overview.png"))
            browser.close()
        server.should_exit = True
        thread.join(10)
        close_app(app)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "out/screenshots"))
