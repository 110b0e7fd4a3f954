"""Refusing an oversized upload while it arrives, not after it has filled the disk."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class SizeLimitedUploadHandler(FileUploadHandler):
    """Drops a file part as soon as it passes FANGYI_LEDGER_MAX_BYTES (the rest of it is read
    and discarded, never stored) and marks the request, so the page or API can say why."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.FANGYI_LEDGER_MAX_BYTES:
            self.request.upload_too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def upload_too_large(request) -> bool:
    return getattr(request, "upload_too_large", False)
