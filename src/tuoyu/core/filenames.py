"""Stored file names nobody can guess ([hardening] point 16).

`upload_to=RandomName("chains/%Y/")` stores an upload as `chains/2024/<32 hex>.pdf`: the
folder as before, a random name (128 bits from `secrets`), the original extension
(lower-cased, letters and digits only). The name the person uploaded is neither on disk
nor needed: downloads are named by the view (or by the stored `original_name`)."""

from __future__ import annotations

import re
import secrets
from pathlib import PurePath

from django.utils import timezone
from django.utils.deconstruct import deconstructible

_EXTENSION = re.compile(r"^\.[a-z0-9]{1,10}$")


@deconstructible
class RandomName:
    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        extension = PurePath(filename or "").suffix.lower()
        if not _EXTENSION.match(extension):
            extension = ""
        folder = timezone.localtime().strftime(self.folder)
        return f"{folder.rstrip('/')}/{secrets.token_hex(16)}{extension}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.folder == self.folder

    def __hash__(self):
        return hash(self.folder)
