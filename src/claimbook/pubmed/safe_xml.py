"""XML read safely, for every PubMed answer: no DTD loading, no network, no entity expansion.

One setup for the two ways an answer is read: efetch bodies are streamed (`parse.py` puts an
`EntityGuard` between the source and lxml's iterparse), the small answers (esearch, epost,
elink, an efetch ERROR) are read whole with `parse_xml_root`. Both parse with `SAFE_XML` and
refuse a document whose DOCTYPE has an internal subset (where entities are declared: XXE,
"billion laughs") with ParseError before lxml sees it; the parsed DOCTYPE is checked again.
"""

from __future__ import annotations

import codecs
import re
from typing import BinaryIO

from lxml import etree

from claimbook.pubmed.errors import ParseError

__all__ = [
    "ENTITY_MESSAGE",
    "PROLOG_LIMIT",
    "SAFE_XML",
    "EntityGuard",
    "check_no_entities",
    "parse_xml_root",
]

_ENTITY_DECL = b"<!ENTITY"
ENTITY_MESSAGE = "entity declarations are not allowed (possible XXE or entity bomb)"
PROLOG_LIMIT = 1 << 20  # bytes of prolog inspected before falling back to scanning everything
#: The lxml options every PubMed answer is parsed with (efetch streamed, the others whole): no
#: entity expansion, no network, no DTD loading, no huge trees.
SAFE_XML = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}

_MORE, _BODY, _SCAN = "more", "body", "scan"
_SPACE = re.compile(rb"[ \t\r\n]*")
# A well-formed XML declaration: its values can hold neither "?>" nor "<".
_XML_DECL = re.compile(
    rb"<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:\"1\.[0-9]+\"|'1\.[0-9]+')"
    rb"(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:\"[A-Za-z][\w.-]*\"|'[A-Za-z][\w.-]*'))?"
    rb"(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:\"(?:yes|no)\"|'(?:yes|no)'))?"
    rb"[ \t\r\n]*\?>"
)


def _scan_prolog(head: bytes | bytearray, i: int) -> tuple[str, int]:
    """Walk the XML prolog (declaration, comments, PIs, DOCTYPE) in `head` from offset `i`.

    Returns (_BODY, _) once the root start tag is reached (no DTD can follow), (_MORE, offset
    to resume from) when `head` ends inside the prolog, (_SCAN, _) on anything unexpected (the
    caller then searches every byte for entity declarations). Raises ParseError for a DOCTYPE
    with an internal subset `[...]`, the only place entities can be declared: PubMed bodies
    never have one.
    """
    if i == 0 and head.startswith(codecs.BOM_UTF8):
        i = len(codecs.BOM_UTF8)
    n = len(head)
    while True:
        i = _SPACE.match(head, i).end()
        if n - i < 9:  # enough to tell "<!DOCTYPE", "<!--", "<?xml " and a start tag apart
            return _MORE, i
        if head[i] != 0x3C:  # "<"
            return _SCAN, i
        nxt = head[i + 1]
        if nxt == 0x3F:  # "<?"
            if head[i + 2 : i + 5].lower() == b"xml":  # the XML declaration: checked strictly
                m = _XML_DECL.match(head, i)
                if m is None:
                    return (_MORE if head.find(b"?>", i) < 0 else _SCAN), i
                i = m.end()
                continue
            end = head.find(b"?>", i + 2)  # a processing instruction ends at the first "?>"
            if end < 0:
                return _MORE, i
            i = end + 2
        elif nxt != 0x21:  # "<" + anything but "!": the root element's start tag
            return _BODY, i
        elif head.startswith(b"<!--", i):
            end = head.find(b"-->", i + 4)
            if end < 0:
                return _MORE, i
            i = end + 3
        elif head.startswith(b"<!DOCTYPE", i):
            end = head.find(b">", i + 9)
            if head.find(b"[", i + 9, end if end >= 0 else n) >= 0:
                if head.find(_ENTITY_DECL, i) >= 0:
                    raise ParseError(ENTITY_MESSAGE)
                raise ParseError(f"a DOCTYPE internal subset is not allowed; {ENTITY_MESSAGE}")
            if end < 0:
                return _MORE, i
            i = end + 1
        else:
            return _SCAN, i


class EntityGuard:
    """A reader between the source and lxml that refuses entity declarations before lxml sees
    them: it follows the prolog up to the root element and, if the prolog looks odd or runs
    past PROLOG_LIMIT, searches the whole stream for `<!ENTITY` instead. It also counts the
    bytes read, for error messages."""

    __slots__ = ("_head", "_mode", "_pos", "_raw", "_tail", "consumed")

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._head = bytearray()
        self._pos = 0
        self._tail = b""
        self._mode = _MORE
        self.consumed = 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if data is None:  # a non-blocking raw stream with nothing ready
            data = b""
        if isinstance(data, str):
            raise TypeError("a text-mode file was given: open it in binary mode ('rb')")
        self.consumed += len(data)
        if self._mode is not _BODY:
            self._inspect(bytes(data))
        return data

    def _inspect(self, data: bytes) -> None:
        if self._mode is _MORE:
            self._head += data
            mode, self._pos = _scan_prolog(self._head, self._pos)
            if mode is _MORE and (not data or len(self._head) > PROLOG_LIMIT):
                mode = _SCAN  # end of input, or a prolog too long to follow: scan it all
            if mode is _SCAN:
                data = bytes(self._head)
            if mode is not _MORE:
                self._head = bytearray()
            self._mode = mode
        if self._mode is _SCAN:
            window = self._tail + data
            if _ENTITY_DECL in window:
                raise ParseError(ENTITY_MESSAGE)
            self._tail = window[-(len(_ENTITY_DECL) - 1) :]


def check_no_entities(tree: etree._ElementTree) -> None:
    """Second line of defence: the parsed DOCTYPE must declare no entity."""
    dtd = tree.docinfo.internalDTD
    if dtd is not None and next(iter(dtd.iterentities()), None) is not None:
        raise ParseError(ENTITY_MESSAGE)


def parse_xml_root(content: bytes) -> etree._Element:
    """The root element of a small XML answer read whole (esearch, epost, elink, an efetch
    ERROR), as safely as `parse_pubmed_xml`: SAFE_XML, and no entity declared in a DOCTYPE.
    Raises ParseError: entity declarations, malformed XML, an empty body."""
    if re.search(_ENTITY_DECL, content[:65536], re.IGNORECASE):
        raise ParseError("entity declarations are not allowed")
    try:
        root = etree.fromstring(content, etree.XMLParser(**SAFE_XML))
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"malformed XML ({exc.msg})") from None
    if root is None:
        raise ParseError("empty body")
    check_no_entities(root.getroottree())
    return root
