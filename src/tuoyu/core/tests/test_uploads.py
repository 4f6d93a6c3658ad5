import io

import pytest

from tuoyu.core.errors import DomainError
from tuoyu.core.uploads import check_upload


class Upload(io.BytesIO):
    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name
        self.size = len(data)


@pytest.mark.parametrize(
    ("data", "name", "allowed", "code"),
    [
        (b"", "a.pdf", ("application/pdf",), "file_empty"),
        (b"%PDF-" + b"x" * 2000, "a.pdf", ("application/pdf",), "file_too_large"),
        (b"GIF89a....", "a.pdf", ("application/pdf",), "file_type_not_allowed"),
        (b"%PDF-1.4", "a.docx", ("application/pdf",), "file_type_not_allowed"),
        (b"\x89PNG\r\n\x1a\n....", "a.png", ("application/pdf",), "file_type_not_allowed"),
    ],
)
def test_bad_uploads_have_one_set_of_codes(data, name, allowed, code):
    with pytest.raises(DomainError) as exc:
        check_upload(Upload(data, name), max_bytes=1024, allowed=allowed, field="document")
    assert exc.value.code == code
    assert exc.value.errors[0].field == "document"


def test_content_and_extension_must_agree():
    png = Upload(b"\x89PNG\r\n\x1a\n....", "scan.PNG")
    assert check_upload(png, max_bytes=1024, allowed=("image/png",)) == "image/png"
