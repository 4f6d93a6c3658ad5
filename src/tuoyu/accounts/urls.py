from django.urls import path

from tuoyu.accounts import views

# Mounted at the site root: the login door keeps its short address.
app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/second-factor/", views.second_factor_verify, name="second_factor_verify"),
    path("logout/", views.logout_view, name="logout"),
    # [accounts-ux] #9 point 1: the account lifecycle
    path("activate/", views.activate, name="activate"),
    path("accounts/password/", views.password_change, name="password_change"),
    path("accounts/users/", views.users, name="users"),
    path("accounts/users/new/", views.user_add, name="user_add"),
    path("accounts/users/<int:user_id>/", views.user_detail, name="user_detail"),
    path(
        "accounts/users/<int:user_id>/activation-code/",
        views.user_activation_code,
        name="user_activation_code",
    ),
    path(
        "accounts/users/<int:user_id>/handover-letter/",
        views.user_handover_letter,
        name="user_handover_letter",
    ),
    path("accounts/users/<int:user_id>/disable/", views.user_disable, name="user_disable"),
    path("accounts/users/<int:user_id>/enable/", views.user_enable, name="user_enable"),
    path("accounts/users/<int:user_id>/admin/", views.user_scope_admin, name="user_scope_admin"),
    path("accounts/users/<int:user_id>/reset/", views.user_password_reset, name="user_reset"),
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
