from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError

from apps.knowledge.dataset import DatasetError
from apps.knowledge.dataset import load_dataset


class Command(BaseCommand):
    help = (
        "Validate the curated knowledge in data/ and upsert it by slug in one transaction. "
        "Any error names the file, record and field, and nothing is loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory",
            nargs="?",
            default=str(Path(settings.BASE_DIR) / "data"),
            help="Dataset directory (default: data/).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Validate and report, then roll back.",
        )

    def handle(self, *args, directory, dry_run, **options):
        root = Path(directory)
        if not root.is_dir():
            raise CommandError(f"{root} is not a directory.")
        try:
            report = load_dataset(root, dry_run=dry_run)
        except DatasetError as exc:
            raise CommandError(
                f"{len(exc.problems)} problem(s); nothing was loaded:\n"
                + "\n".join(exc.problems)
            ) from exc
        for line in report.drafts:
            self.stderr.write(self.style.WARNING(f"kept as draft: {line}"))
        verb = "Would load" if dry_run else "Loaded"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {report.created} new, {report.updated} updated, "
                f"{report.unchanged} unchanged record(s); {len(report.drafts)} kept as draft."
            )
        )
