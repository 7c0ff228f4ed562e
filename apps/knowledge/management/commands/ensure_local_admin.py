import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError


class Command(BaseCommand):
    help = (
        "On a fresh development database, create a local superuser and print its generated "
        "password once. Does nothing if any superuser exists; refuses unless DEBUG is on."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to create a local admin account without DJANGO_DEBUG=1."
            )
        user_model = get_user_model()
        if user_model.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                "An admin account already exists; no new one was created."
            )
            return
        password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser(
            username=username, email="", password=password
        )
        bar = "=" * 60
        self.stdout.write(
            f"{bar}\nLocal admin account created (shown only this once):\n"
            f"  user name: {username}\n  password:  {password}\n"
            f"  log in at http://127.0.0.1:8000/admin/\n{bar}"
        )
