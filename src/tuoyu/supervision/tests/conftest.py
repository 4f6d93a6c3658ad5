import pytest


@pytest.fixture
def police_user(make_user):
    """区公安分局: security; told at once of abuse allegations (P-SUP-6)."""
    return make_user("gongan", department="public_security")


@pytest.fixture
def health_user2(make_user):
    """A second 区卫健局 officer (four eyes, P-SUP-5/6)."""
    return make_user("weijian2", department="health")


@pytest.fixture
def dongxiao_user(make_user):
    return make_user("dongxiao", township="dongxiao")


@pytest.fixture
def filed(make_filed):
    return make_filed(name="金东区小橡树托育有限公司")


@pytest.fixture(autouse=True)
def _uploads(media_root):
    """Photos and evidence go to a temporary directory."""
    return media_root
