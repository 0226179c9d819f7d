"""Attachments on a record's admin page, as the API has them (docs/api-machinery.md, Files).

An admin of a record that has attachments in the API adds ``AttachmentsAdminMixin``: its page
lists the record's files, each a link to the API's download (the same scoped view, reached with
the admin's session), and takes new ones through the same cleaning service. A refused file is a
message on the form, never a half-saved record: the files are checked with the form, then
attached in the admin's own transaction once the record is saved.
"""

from django import forms
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from apps.files import selectors, services
from apps.files.uploads import clean_upload

MAX_FILES_AT_ONCE = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented way, forms/fields "Uploading multiple
    files"), each checked as an attachment is."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > MAX_FILES_AT_ONCE:
            raise forms.ValidationError(
                _("At most %(max)s files at once.") % {"max": MAX_FILES_AT_ONCE}
            )
        checked = []
        for file in files:
            file = super().clean(file, initial)
            clean_upload(file)  # refused here, with the form: ValidationError
            file.seek(0)
            checked.append(file)
        return checked


class AttachmentsAdminMixin:
    """A record's files on its admin page: listed (``attachment_links``, a read-only field) and
    added (``new_files``). ``attachment_route`` names the API's download route of the record."""

    attachment_route: str  # e.g. "branchmeeting-attachment"

    def get_form(self, request, obj=None, change=False, **kwargs):
        new_files = MultipleFileField(
            label=_("add files"),
            required=False,
            help_text=_(
                "Photos (JPEG, PNG, WebP), PDF, Word or Excel: photos are re-encoded without "
                "their location data."
            ),
        )
        kwargs["form"] = type(self.form.__name__, (self.form,), {"new_files": new_files})
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        return [*super().get_fields(request, obj), "attachment_links", "new_files"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "attachment_links"]

    @staticmethod
    def _files_of(obj):
        return selectors.attachment_list(record=obj) if obj is not None and obj.pk else []

    def attachment_links(self, obj):
        files = list(self._files_of(obj))
        if not files:
            return _("None yet")
        return format_html(
            "<ul class='attachments'>{}</ul>",
            format_html_join(
                "",
                "<li><a href='{}'>{}</a> ({} KB)</li>",
                (
                    (
                        reverse(self.attachment_route, args=[obj.pk, file.pk]),
                        file.original_name,
                        max(1, file.size // 1024),
                    )
                    for file in files
                ),
            ),
        )

    attachment_links.short_description = _("attachments")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for file in form.cleaned_data.get("new_files") or []:
            services.attachment_create(by=request.user, record=form.instance, uploaded_file=file)
