"""Devices sign in for a token and sign out (docs/api.md, Signing in): django-rest-knox's
login and logout, with our JSON body, errors, throttle and django-axes' lockout."""

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in, user_logged_out
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from knox.views import LoginView, LogoutView
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from apps.accounts import acts, tokens
from apps.accounts.authentication import DeviceTokenAuthentication
from apps.accounts.models import DeviceToken
from apps.core.validators import plain_text


class SignInSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    device = serializers.CharField(
        max_length=50,
        validators=[plain_text],
        help_text=_("A name for this device, as the account's owner and admins will see it."),
    )


class SignedInSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text=_("The key, shown this once: send it as 'Authorization: Token <key>'.")
    )
    prefix = serializers.CharField(help_text=_("The key's first characters, as lists show it."))
    device = serializers.CharField()
    expiry = serializers.DateTimeField(help_text=_("Moves on with use: 30 days after the last."))
    notices = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("What others did to this account since its owner last signed in."),
    )


class SignInThrottle(SimpleRateThrottle):
    """Sign-ins per address, signed in or not (django-axes then locks the account)."""

    scope = "sign_in"

    def get_rate(self):
        return settings.API_SIGN_IN_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LockedOut(exceptions.Throttled):
    default_detail = _("Too many failed sign-ins: this account is locked for a while.")
    default_code = "locked_out"


class SignInView(LoginView):
    # A token header is read only so that a 401 names the scheme (WWW-Authenticate: Token).
    authentication_classes = [DeviceTokenAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [SignInThrottle]

    @extend_schema(
        summary=_("Sign a device in: its own token, shown once"),
        request=SignInSerializer,
        responses={200: SignedInSerializer},
        auth=[],
    )
    def post(self, request, format=None):
        serializer = SignInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        django_request = request._request  # django-axes marks and reads this one
        user = authenticate(django_request, username=data["username"], password=data["password"])
        if getattr(django_request, "axes_locked_out", False):
            django_request.axes_locked_out = False  # answered here, as JSON
            raise LockedOut
        if user is None:
            raise exceptions.AuthenticationFailed(_("Wrong username or password."))
        token, key = tokens.make_token(user, device=data["device"])
        notices = acts.take_notices(user)
        user_logged_in.send(sender=user.__class__, request=django_request, user=user)
        body = {
            "token": key,
            "prefix": token.prefix,
            "device": token.device,
            "expiry": token.expiry,
            "notices": notices,
        }
        return Response(SignedInSerializer(body).data)


class SignOutView(LogoutView):
    authentication_classes = [DeviceTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=_("Sign this device out: its token stops working"),
        request=None,
        responses={204: None},
    )
    def post(self, request, format=None):
        token: DeviceToken = request.auth
        tokens.revoke_token(token, by=request.user)
        user_logged_out.send(
            sender=request.user.__class__, request=request._request, user=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
