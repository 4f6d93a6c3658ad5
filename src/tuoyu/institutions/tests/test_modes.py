"""P-MODE-1: the service modes and forms a filing can name are exactly the policy's."""

from tuoyu.institutions.models.institution import InstitutionForm, OperatingMode


def test_operating_modes_are_the_seven_of_p_mode_1():
    assert set(OperatingMode.labels) == {
        "家庭照护（家庭托育点）", "社区统筹", "社会兴办", "单位自建", "幼儿园办托班", "公办民营", "民办公助",
    }  # fmt: skip


def test_forms_are_those_of_p_mode_1():
    assert set(InstitutionForm.labels) == {"嵌入式", "分布式", "连锁化", "专业化", "服务点"}
