"""The admin writes through the app's services, as the API does (``RecordViewSet``).

A ModelAdmin names its services in ``create_object`` / ``update_object``
(and ``delete_object``) and the form fields they take in
``service_fields``; saving, deleting one record and deleting the selected
rows all go through them, so the admin, the API and imports share one rule
set. An admin without ``service_fields`` saves as Django does. Either way
``check_saved`` may still roll the save back; a soft-deletable record is
marked deleted, never removed.
"""

from django.db import transaction

from apps.core.models import SoftDeletableModel


class ServiceAdminMixin:
    service_fields: tuple[str, ...] = ()

    def create_object(self, request, form, data: dict):
        raise NotImplementedError

    def update_object(self, request, obj, form, data: dict):
        raise NotImplementedError

    def delete_object(self, request, obj):
        return obj.mark_deleted(by=request.user)

    def get_service_fields(self, form) -> list[str]:
        return list(self.service_fields)

    def check_saved(self, request, saved) -> None:
        """Raise to roll the save back (the scope, in apps.organizations)."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            if not self.service_fields:
                super().save_model(request, obj, form, change)
                saved = obj
            else:
                data = {name: form.cleaned_data[name] for name in self.get_service_fields(form)}
                if change:
                    saved = self.update_object(request, obj, form, data)
                else:
                    saved = self.create_object(request, form, data)
            self.check_saved(request, saved)
        # The admin goes on with the object it built (its message, log entry and inlines).
        if saved is not obj:
            vars(obj).update(vars(saved))

    def delete_model(self, request, obj):
        if not isinstance(obj, SoftDeletableModel):
            return super().delete_model(request, obj)
        self.delete_object(request, obj)

    def delete_queryset(self, request, queryset):
        if not issubclass(queryset.model, SoftDeletableModel):
            return super().delete_queryset(request, queryset)
        with transaction.atomic():
            for obj in queryset:
                self.delete_object(request, obj)
