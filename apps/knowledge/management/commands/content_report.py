"""Print how complete and consistent the coding is (see apps/knowledge/reports.py)."""

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError

from ... import reports


class Command(BaseCommand):
    help = (
        "Per record type, how many missions and cases have each coded field with a "
        "citation, not established with a reason, or missing; records coded alike but "
        "labelled differently without a departure; rules that disagree with the coded "
        "tasks. With --strict, fail when a mission lacks a required field."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Exit non-zero when a mission lacks start, end (or continuing), host "
            "consent, use of force, impartiality or legal basis without a reason.",
        )

    def handle(self, *args, strict=False, **options):
        report = reports.build()
        self.stdout.write(reports.render(report), ending="")
        if strict and report.strict_gaps:
            raise CommandError(
                f"{len(report.strict_gaps)} mission(s) lack a required field without a "
                "not_established reason (listed above)."
            )
