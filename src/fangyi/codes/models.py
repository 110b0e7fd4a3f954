from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangyi.people.models import Person


class CodeSubject(models.Model):
    """The pseudonym a person's codes carry instead of anything that identifies them."""

    person = models.OneToOneField(
        Person, primary_key=True, on_delete=models.CASCADE, related_name="code_subject"
    )
    sub = models.CharField(_("匿名标识"), max_length=32, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("健康码匿名标识")
        verbose_name_plural = _("健康码匿名标识")

    def __str__(self) -> str:
        return self.sub


class IssuedCode(models.Model):
    """One row per code handed out, kept while it lives, so that it can be revoked."""

    DISPLAY, CARD = "display", "card"
    KIND_CHOICES = [(DISPLAY, _("亮码")), (CARD, _("卡片码"))]

    # The first 16 bytes of SHA-256 of the signature: what the revocation list publishes.
    revocation_hash = models.BinaryField(max_length=16, unique=True)
    # No database constraint: rows are written on the hot path of showing a code.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=8, choices=KIND_CHOICES)
    kid = models.CharField(max_length=16)
    issued_at = models.DateTimeField(_("签发时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.CharField(_("撤销理由"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("已签发的码")
        verbose_name_plural = _("已签发的码")
        indexes = [
            models.Index(fields=["person", "expires_at"], name="issuedcode_person_expiry"),
            models.Index(
                fields=["expires_at"],
                name="issuedcode_revoked",
                condition=models.Q(revoked_at__isnull=False),
            ),
            models.Index(fields=["expires_at"], name="issuedcode_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {bytes(self.revocation_hash).hex()}"
