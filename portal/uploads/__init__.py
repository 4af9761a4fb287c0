"""THE upload helper: every file a user sends goes through here (photos now; claim documents and
rosters later). Two steps, so validation never leaves anything behind:

1. `accept_image` / `accept_pdf` / `accept_document` / `accept_table` (or `accept(file, kind=...)`)
   read the upload with a size cap and check its content (images are decoded and re-encoded with
   Pillow); a bad file raises ValidationError({field: [message]}) and nothing is written.
2. `store_upload(accepted, directory=..., visibility=...)` writes it under a random name whose
   extension comes from the content, in `public/` or `private/`, and removes it again if the block
   that records it in the database fails. `delete_after_commit` / `delete_files_with_rows` remove
   files only once the deleting transaction commits.

Serving: `media_view` (development, tests) and the nginx block in docs/operations.md for public files;
`private_file_response` behind a permission-checking view for private ones.
"""

from ._common import AcceptedFile, read_upload, safe_filename
from .images import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, UploadedImage, accept_image
from .kinds import KINDS, accept, accept_document
from .pdf import MAX_PDF_BYTES, accept_pdf
from .serving import content_disposition, harden, media_view, private_file_response
from .storage import StoredFile, Visibility, delete_after_commit, delete_files_with_rows, store_upload
from .tables import MAX_TABLE_BYTES, AcceptedTable, accept_table

__all__ = [
    "KINDS", "MAX_IMAGE_BYTES", "MAX_IMAGE_PIXELS", "MAX_PDF_BYTES", "MAX_TABLE_BYTES", "AcceptedFile",
    "AcceptedTable", "StoredFile", "UploadedImage", "Visibility", "accept", "accept_document", "accept_image",
    "accept_pdf", "accept_table", "content_disposition", "delete_after_commit", "delete_files_with_rows",
    "harden", "media_view", "private_file_response", "read_upload", "safe_filename", "store_upload",
]
