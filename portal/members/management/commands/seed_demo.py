import importlib

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Load the demo data (idempotent). Refuses to run unless settings allow demo data."

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError("seed_demo refuses to run with these settings (demo data is for dev and test only).")
        context: dict = {}
        with transaction.atomic():
            for config in apps.get_app_configs():
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.seed(context)
                self.stdout.write(f"seeded {config.label}")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
