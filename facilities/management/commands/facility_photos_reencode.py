from django.core.management.base import BaseCommand

from facilities.services import facility_photos_reencode_legacy


class Command(BaseCommand):
    help = ("Re-encode facility photos uploaded before portal.uploads (outside media/public/) and delete "
            "the ones that are not images. Run once after upgrading; running it again changes nothing.")

    def handle(self, *args, **options):
        reencoded, deleted = facility_photos_reencode_legacy()
        self.stdout.write(f"{reencoded} photo(s) re-encoded, {deleted} deleted as not images.")
