"""The texts of accounts' data (departments.yaml: names, full names, duties) as gettext
msgids, so that `makemessages` finds them and the English catalog carries their English
([accounts-ux] point 9). Data texts are translated like any UI text: the data stays in
Chinese, a page shows `Department.name_display` (gettext at render time), and a text a
district adds without a translation shows in Chinese. `tests/integration/test_data_texts.py`
fails when departments.yaml holds a text that is not listed here.
"""

from django.utils.translation import gettext_noop

DEPARTMENT_TEXTS = (
    gettext_noop("区卫健局"),
    gettext_noop("区卫生健康局"),
    gettext_noop(
        "牵头负责婴幼儿照护服务工作；制定发展规划；统筹协调监督管理；卫生保健业务指导与监督检查；家庭医生签约服务；领导小组办公室设在区卫健局，负责项目管理。"
    ),
    gettext_noop("区教体局"),
    gettext_noop("区教育体育局"),
    gettext_noop(
        "负责托幼一体化机构的登记和管理、幼儿园托班设置，开展托育从业人员和幼儿教师培训。"
    ),
    gettext_noop("区市场监管局"),
    gettext_noop("区市场监督管理局"),
    gettext_noop("负责营利性托育机构登记；负责托育机构食品、药品安全监督管理。"),
    gettext_noop("区民政局"),
    gettext_noop("负责非营利性社会组织托育机构登记；推进社区托育服务设施建设。"),
    gettext_noop("区事业单位登记管理局"),
    gettext_noop("负责事业单位性质的非营利性托育机构登记。"),
    gettext_noop("区发改局"),
    gettext_noop("区发展和改革局"),
    gettext_noop("将婴幼儿照护服务纳入经济社会发展规划；价格指导与收费监督。"),
    gettext_noop("区公安分局"),
    gettext_noop("负责托育机构安全防范的指导和监督，维护周边治安秩序。"),
    gettext_noop("区财政局"),
    gettext_noop("负责落实托育服务经费保障，管理和拨付各项补助资金。"),
    gettext_noop("区人力社保局"),
    gettext_noop("区人力资源和社会保障局"),
    gettext_noop("负责从业人员职业技能培训与职业资格（技能等级）认定，维护从业人员劳动权益。"),
    gettext_noop("市自然资源和规划局金东分局"),
    gettext_noop("负责托育服务设施规划和用地保障。"),
    gettext_noop("区住建局"),
    gettext_noop("区住房和城乡建设局"),
    gettext_noop("负责托育机构消防设计审查和验收，新建住宅区配套托育设施的同步建设与验收。"),
    gettext_noop("区消防救援大队"),
    gettext_noop("负责托育机构消防安全检查和监督。"),
    gettext_noop("区税务局"),
    gettext_noop("落实托育服务相关税费优惠政策。"),
    gettext_noop("区总工会"),
    gettext_noop("开展职工托育需求调查，推动用人单位为职工提供托育服务。"),
    gettext_noop("团区委"),
    gettext_noop("开展婴幼儿照护服务宣传，组织青年志愿服务。"),
    gettext_noop("区妇联"),
    gettext_noop("开展家庭教育指导，推进婴幼儿照护服务试点。"),
    gettext_noop("区计划生育协会"),
    gettext_noop("开展婴幼儿照护服务宣传和社会监督。"),
    gettext_noop("区妇计中心"),
    gettext_noop("区妇幼保健计划生育服务中心（托育服务指导中心）"),
    gettext_noop(
        "作为“1+N”体系中的区级托育服务指导中心，开展行业培训、管理咨询、家庭指导和社区活动指导（P-SUP-2）。"
    ),
)
