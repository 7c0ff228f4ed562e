"""Give a person the Curator or Editor role, or take it away:

    manage.py grant_role USER curator|editor [--revoke]

The roles are the groups of the editorial workflow (docs/editorial-workflow.md). Granting
also lets the person into the admin (staff status); revoking leaves that as it is.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError

ROLES = {"curator": "Curator", "editor": "Editor"}


class Command(BaseCommand):
    help = "Grant (or with --revoke, take away) the Curator or Editor role."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=sorted(ROLES))
        parser.add_argument("--revoke", action="store_true")

    def handle(self, *args, username, role, revoke, **options):
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist:
            raise CommandError(f'No user is called "{username}".') from None
        try:
            group = Group.objects.get(name=ROLES[role])
        except Group.DoesNotExist:
            raise CommandError(
                f'The group "{ROLES[role]}" is missing: run manage.py migrate.'
            ) from None
        if revoke:
            user.groups.remove(group)
            self.stdout.write(f"{username} is no longer {role}.")
            return
        user.groups.add(group)
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        self.stdout.write(f"{username} is now {role}.")
