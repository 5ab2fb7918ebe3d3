"""Refused attempts: a signed-in user turned away from a page that names a record.

Kept apart from django-auditlog's LogEntry on purpose: a refused request must leave every
record and the audit log of changes and views as it found them (the permission matrix counts
them), yet who tried to reach what must still be known. A row holds no personal data: the
user, the route's name, the public id the URL carried and the answer given.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class RefusedAttempt(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    route = models.CharField(max_length=120)  # namespace:name, e.g. cases:detail
    keyword = models.CharField(max_length=40)  # the URL keyword the id came in, e.g. public_id
    object_id = models.UUIDField(db_index=True)  # the public id the URL named
    status_code = models.PositiveSmallIntegerField()  # 403 or 404
    request_id = models.CharField(max_length=64, blank=True)  # django-guid's X-Request-ID
    remote_addr = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "refused attempt"

    def __str__(self) -> str:
        return f"{self.status_code} {self.route} {self.object_id}"
