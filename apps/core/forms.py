"""Forms that know no domain."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SheetImportForm(forms.Form):
    """An .xlsx file to import, and whether to only check it (the default)."""

    file = forms.FileField(label=_("Excel file (.xlsx)"))
    dry_run = forms.BooleanField(
        label=_("Dry run: check every row, import nothing"), required=False, initial=True
    )

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
