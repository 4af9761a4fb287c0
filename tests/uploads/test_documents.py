"""PDF and spreadsheet sniffing for the uploads later issues add (claim documents, work-unit rosters)."""

import io
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from portal.uploads import accept, accept_document, accept_pdf, accept_table
from tests.images import PNG_SIGNATURE_HTML, png_bytes


def pdf(body: bytes = b"", *, tail: bytes = b"%%EOF\n") -> bytes:
    return (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R" + body + b" >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n" + tail)


def flate_stream(content: bytes) -> bytes:
    data = zlib.compress(content)
    return b">>\nendobj\n3 0 obj\n<< /Type /ObjStm /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream\n<<" % (
        len(data), data)


def _code(fn, data: bytes, name: str = "upload.bin") -> str:
    with pytest.raises(ValidationError) as exc:
        fn(SimpleUploadedFile(name, data))
    (_field, errors), = exc.value.error_dict.items()
    return errors[0].code


def test_a_plain_pdf_is_accepted():
    accepted = accept_pdf(SimpleUploadedFile("诊断证明.pdf", pdf()))
    assert (accepted.extension, accepted.content_type, accepted.original_name) == ("pdf", "application/pdf",
                                                                                 "诊断证明.pdf")


@pytest.mark.parametrize(("data", "code"), [
    (b"<html>%PDF-1.7</html>", "not_a_pdf"),
    (pdf(tail=b""), "truncated"),
    (pdf(b" /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), "active_content"),
    (pdf(b" /OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"), "active_content"),  # hex-escaped names
    (pdf(b" /OpenAction << /S /Launch /F (cmd.exe) >>"), "active_content"),
    (pdf(b" /Names << /EmbeddedFiles 4 0 R >>"), "active_content"),
    (pdf(flate_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>")), "active_content"),  # hidden in a stream
    (pdf(b" /Encrypt 5 0 R"), "encrypted"),
])
def test_pdfs_that_are_not_pdfs_or_carry_active_content_are_refused(data, code):
    assert _code(accept_pdf, data, "claim.pdf") == code


def test_a_document_is_a_pdf_or_a_jpeg_or_png_photo():
    assert accept_document(SimpleUploadedFile("a.pdf", pdf())).kind == "pdf"
    assert accept(SimpleUploadedFile("scan.png", png_bytes()), kind="document").extension == "png"
    assert _code(accept_document, PNG_SIGNATURE_HTML) == "not_an_image"


def _xlsx(*, macros: bool = False, members: int = 0, symlink: bool = False, bomb: bool = False) -> bytes:
    workbook = Workbook()
    workbook.active.append(["姓名", "手机"])
    out = io.BytesIO()
    workbook.save(out)
    with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        if macros:
            archive.writestr("xl/vbaProject.bin", b"\x00" * 16)
        for n in range(members):
            archive.writestr(f"xl/media/{n}.bin", b"")
        if symlink:
            link = zipfile.ZipInfo("xl/link")
            link.external_attr = (0o120777 << 16)
            archive.writestr(link, "/etc/passwd")
        if bomb:
            archive.writestr("xl/padding.xml", b"\x00" * (2 * 1024 * 1024))  # 2 MB inflated, 2 kB stored
    return out.getvalue()


def test_an_xlsx_and_csv_in_each_encoding_are_told_apart_by_content():
    workbook = accept_table(SimpleUploadedFile("roster.csv", _xlsx()))  # the name says CSV; the content decides
    assert (workbook.format, workbook.extension, workbook.encoding) == ("xlsx", "xlsx", None)
    text = "姓名,手机\r\n王建国,13800000001\r\n"
    for data, encoding in ((b"\xef\xbb\xbf" + text.encode(), "utf-8-sig"), (text.encode(), "utf-8"),
                           (text.encode("gbk"), "gb18030")):
        table = accept_table(SimpleUploadedFile("roster.xlsx", data))
        assert (table.format, table.extension, table.encoding) == ("csv", "csv", encoding)
        assert data.decode(table.encoding) == text


@pytest.mark.parametrize(("make", "code"), [
    (lambda: _xlsx(macros=True), "macros"),
    (lambda: _xlsx(members=10_001), "too_large_unzipped"),
    (lambda: _xlsx(bomb=True), "too_large_unzipped"),
    (lambda: _xlsx(symlink=True), "not_xlsx"),
    (lambda: b"PK\x03\x04" + b"\x00" * 40, "not_xlsx"),
    (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "xls"),
    (lambda: b"name,phone\r\n\x00\x01\x02", "not_a_table"),
    (png_bytes, "not_a_table"),
])
def test_other_files_are_not_tables(make, code):
    with pytest.raises(ValidationError) as exc:
        accept_table(SimpleUploadedFile("roster.xlsx", make()), max_unzipped_bytes=1024 * 1024)
    assert exc.value.error_dict["file"][0].code == code
