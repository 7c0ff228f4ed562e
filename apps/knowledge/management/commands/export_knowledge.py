from pathlib import Path

from django.core.management.base import BaseCommand

from apps.knowledge.dataset import export_dataset


class Command(BaseCommand):
    help = "Write the database back to DIR in the data/ format (a lossless, readable backup)."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Where to write the files.")
        parser.add_argument(
            "--published-only",
            action="store_true",
            help="Leave out drafts and records in review.",
        )

    def handle(self, *args, directory, published_only, **options):
        count = export_dataset(Path(directory), published_only=published_only)
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {count} record file(s) to {directory}.")
        )
