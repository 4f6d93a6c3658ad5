"""The texts of the policy data that pages show (class type names, version titles) as
gettext msgids ([accounts-ux] point 9; the mechanism: `tuoyu.web.templatetags.data_text`).
`tests/integration/test_data_texts.py` fails when the policy data holds one not listed.
"""

from django.utils.translation import gettext_noop

POLICY_TEXTS = (
    gettext_noop("乳儿班"),
    gettext_noop("托小班"),
    gettext_noop("托大班"),
    gettext_noop("混合班"),
    gettext_noop("金东区关于促进3岁以下婴幼儿照护服务发展的实施意见"),
    gettext_noop("儿童入托、入学预防接种证查验办法"),
    gettext_noop("金华市普惠托育机构及示范奖补规定"),
    gettext_noop("家庭托育点管理办法（试行）"),
)
