from django.contrib import admin

from tuoyu.regions.models import Region, RegionYearStatistic


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    list_select_related = ["parent"]

    def has_delete_permission(self, request, obj=None):
        return False  # the tree comes from `tuoyu load_regions`


@admin.register(RegionYearStatistic)
class RegionYearStatisticAdmin(admin.ModelAdmin):
    """Read-only: statistics are written through the audited import."""

    list_display = [
        "region",
        "year",
        "resident_population",
        "hm_children_due",
        "hm_children_managed",
        "source",
        "imported_at",
    ]
    list_filter = ["year"]
    search_fields = ["region__code", "region__name"]
    list_select_related = ["region"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
