"""``manage.py drf_create_token <username>``: a key that works in ``Authorization: Token <key>``,
for scripts and operators (docs/api.md, Signing in). Whoever runs commands on the server is not
an admin in the app, so it works for every account; the owner is told at the next sign-in."""

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import User
from apps.accounts.tokens import operator_token


class Command(BaseCommand):
    help = "Print a new API token (key) for an account, for scripts and operators."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--device", default="command line", help="The device name the token is listed under."
        )

    def handle(self, *args, username, device, **options):
        try:
            account = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No account named {username!r}.") from None
        if not account.is_active:
            raise CommandError(f"Account {username!r} is inactive.")
        key = operator_token(account, device=device)
        self.stdout.write(key)
