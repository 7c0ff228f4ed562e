"""Build and store the current dataset version, holding the build lock: what a publish
starts in the background when PKB_DATASET_BUILD_PROCESS is on (apps/knowledge/api/export.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.knowledge.api import export


class Command(BaseCommand):
    help = (
        "Store the current dataset version unless it is stored or another build holds "
        "the lock; failures are logged (the next publish or request builds again)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--timeout",
            type=int,
            default=settings.PKB_DATASET_BUILD_TIMEOUT,
            help="Give up after this many seconds (0: no limit).",
        )

    def handle(self, *args, timeout, **options):
        export.build_under_lock(timeout=timeout)
