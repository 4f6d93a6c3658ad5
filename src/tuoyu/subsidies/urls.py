"""Pages of subsidies: demonstration titles (区卫健局), claims from entitlement to payment with
the funds and their ledgers, and the reports and relief lists (区财政局, 区税务局)."""

from tuoyu.subsidies.views import claims, reports, titles

app_name = "subsidies"

urlpatterns = [*titles.urlpatterns, *claims.urlpatterns, *reports.urlpatterns]
