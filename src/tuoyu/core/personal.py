"""Model fields for personal data (resident ID numbers, phone numbers, health notes).

`PersonalDataField` stores only ciphertext. Reading it from the database gives a `Sealed`
value: `.masked` is safe for any screen, `.reveal()` gives the clear value and must be
called through `tuoyu.audit.services.personal_value_reveal`, which audits the read.
Assigning a plain string encrypts it on save. `BlindIndexField` keeps a keyed hash of the
clear value beside it for equality lookups (`personal_lookup`).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import lookups

from tuoyu.core import crypto
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def normalize(kind: str, value: str, *, field: str | None = None) -> str:
    """Validate and normalise a clear value of `kind`; raises DomainError with the
    contract's codes."""
    from tuoyu.core.identifiers import validate_id_number

    value = (value or "").strip()
    if kind == "id_number":
        return validate_id_number(value, field=field or "id_number")
    if kind == "phone":
        compact = value.replace(" ", "")
        if not PHONE_RE.match(compact):
            raise DomainError(
                CoreError.PHONE_FORMAT,
                "电话号码格式错误，应为11位手机号或带区号的座机号",
                field=field,
            )
        return compact
    if kind == "bank_account":
        # Chinese bank card and corporate account numbers: 8 to 32 digits, often typed in
        # groups of four
        compact = value.replace(" ", "").replace("-", "")
        if not (compact.isdigit() and 8 <= len(compact) <= 32):
            raise DomainError(
                CoreError.BANK_ACCOUNT_FORMAT, "银行账号格式错误，应为8至32位数字", field=field
            )
        return compact
    return value


def mask(kind: str, value: str) -> str:
    if not value:
        return ""
    if kind == "id_number" and len(value) == 18:
        return value[:6] + "*" * 8 + value[-4:]
    if kind == "phone" and len(value) >= 7:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    if kind == "name":
        return value[0] + "*" * (len(value) - 1)
    if kind == "bank_account" and len(value) > 4:
        # finance staff tell accounts apart by the last four digits, as bank slips do
        return "**** **** " + value[-4:]
    return "*" * min(len(value), 8)


class Sealed:
    """An encrypted personal value as read from the database."""

    __slots__ = ("ciphertext", "kind")

    def __init__(self, ciphertext: str, kind: str):
        self.ciphertext = ciphertext
        self.kind = kind

    @property
    def masked(self) -> str:
        # Decrypted only inside this process to derive the mask; the clear value is not
        # returned, so this is not an audited read.
        return mask(self.kind, crypto.decrypt(self.ciphertext, context=self.kind))

    def reveal(self) -> str:
        """The clear value. Callers outside audit.services must not use this directly."""
        return crypto.decrypt(self.ciphertext, context=self.kind)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"<Sealed {self.kind}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.ciphertext == self.ciphertext

    def __hash__(self) -> int:
        return hash(self.ciphertext)


class PersonalDataField(models.TextField):
    description = "Encrypted personal data"

    def __init__(self, *args, kind: str = "text", **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return Sealed(value, self.kind)

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        if value is None or value == "":
            return value
        if isinstance(value, Sealed):
            return value.ciphertext
        return crypto.encrypt(str(value), context=self.kind)

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if isinstance(value, str) and value:
            try:
                normalize(self.kind, value)
            except DomainError as exc:
                raise ValidationError(exc.message, code=exc.code) from exc

    def get_lookup(self, lookup_name):
        # Ciphertext is randomised: only the blind index supports lookups.
        if lookup_name not in ("isnull",):
            raise TypeError("加密字段不支持查询，请使用盲索引字段（personal_lookup）")
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField):
    """HMAC of the clear value of `source`, kept up to date on save."""

    def __init__(self, *args, source: str, kind: str, **kwargs):
        self.source = source
        self.kind = kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["kind"] = self.kind
        for key in ("max_length", "editable", "db_index", "blank", "default"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        clear = getattr(model_instance, self.source)
        if isinstance(clear, Sealed):
            return getattr(model_instance, self.attname)
        value = crypto.blind_index(clear, context=self.kind) if clear else ""
        setattr(model_instance, self.attname, value)
        return value


class BlindValue(str):
    """The blind index of a clear value (a str), carrying the index under the previous
    index key while `rotate_keys --index` recomputes the indexes ([operations] point 2):
    `filter(<field>_index=value)` then matches either, so no lookup misses mid-rotation."""

    alternates: tuple[str, ...] = ()

    def __new__(cls, indexes: list[str]):
        value = super().__new__(cls, indexes[0])
        value.alternates = tuple(indexes)
        return value


@BlindIndexField.register_lookup
class BlindIndexExact(lookups.Exact):
    """`exact` that becomes `IN (new, previous)` for a BlindValue with alternates."""

    lookup_name = "exact"

    def process_rhs(self, compiler, connection):
        alternates = getattr(self.rhs, "alternates", ())
        if len(alternates) > 1:
            return "(" + ", ".join(["%s"] * len(alternates)) + ")", list(alternates)
        return super().process_rhs(compiler, connection)

    def get_rhs_op(self, connection, rhs):
        if len(getattr(self.rhs, "alternates", ())) > 1:
            return f"IN {rhs}"
        return super().get_rhs_op(connection, rhs)


def personal_lookup(kind: str, value: str) -> str:
    """The blind index of a clear value, for `filter(<field>_index=…)`."""
    return BlindValue(crypto.blind_indexes(normalize(kind, value), context=kind))
