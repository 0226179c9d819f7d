"""Status changes in the admin, through the same service as the API (``apps.core.transitions``).

A ModelAdmin of a model with a ``transitions`` table adds this mixin: each
move that needs nothing becomes a changelist action, and every move —
also those that need fields, such as an outcome — can be made from the
record's own "change status" page, with a note kept in its history.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import fields_for_model
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from apps.core.transitions import IllegalMove, StaleVersion, moves_of, transition


def _status_label(model, to: str) -> str:
    field = model._meta.get_field(model.status_field)
    return str(dict(field.flatchoices).get(to, to))


class TransitionForm(forms.Form):
    """The move: where to, why, and the fields the chosen move needs."""

    to = forms.ChoiceField(label=_("new status"))
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea, max_length=2000)

    def __init__(self, *args, model, **kwargs):
        super().__init__(*args, **kwargs)
        moves = moves_of(model)
        self.fields["to"].choices = [(to, _status_label(model, to)) for to in moves]
        needed = sorted({name for move in moves.values() for name in move.takes})
        for name, field in fields_for_model(model, fields=needed).items():
            field.required = False  # the service says which move needs it
            self.fields[name] = field
        self.needs = {to: move.takes for to, move in moves.items()}

    def move_kwargs(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in self.needs[data["to"]] if name in data}


class TransitionAdminMixin:
    """Changelist actions and a per-record page that call ``transition()`` as the user."""

    transition_template = "admin/core/transition.html"

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}_transition"
        view = self.admin_site.admin_view(self.transition_view)
        return [path("<path:object_id>/transition/", view, name=name), *super().get_urls()]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_change_permission(request):
            return actions
        for to, move in moves_of(self.model).items():
            if move.needs:
                continue  # asks for fields: made on the record's page
            name = f"move_to_{to}"
            label = _("Move the selected to “%(status)s”") % {
                "status": _status_label(self.model, to)
            }
            actions[name] = (self._mover(to), name, label)
        return actions

    def _mover(self, to):
        def move(modeladmin, request, queryset):
            moved, refused = 0, []
            for obj in queryset:
                try:
                    transition(obj, to=to, by=request.user)
                except (IllegalMove, ValidationError, PermissionDenied):
                    refused.append(str(obj))
                else:
                    moved += 1
            if moved:
                self.message_user(request, _("%(n)s moved.") % {"n": moved}, messages.SUCCESS)
            if refused:
                message = _("Not moved (their status does not allow it): %(names)s")
                self.message_user(request, message % {"names": "、".join(refused)}, messages.ERROR)

        return move

    def get_transition_form(self, request, obj) -> TransitionForm:
        """The move's form; an admin whose moves name a record limits its choices here."""
        return TransitionForm(request.POST or None, model=self.model)

    def transition_view(self, request, object_id):
        request.current_app = self.admin_site.name
        obj = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        form = self.get_transition_form(request, obj)
        if request.method == "POST" and form.is_valid():
            try:
                transition(
                    obj,
                    to=form.cleaned_data["to"],
                    by=request.user,
                    note=form.cleaned_data["note"],
                    version=int(request.POST.get("version") or 0) or None,
                    **form.move_kwargs(),
                )
            except IllegalMove:
                form.add_error("to", IllegalMove.message)
            except StaleVersion:
                form.add_error(None, _("Someone changed this record meanwhile: reload it."))
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(request, _("The status was changed."), messages.SUCCESS)
                opts = self.model._meta
                change = f"admin:{opts.app_label}_{opts.model_name}_change"
                return redirect(reverse(change, args=[obj.pk], current_app=self.admin_site.name))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "form": form,
            "title": _("Change the status of %(record)s") % {"record": obj},
            "current": _status_label(self.model, getattr(obj, self.model.status_field)),
        }
        return TemplateResponse(request, self.transition_template, context)
