from tuoyu.workforce.views import app_urls

app_name = "workforce"

urlpatterns = app_urls
