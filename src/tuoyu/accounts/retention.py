"""Retention of the accounts' personal data ([operations] point 3, P-RET-4).

The relationship ends when an administrator disables the account (`disabled_at`); an
account pending activation or active has no end yet. Once `account_after_disabling_years`
have passed, the name, e-mail and login name are replaced and the password made unusable:
the row stays (audit events, decisions and filings point at it by id; the audit log keeps
its own copy of the login name, as MLPS requires), the account can never sign in again.

Login attempts (P-RET-5) hold a login name and a network address: the throttle needs only
the last hours, the security review a year; after `login_attempts_years` the rows are
deleted (the audit log keeps its own login events).

Institution records (`legal_representative`) are public business-registration data of a
legal entity and carry no retention end; API tokens hold no name.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tuoyu.core.retention import RetentionRule, register

ANONYMOUS_PREFIX = "anon-"


def _due(cutoff):
    from tuoyu.accounts.models import User

    return User.objects.filter(disabled_at__date__lt=cutoff).exclude(
        username__startswith=ANONYMOUS_PREFIX
    )


def _anonymise(users, *, now) -> int:
    for user in users:
        user.username = f"{ANONYMOUS_PREFIX}{user.pk}"
        user.display_name = ""
        user.first_name = ""
        user.last_name = ""
        user.email = ""
        user.is_active = False
        user.set_unusable_password()
        user.save(
            update_fields=[
                "username",
                "display_name",
                "first_name",
                "last_name",
                "email",
                "is_active",
                "password",
            ]
        )
    return len(users)


def _attempts_due(cutoff):
    from tuoyu.accounts.models import LoginAttempt

    return LoginAttempt.objects.filter(at__date__lt=cutoff)


def _delete_attempts(attempts, *, now) -> int:
    from tuoyu.accounts.models import LoginAttempt

    deleted, _ = LoginAttempt.objects.filter(pk__in=[a.pk for a in attempts]).delete()
    return deleted


def register_retention() -> None:
    register(
        RetentionRule(
            name="accounts.disabled_users",
            policy_key="retention.account_after_disabling_years",
            label=_("已停用账号"),
            ends=_("账号停用"),
            due=_due,
            anonymise=_anonymise,
        )
    )
    register(
        RetentionRule(
            name="accounts.login_attempts",
            policy_key="retention.login_attempts_years",
            label=_("登录尝试记录"),
            ends=_("登录尝试"),
            due=_attempts_due,
            anonymise=_delete_attempts,
            batch_size=5000,
        )
    )
