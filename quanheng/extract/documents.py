"""Local documents as text: HTML, PDF (text layer), Markdown and plain text; nothing is fetched.

:func:`read_document` reads one file into a :class:`Document`: its SHA-256 (of the bytes, so a
proposal names exactly the file it came from), its text (tags, scripts and styles of HTML
dropped, a PDF's text layer page by page; Markdown and plain text as they are), the folded
text quotes are matched in (:mod:`quanheng.extract.normalise`), and the folded text cut into
:class:`Passage` s of a few hundred characters at line ends, each with its offsets into the
folded text. A passage is what one model request reads.

Offsets in proposals are into :attr:`Document.text`: for Markdown and plain text that is the
file's own text, character by character.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from quanheng._files import display_path
from quanheng.errors import EnvironmentProblem, InputError
from quanheng.extract.normalise import Normalised, normalise

__all__ = ["MAX_DOCUMENT_BYTES", "PASSAGE_CHARS", "Document", "Passage", "read_document"]

MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
PASSAGE_CHARS = 400
"""Target length of a passage in folded characters; a passage ends at the first line end past it."""

_HTML = (".html", ".htm", ".xhtml")
_PDF = (".pdf",)
_MARKDOWN = (".md", ".markdown")


@dataclass(frozen=True)
class Passage:
    """A stretch of a document, in folded text.

    Attributes:
        index: position among the document's passages.
        start: offset of its first character in the folded text.
        end: offset just past its last.
        text: the folded text ``Document.normal.text[start:end]``.
    """

    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Document:
    """One local document, read.

    Attributes:
        path: the file as given.
        sha256: hex SHA-256 of the file's bytes.
        kind: ``html``, ``pdf``, ``markdown`` or ``text``.
        title: its title (HTML ``<title>``, front-matter ``title:``, first heading, else the
            file name), for the proposals' ``source.title``.
        text: the document's text; offsets in proposals point into it.
        normal: the folded text and its map back to :attr:`text`.
        passages: the folded text in passages.
    """

    path: Path
    sha256: str
    kind: str
    title: str
    text: str
    normal: Normalised
    passages: tuple[Passage, ...]

    @property
    def name(self) -> str:
        """The path as messages and proposals show it."""
        return display_path(self.path)


class _HtmlText(HTMLParser):
    """Text of an HTML page: script, style and head content dropped, blocks on their own lines."""

    _SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head"})
    _BLOCK = frozenset(
        "p div br li ul ol tr td th h1 h2 h3 h4 h5 h6 section article header footer table "  # noqa: SIM905
        "blockquote pre hr dt dd figcaption".split()
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in self._SKIP:
            self._skip += 1
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self._SKIP and self._skip:
            self._skip -= 1
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(data)


def _pdf_text(path: Path) -> str:
    try:
        import pdfplumber  # optional and heavy: only for PDFs
    except ImportError:
        raise EnvironmentProblem(
            f"{display_path(path)}: reading a PDF needs pdfplumber — run "
            "`.venv/bin/pip install pdfplumber`"
        ) from None
    try:
        with pdfplumber.open(path) as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages]
    except Exception as exc:  # pdfminer raises many kinds on a damaged file
        raise InputError.single(
            display_path(path), None, f"cannot read the PDF ({type(exc).__name__})",
            "check that it is a PDF with a text layer",
        ) from None  # fmt: skip
    return "\n\n".join(pages)


_FRONT_TITLE = re.compile(r'^title:\s*["\']?(.+?)["\']?\s*$', re.MULTILINE)
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.MULTILINE)


def _title(text: str, path: Path) -> str:
    head = text[:4000]
    if head.startswith("---"):
        found = _FRONT_TITLE.search(head)
        if found:
            return found.group(1).strip()
    heading = _HEADING.search(head)
    if heading:
        return heading.group(1).replace("*", "").strip()
    return path.name


def read_document(path: Path) -> Document:
    """Read and split one local document.

    Raises:
        InputError: the file is missing, not a regular file, too large, not UTF-8 text (for
            the text kinds) or an unreadable PDF; one line naming the file.
        EnvironmentProblem: a PDF, and pdfplumber is not installed.
    """
    name = display_path(path)
    if not path.exists():
        raise InputError.single(name, None, "document not found", "check the path")
    if not path.is_file():
        raise InputError.single(name, None, "is not a file", "give a document file")
    raw = path.read_bytes()
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise InputError.single(name, None, "is over 64 MiB", "split the document")
    sha = hashlib.sha256(raw).hexdigest()
    suffix = path.suffix.lower()
    if suffix in _PDF:
        kind, text, title = "pdf", _pdf_text(path), path.name
    else:
        try:
            decoded = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError.single(
                name, None, "is not UTF-8 text", "save it as UTF-8 (or give the PDF)"
            ) from None
        if suffix in _HTML or decoded.lstrip()[:15].lower().startswith(("<!doctype html", "<html")):
            parser = _HtmlText()
            parser.feed(decoded)
            parser.close()
            text = re.sub(r"\n[ \t]*\n(?:[ \t]*\n)+", "\n\n", "".join(parser.parts)).strip()
            kind, title = "html", parser.title.strip() or path.name
        else:
            kind = "markdown" if suffix in _MARKDOWN else "text"
            text, title = decoded, _title(decoded, path)
    normal = normalise(text)
    return Document(path, sha, kind, title, text, normal, split_passages(text, normal))


def split_passages(text: str, normal: Normalised, size: int = PASSAGE_CHARS) -> tuple[Passage, ...]:
    """Cut the folded text at line ends into passages of about ``size`` folded characters.

    A single line longer than twice ``size`` is cut at sentence ends (。！？. ; ) instead.
    """
    cuts = [normal.folded_offset(m.end()) for m in re.finditer(r"\n", text)]
    folded = normal.text
    cuts += [m.end() for m in re.finditer(r"[。！？!?；;]", folded)]
    cuts = [*sorted({c for c in cuts if 0 < c < len(folded)}), len(folded)]
    passages: list[Passage] = []
    start = 0
    line_ends = {normal.folded_offset(m.end()) for m in re.finditer(r"\n", text)}
    for cut in cuts:
        length = cut - start
        at_line = cut in line_ends or cut == len(folded)
        if (length >= size and at_line) or length >= 2 * size or cut == len(folded):
            if cut > start:
                passages.append(Passage(len(passages), start, cut, folded[start:cut]))
            start = cut
    return tuple(passages)
