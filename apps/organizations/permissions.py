"""The API's access check: the role first (403), then the scope (404)."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from apps.organizations.scoping import in_scope

ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def required_perm(model, method: str, action: str | None = None) -> str:
    """The permission a request needs: by its method, or as the view maps an extra action
    (``permission_actions = {"transition": "change"}``: a POST that changes, not adds)."""
    verb = action or ACTIONS[method]
    return f"{model._meta.app_label}.{verb}_{model._meta.model_name}"


class RolePermission(BasePermission):
    """A role that may not do this at all gets 403 before its scope is looked at.

    The object itself comes from the view's scoped queryset, so an object
    outside the subtree is a 404. An object that is readable but not
    writable (an ancestor) answers 403 to a write.
    """

    def has_permission(self, request, view):
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        if request.method.lower() not in view.http_method_names or request.method not in ACTIONS:
            return True  # the view answers 405 for a method it does not have
        return user.has_perm(required_perm(view.model, request.method, self.action(request, view)))

    def action(self, request, view) -> str | None:
        """The right an extra action needs, if not its method's (see ``permission_actions``)."""
        return getattr(view, "permission_actions", {}).get(getattr(view, "action", None))

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        may_write = getattr(view, "may_write", None)  # a view may widen it (referrals)
        return may_write(obj) if may_write is not None else in_scope(obj, request.user)
