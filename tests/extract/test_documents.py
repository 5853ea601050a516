"""Local documents as text: HTML without scripts, Markdown, plain text, a PDF's text layer."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from quanheng.errors import InputError
from quanheng.extract.documents import read_document, split_passages
from quanheng.extract.normalise import normalise

HTML = """<!DOCTYPE html><html><head><title>年度报告</title><style>.x{}</style>
<script>var hidden = "不该出现";</script></head>
<body><h1>概览</h1><p>百度生态已凝聚 535 万开发者&amp;伙伴。</p><noscript>无脚本</noscript>
<div>服务 20 万家企事业单位</div></body></html>"""


def test_html_keeps_the_text_and_drops_scripts(tmp_path: Path) -> None:
    path = tmp_path / "r.html"
    path.write_text(HTML, encoding="utf-8")
    doc = read_document(path)
    assert (doc.kind, doc.title) == ("html", "年度报告")
    assert "535 万开发者&伙伴" in doc.text and "20 万家企事业单位" in doc.text
    assert "不该出现" not in doc.text and ".x{}" not in doc.text and "无脚本" not in doc.text
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_markdown_and_text_are_read_as_they_are(tmp_path: Path) -> None:
    md = tmp_path / "r.md"
    md.write_text('---\ntitle: "白皮书"\n---\n# 标题\n**加粗** 文字\n', encoding="utf-8")
    doc = read_document(md)
    assert (doc.kind, doc.title, doc.text) == ("markdown", "白皮书", md.read_text("utf-8"))
    txt = tmp_path / "notes.txt"
    txt.write_text("没有标题的笔记", encoding="utf-8")
    assert (read_document(txt).kind, read_document(txt).title) == ("text", "notes.txt")


def _pdf(text: str) -> bytes:
    """A one-page PDF whose text layer says ``text`` (ASCII), with a correct xref table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def test_pdf_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    path.write_bytes(_pdf("Revenue grew to 3.5 billion"))
    doc = read_document(path)
    assert doc.kind == "pdf" and "Revenue grew to 3.5 billion" in doc.text
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf at all")
    with pytest.raises(InputError, match="cannot read the PDF"):
        read_document(bad)


def test_missing_and_binary_documents(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="document not found"):
        read_document(tmp_path / "nope.md")
    (tmp_path / "b.txt").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(InputError, match="is not UTF-8 text"):
        read_document(tmp_path / "b.txt")
    with pytest.raises(InputError, match="is not a file"):
        read_document(tmp_path)


def test_passages_cover_the_folded_text_at_line_ends() -> None:
    text = "\n".join(f"第{i}行：百度生态已凝聚 535 万开发者。" for i in range(60))
    normal = normalise(text)
    passages = split_passages(text, normal, size=100)
    assert "".join(p.text for p in passages) == normal.text
    assert all(p.text == normal.text[p.start : p.end] for p in passages)
    assert [p.index for p in passages] == list(range(len(passages)))
    assert all(100 <= len(p.text) < 200 for p in passages[:-1])
    assert all(p.text.startswith("第") for p in passages)  # cut where a line ended
