"""The admin writes through the app's services, as the API does (``RecordViewSet``).

A ModelAdmin names its services in ``create_object`` / ``update_object`` /
``delete_object`` and the form fields they take in ``service_fields``;
saving, deleting one record and deleting the selected rows all go through
them, so the admin, the API and imports share one rule set.
"""

from django.db import transaction


class ServiceAdminMixin:
    service_fields: tuple[str, ...] = ()

    def create_object(self, request, form, data: dict):
        raise NotImplementedError

    def update_object(self, request, obj, form, data: dict):
        raise NotImplementedError

    def delete_object(self, request, obj):
        return obj.mark_deleted(by=request.user)

    def check_saved(self, request, saved) -> None:
        """Raise to roll the save back (the scope, in apps.organizations)."""

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in self.service_fields}
        with transaction.atomic():
            if change:
                saved = self.update_object(request, obj, form, data)
            else:
                saved = self.create_object(request, form, data)
            self.check_saved(request, saved)
        # The admin goes on with the object it built (its message, log entry and inlines).
        vars(obj).update(vars(saved))

    def delete_model(self, request, obj):
        self.delete_object(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_object(request, obj)
