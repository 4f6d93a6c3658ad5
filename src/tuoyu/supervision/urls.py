from tuoyu.supervision.views import urlpatterns  # noqa: F401

app_name = "supervision"
