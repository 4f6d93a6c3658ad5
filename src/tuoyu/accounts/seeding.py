"""Departments, the leading group and the demo accounts of API-CONTRACT §7."""

from __future__ import annotations

import base64
import datetime as dt

from django.contrib.auth.hashers import make_password

from tuoyu.accounts import services
from tuoyu.accounts.models import Department, Position, User
from tuoyu.accounts.rules import requires_second_factor

DEMO_PASSWORD = "demo-pass-2020"
# [hardening] point 5: the demo accounts that require a second factor (区卫健局, the
# operator) get a TOTP device with this published secret; `tuoyu demo_accounts` prints it
# for them (and only for devices holding it). Demo data only: real accounts enrol.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"
DEMO_TOTP_KEY_HEX = base64.b32decode(DEMO_TOTP_SECRET).hex()

# username → department code (API-CONTRACT §7, plus the filing reviewers of P-REG-12).
DEPARTMENT_ACCOUNTS = {
    "weijian": ("health", "区卫健局工作人员"),
    "jiaoti": ("education", "区教体局工作人员"),
    "minzheng": ("civil_affairs", "区民政局工作人员"),
    "shiyedengji": ("public_institution_registration", "区事业单位登记管理局工作人员"),
    "shichang": ("market_regulation", "区市场监管局工作人员"),
    "caizheng": ("finance", "区财政局工作人员"),
    "xiaofang": ("fire_rescue", "区消防救援大队工作人员"),
    "gongan": ("public_security", "区公安分局工作人员"),
    "zhujian": ("housing", "区住建局工作人员"),
    "fuji": ("mch_centre", "区妇计中心工作人员"),
    # P-WF-3: the training and appraisal subsidy list (workforce).
    "renshe": ("human_resources", "区人力社保局工作人员"),
    # P-TAX-1..3: the tax and fee relief list of community care institutions (subsidies).
    "shuiwu": ("tax", "区税务局工作人员"),
}
TOWNSHIP_ACCOUNTS = {"duohu": "330703001"}

HOLDERS = [
    ("组长", "陈建国", "区政府副区长"),
    ("副组长", "王丽华", "区政府办公室副主任"),
    ("副组长（卫健）", "李志强", "区卫健局局长"),
    ("副组长（教体）", "周文斌", "区教体局局长"),
    ("办公室主任", "张晓燕", "区卫健局副局长"),
]


def demo_password_hash() -> str:
    # One hash for every generated account: hashing thousands of passwords one by one
    # would dominate the province-scale seed. Demo data only; people set their own.
    return make_password(DEMO_PASSWORD)


def generate(ctx) -> None:
    from tuoyu.regions.models import Region

    services.departments_load()
    services.positions_load()
    for title, name, post in HOLDERS:
        position = Position.objects.get(title=title)
        if not position.holdings.exists():
            services.position_assign_holder(
                acting_user=None,
                position=position,
                holder_name=name,
                holder_post=post,
                started_on=dt.date(2020, 10, 31),
            )
    password = demo_password_hash()
    for username, (code, display) in DEPARTMENT_ACCOUNTS.items():
        if not User.objects.filter(username=username).exists():
            services.user_create(
                username=username,
                password_hash=password,
                display_name=display,
                department=Department.objects.get(code=code),
                # [accounts-ux] #9 point 1: each seeded department account administers its
                # department (weijian, of 区卫健局, the whole district).
                is_scope_admin=True,
            )
    for username, code in TOWNSHIP_ACCOUNTS.items():
        township = Region.objects.filter(code=code).first()
        if township and not User.objects.filter(username=username).exists():
            services.user_create(
                username=username,
                password_hash=password,
                display_name=f"{township.name}工作人员",
                township=township,
                is_scope_admin=True,
            )
    if not User.objects.filter(username="pingtai").exists():
        services.user_create(
            username="pingtai", password_hash=password, display_name="平台运维", is_staff=True
        )
    for user in User.objects.select_related("department").filter(
        username__in=[*DEPARTMENT_ACCOUNTS, "pingtai"]
    ):
        if requires_second_factor(user) and services.second_factor_device(user) is None:
            services.second_factor_demo_device(user=user, key_hex=DEMO_TOTP_KEY_HEX)
    ctx.shared["demo_password_hash"] = password


def generate_after_all(ctx) -> None:
    """[accounts-ux] #9 point 1: each seeded institution's account (institutions.seeding
    streams one per institution) is its institution's administrator — one UPDATE, at any
    scale."""
    User.objects.filter(scope_kind=User.ScopeKind.INSTITUTION, is_scope_admin=False).update(
        is_scope_admin=True
    )
