from django.urls import path

from tuoyu.accounts import views

# Mounted at the site root: the login door keeps its short address.
app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/second-factor/", views.second_factor_verify, name="second_factor_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("accounts/second-factor/enrol/", views.second_factor_enrol, name="second_factor_enrol"),
    path(
        "accounts/second-factor/",
        views.second_factor_colleagues,
        name="second_factor_colleagues",
    ),
    path(
        "accounts/second-factor/<int:user_id>/reset/",
        views.second_factor_reset,
        name="second_factor_reset",
    ),
    path("accounts/tokens/", views.tokens, name="tokens"),
    path("accounts/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("accounts/leading-group/", views.leading_group, name="leading_group"),
    path(
        "accounts/leading-group/<int:position_id>/assign/",
        views.position_assign,
        name="position_assign",
    ),
]
