"""A throw-away model carrying personal-data fields, created on demand for field tests
(the real owners of personal data — staff, children — arrive with later apps)."""

from functools import lru_cache

from django.db import connection, models

from tuoyu.core.personal import BlindIndexField, PersonalDataField


@lru_cache(maxsize=1)
def _model():
    class Person(models.Model):
        name = models.CharField(max_length=50)
        id_number = PersonalDataField(kind="id_number", blank=True)
        id_number_index = BlindIndexField(source="id_number", kind="id_number")
        phone = PersonalDataField(kind="phone", blank=True)

        class Meta:
            app_label = "core"
            db_table = "core_test_person"

        def __str__(self) -> str:
            return self.name

    return Person


def person_model():
    model = _model()
    if model._meta.db_table not in connection.introspection.table_names():
        with connection.schema_editor() as editor:
            editor.create_model(model)
    return model
