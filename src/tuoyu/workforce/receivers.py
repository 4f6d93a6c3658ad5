"""How workforce reacts to other apps' events (docs/events.md)."""

from __future__ import annotations

from tuoyu.core import events


def record_ban_on_blacklisting(
    *, entry_id, name, id_number, reason, decided_on, decision_ref, acting_user
) -> None:
    """P-SUP-5/6: a person blacklisted by supervision (four-eyes approved there) is banned
    for life here in the same transaction, and any employment is flagged at once."""
    from tuoyu.workforce.services import ban_record_from_blacklist

    ban_record_from_blacklist(
        entry_id=entry_id,
        name=name,
        id_number=id_number,
        reason=reason,
        decided_on=decided_on,
        decision_ref=decision_ref,
        acting_user=acting_user,
    )


def register() -> None:
    events.subscribe(events.PERSON_BLACKLISTED, record_ban_on_blacklisting, in_transaction=True)
