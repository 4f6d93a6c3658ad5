from django.urls import path

from tuoyu.accounts import views

app_name = "accounts"
urlpatterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("leading-group/", views.leading_group, name="leading_group"),
    path("leading-group/<int:position_id>/assign/", views.position_assign, name="position_assign"),
]
