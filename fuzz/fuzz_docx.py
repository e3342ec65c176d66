"""Fuzz target: Word procedures (``qms.store.word.read_word``, python-docx, the importer's mapping).

An input that starts like a zip file (``PK\\x03\\x04``) is the document itself. Any other input is the
XML of ``word/document.xml``'s body, packed here into a minimal valid package, so that the fuzzer spends
its time in the reader and the mapping rather than in the zip layer.

Contract: the import returns a draft or raises ``QmsError``; never another exception.
"""

from __future__ import annotations

import contextlib
import io
import zipfile

from _harness import fresh_dir, instrumented, main, quiet

with instrumented():
    from qms.analysis.people import Directory
    from qms.errors import QmsError
    from qms.importer.mapping import Options
    from qms.importer.roles import RoleMatcher
    from qms.importer.run import import_one

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)


def package(body_xml: bytes) -> bytes:
    """A minimal .docx whose body is ``body_xml``."""
    doc = (b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="' + W.encode() + b'"><w:body>'
           + body_xml + b"</w:body></w:document>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("word/document.xml", doc)
    return buf.getvalue()


MATCHER = RoleMatcher(Directory())


def test_one_input(data: bytes) -> None:
    book = data if data.startswith(b"PK\x03\x04") else package(data)
    path = fresh_dir("docx") / "QT-FUZZ-01.docx"
    path.write_bytes(book)
    with quiet(), contextlib.suppress(QmsError):
        import_one(path, MATCHER, Options())


if __name__ == "__main__":
    main(test_one_input)
