"""Every page works with no internet: no asset or link is loaded from another host."""

import re

import pytest

EXTERNAL = re.compile(r"""(?:src|href)=["'](?:https?:)?//(?!127\.0\.0\.1|localhost|testserver)""")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/", "/policy/", "/accounts/tokens/"])
def test_pages_reference_no_external_host(client, make_user, path):
    if path != "/login/":
        client.force_login(make_user("weijian", department="health"))
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    for asset in re.findall(r"""(?:src|href)=["'](/static/[^"']+)["']""", html):
        assert client.get(asset).status_code == 200, asset


def test_htmx_is_pinned_to_2_0():
    import json
    from pathlib import Path

    from django.conf import settings

    package = json.loads((Path(settings.PROJECT_DIR) / "package.json").read_text())
    assert package["dependencies"]["htmx.org"].startswith("2.0.")
