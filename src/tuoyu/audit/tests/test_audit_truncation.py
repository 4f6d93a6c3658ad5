"""[hardening] point 9: an audit event takes input of any length: each text column is cut
to its length with the marker "…", never refused (on PostgreSQL an overlong value raised
and rolled the caller's write back)."""

from tuoyu.audit import context
from tuoyu.audit.catalogue import AuditLogAction
from tuoyu.audit.models import AuditEvent
from tuoyu.audit.services import audit_record


def test_every_text_column_is_cut_with_a_marker(db):
    token = context.bind(context.RequestContext(request_id="r" * 64, ip="9" * 500, user_agent=""))
    try:
        event = audit_record(
            action=AuditLogAction.PERSONAL_DATA_READ,
            kind=AuditEvent.Kind.PII_READ,
            object_type="t" * 500,
            object_id="i" * 5000,
            object_label="标" * 5000,
        )
    finally:
        context.reset(token)
    stored = AuditEvent.objects.get(pk=event.pk)
    for name, length in [("object_type", 64), ("object_id", 64), ("object_label", 200), ("ip", 45)]:
        value = getattr(stored, name)
        assert len(value) == length and value.endswith("…"), name
    assert stored.request_id == "r" * 64  # fits: untouched
