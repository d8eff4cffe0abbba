"""file -> text (.txt/.md): size and magic-byte checks every loader shares, and text decoding.

Also holds the small text helpers the PDF and DOCX loaders share (joining wrapped lines
without spaces between CJK characters, heading and unit patterns), so both loaders cut
paragraphs, sections and units the same way.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from index.models import ReportFormatError

# How much of the file sniff_kind reads. The PDF spec lets "%PDF-" sit anywhere in the first
# 1024 bytes (some generators write a few junk bytes first); zip/OLE magic is at offset 0.
_SNIFF_BYTES = 1024

# Share of control characters (or U+FFFD) in decoded text above which a file is called binary.
# Real reports have none besides tab/newline/form feed; random bytes that happen to decode as
# GB18030 have several per cent.
_MAX_CONTROL_SHARE = 0.01

# Share of decoded non-ASCII characters that may fall outside the scripts a Chinese budget
# report uses (CJK, CJK punctuation, full-width forms, Latin-1 symbols, …) before a GB18030
# decode is called mojibake. GB18030 maps nearly every byte pair somewhere, so a strict decode
# alone does not prove the bytes were GB18030.
_MAX_ODD_SHARE = 0.2

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def check_size(path: Path, max_bytes: int) -> int:
    """Return the file's size in bytes; raise ReportFormatError if missing, empty or too big."""
    if not path.exists():
        raise ReportFormatError(f"{path.name}: file not found ({path}); check the path")
    if not path.is_file():
        raise ReportFormatError(f"{path.name}: not a regular file ({path}); pass a report file")
    size = path.stat().st_size
    if size == 0:
        raise ReportFormatError(f"{path.name}: file is empty (0 bytes); add a report with content")
    if size > max_bytes:
        raise ReportFormatError(
            f"{path.name}: file is {size} bytes, over the limit of {max_bytes} bytes; "
            "raise DQA_MAX_BYTES or split the report"
        )
    return size


def sniff_kind(path: Path) -> str:
    """Name the container format from the magic bytes: pdf, zip, ole, text or binary.

    "zip" covers .docx/.xlsx; "ole" is the old binary .doc/.xls format. "text" means the
    head decodes as UTF-8/UTF-16/GB18030 without NUL bytes; "binary" anything else.
    """
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if _looks_like_pdf(head):
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return "text"
    if b"\x00" in head:
        return "binary"
    return "text"


def _looks_like_pdf(head: bytes) -> bool:
    # Readers accept junk before "%PDF-"; a text report that merely mentions "%PDF-" further
    # down must still read as text, so junk before the marker has to look binary.
    at = head.find(b"%PDF-")
    if at < 0:
        return False
    junk = head[:at].strip(b" \t\r\n\x00")
    if not junk or any(b < 0x09 for b in junk):
        return True
    try:
        junk.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def read_text(path: Path, max_bytes: int) -> str:
    """Read a .txt/.md report: decode it and normalise line endings, nothing more.

    Tabs, runs of spaces, U+3000 and blank lines are kept: in the flattened tables of the
    corpus they are the only column and row structure there is.
    """
    check_size(path, max_bytes)
    data = path.read_bytes()
    kind = sniff_kind(path)
    if kind in ("pdf", "zip", "ole"):
        label = {"pdf": "a PDF", "zip": "a zip/DOCX", "ole": "an old Word/Excel"}[kind]
        raise ReportFormatError(
            f"{path.name}: binary content ({label} file named {path.suffix or 'without suffix'}); "
            "give it the right suffix or export it as text"
        )
    text = decode_bytes(data, path.name)
    text = normalise_newlines(text)
    if not text.strip():
        raise ReportFormatError(
            f"{path.name}: file is empty (only whitespace); add a report with text"
        )
    return text


def decode_bytes(data: bytes, name: str) -> str:
    """Decode report bytes: BOM (UTF-8/16/32), then strict UTF-8, then strict GB18030.

    GBK and GB2312 are subsets of GB18030, so one codec covers the Chinese legacy encodings.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise ReportFormatError(
                    f"{name}: starts with a {codec} byte-order mark but does not decode as "
                    f"{codec} (byte {exc.start}); re-save it as UTF-8"
                ) from None
            # utf-16/utf-32 codecs drop the BOM themselves; utf-8-sig too.
            _reject_binary(text, name)
            return text
    bomless_utf16 = _guess_bomless_utf16(data)
    if bomless_utf16:
        try:
            text = data.decode(bomless_utf16)
        except UnicodeDecodeError:
            pass
        else:
            _reject_binary(text, name)
            return text
    if b"\x00" in data:
        raise ReportFormatError(
            f"{name}: binary content (NUL bytes), not a text report; "
            "export the report as UTF-8 text, PDF or DOCX"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _reject_binary(text, name)
        return text
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        _reject_binary(text, name)
        if _odd_share(text) <= _MAX_ODD_SHARE:
            return text
    if _control_share(data.decode("latin-1")) > _MAX_CONTROL_SHARE:
        raise ReportFormatError(
            f"{name}: binary content (control bytes), not a text report; "
            "export the report as UTF-8 text, PDF or DOCX"
        )
    raise ReportFormatError(
        f"{name}: text is not UTF-8, UTF-16 or GB18030/GBK (undecodable bytes); re-save it as UTF-8"
    )


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR -> LF; U+00A0 -> space. Everything else is kept as printed.

    U+00A0 comes from Word/HTML and means an ordinary space. U+3000 is kept: reports use it
    to pad labels inside flattened tables ("合　　计"), and turning it into ASCII spaces would
    make a space-separated row look like extra columns.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def _guess_bomless_utf16(data: bytes) -> str:
    """'utf-16-le'/'utf-16-be' when NULs sit on every other byte (ASCII-heavy UTF-16), else ''."""
    sample = data[:4096]
    if len(sample) < 4:
        return ""
    even, odd = sample[0::2], sample[1::2]
    even_nul = even.count(0) / len(even)
    odd_nul = odd.count(0) / len(odd)
    if odd_nul > 0.3 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.05:
        return "utf-16-be"
    return ""


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(
        1
        for ch in text
        if ch == "\ufffd" or (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    )
    return bad / len(text)


def _reject_binary(text: str, name: str) -> None:
    if "\x00" in text or _control_share(text) > _MAX_CONTROL_SHARE:
        raise ReportFormatError(
            f"{name}: binary content (control characters), not a text report; "
            "export the report as UTF-8 text, PDF or DOCX"
        )


def _odd_share(text: str) -> float:
    """Share of non-ASCII characters outside the scripts a Chinese report plausibly uses."""
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return 0.0
    odd = sum(1 for ch in wide if not _plausible(ord(ch)))
    return odd / len(wide)


def _plausible(code: int) -> bool:
    return (
        0x00A0 <= code <= 0x00FF  # Latin-1 symbols: ×, °, ·
        or 0x0391 <= code <= 0x03C9  # Greek letters in formulas
        or 0x2000 <= code <= 0x27BF  # punctuation, arrows, ①②, box drawing, ★√
        or 0x3000 <= code <= 0x303F  # CJK punctuation
        or 0x3200 <= code <= 0x33FF  # enclosed CJK, ㎡
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
    )


# ---------------------------------------------------------------------------------------------
# Text helpers shared by the PDF and DOCX loaders.

# Headings of the government report templates: 第一部分 / 一、 / （一）. Arabic "1、" is a list
# item in these reports (it starts a paragraph, never a section).
_HEADING = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇]+(?:部分|章|节)"
    r"|[一二三四五六七八九十]{1,3}[、.．]"
    r"|[（(][一二三四五六七八九十]{1,3}[）)])"
)
_UNIT = re.compile(r"单位\s*[:：]\s*(亿元|万元|千元|元)")
# A paragraph ends at a line ending in one of these (full stop, colon, semicolon, !, ?).
PARAGRAPH_END = "。：；;:！？!?"
_MAX_HEADING_CHARS = 40


def is_heading(line: str) -> bool:
    """True for a template heading line ("一、主要职能"), not for a numbered definition
    sentence ("一、财政拨款收入：指单位本年度…")."""
    line = line.strip()
    if not line or len(line) > _MAX_HEADING_CHARS or not _HEADING.match(line):
        return False
    body = line[:-1]
    return not any(ch in body for ch in "，。；：,;") and line[-1] not in "，。；,;"


def find_unit(text: str) -> str:
    """The unit named by a "单位：万元" statement in `text`, or ''."""
    match = _UNIT.search(text)
    return match.group(1) if match else ""


def is_wide(ch: str) -> bool:
    """CJK ideographs, kana and full-width punctuation: characters that take no spaces."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def join_wrapped(first: str, second: str) -> str:
    """Join two wrapped pieces of one paragraph or cell.

    No space next to CJK ("附属单位" + "上缴收入" -> "附属单位上缴收入") and none between two
    digits: CJK typesetting breaks lines inside numbers ("占 9." + "55%"). A space where a
    Latin word meets a word or figure ("Total" + "income", "2940.05" + "thousand").
    """
    first, second = first.rstrip(), second.lstrip()
    if not first or not second:
        return first + second
    a, b = first[-1], second[0]
    if a.isascii() and b.isascii() and a.isalnum() and b.isalnum() and (a.isalpha() or b.isalpha()):
        return f"{first} {second}"
    return first + second


def drop_cjk_spaces(text: str) -> str:
    """Remove spaces between two wide characters: in PDFs and Word tables they come from
    justified or distributed alignment ("合    计"), not from the text."""
    if " " not in text and "\u3000" not in text:
        return text
    return re.sub(
        r"(?<=\S)[ \u3000]+(?=\S)",
        lambda m: "" if _wide_around(m) else m.group(0),
        text,
    )


def _wide_around(match: re.Match[str]) -> bool:
    text = match.string
    return is_wide(text[match.start() - 1]) and is_wide(text[match.end()])
