"""The scope on top of the resource contract of apps.core.api.

``ScopedViewSet`` adds the role check and the scope of writes to
``RecordViewSet``; ``ScopedRecordSerializer`` limits every reference a
client writes to its subtree (or, where allowed, its ancestors) and makes
the caller's organization the default. See docs/api-machinery.md.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import NotFound

from apps.core.api.records import RecordSerializer, RefField
from apps.core.api.viewsets import RecordViewSet
from apps.organizations.models import Organization
from apps.organizations.permissions import RolePermission
from apps.organizations.scoping import has_scope, scope_field, scoped, with_ancestors


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object written by id that must lie in the caller's subtree.

    An id outside the subtree gets the same "does not exist" message as an
    id that exists nowhere, so a write tells nothing about other villages.
    With ``ancestors=True`` the object may also belong to one of the
    caller's ancestors (docs/scoping.md, the first exception: a village's
    event names the district's campaign).
    """

    def __init__(self, *, ancestors: bool = False, **kwargs):
        self.ancestors = ancestors
        super().__init__(**kwargs)

    default_error_messages = {
        "does_not_exist": _("The chosen {model} does not exist or is not within your reach."),
        "incorrect_type": _("Send the id of the {model}: a whole number."),
    }

    def get_queryset(self):
        rule = with_ancestors if self.ancestors else scoped
        return rule(super().get_queryset(), self.context["request"].user)

    def fail(self, key, **kwargs):
        # Human words naming the kind of record, never the id sent back ("invalid pk 157").
        kwargs.setdefault("model", self.queryset.model._meta.verbose_name)
        super().fail(key, **kwargs)


class ScopedRefField(RefField, ScopedPrimaryKeyRelatedField):
    """Written as an id within the caller's reach; read back as ``{"id": …, "name": …}``."""


class CallerOrganization:
    """The default ``organization`` of a new record: the caller's own."""

    requires_context = True

    def __call__(self, serializer_field):
        return serializer_field.context["request"].user.organization

    def __repr__(self):
        return "CallerOrganization()"


class ScopedRecordSerializer(RecordSerializer):
    """Every related object a client writes must be in its subtree; ``organization``
    defaults to the caller's own and is set once. The references named in
    ``Meta.ancestor_fields`` may also point at an ancestor's record."""

    serializer_related_field = ScopedRefField

    def build_relational_field(self, field_name, relation_info):
        field_class, kwargs = super().build_relational_field(field_name, relation_info)
        if not has_scope(relation_info.related_model):
            field_class = serializers.PrimaryKeyRelatedField
        elif field_name in getattr(self.Meta, "ancestor_fields", ()):
            kwargs["ancestors"] = True
        if field_name == "organization" and "read_only" not in kwargs:
            kwargs.update(
                required=False,
                default=CallerOrganization(),
                help_text=_("Defaults to the caller's own organization; set once."),
            )
            kwargs.pop("allow_null", None)
        return field_class, kwargs


class ScopedViewSet(RecordViewSet):
    """A ``RecordViewSet`` inside the caller's subtree: the role first (403), then the scope.

    Reads come from the resource's selector, which starts from ``scoped()``
    (or ``with_referrals()`` where docs/scoping.md allows it). Writes are
    limited by ``writable()``: the subtree by default; a resource that lets
    the receiving organization work a referred record widens it with
    ``with_referrals()``. A write whose result is not writable rolls back (404).
    """

    permission_classes = [RolePermission]

    def writable(self, queryset):
        """The records of ``queryset`` this caller may change."""
        return scoped(queryset, self.request.user)

    def may_write(self, obj) -> bool:
        return self.writable(type(obj)._default_manager.filter(pk=obj.pk)).exists()

    def check_written(self, objects: list) -> None:
        model = type(objects[0]) if objects else None
        if model is None:
            return
        if type(self).writable is ScopedViewSet.writable and scope_field(model) == "organization":
            # A record is in the subtree exactly when its organization is: a batch's few
            # organizations are checked, not its 500 rows joined to the tree.
            held = {obj.organization_id for obj in objects}
            reached = scoped(Organization.objects.filter(pk__in=held), self.request.user)
            if reached.count() != len(held):
                raise NotFound  # rolls the write back
            return
        pks = {obj.pk for obj in objects}
        if self.writable(model._default_manager.filter(pk__in=pks)).count() != len(pks):
            raise NotFound  # rolls the write back
