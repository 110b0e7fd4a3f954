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


class CardCode(models.Model):
    """A printed code — a card, or the code of an isolation document — kept while it lives,
    so that a lost card or document can be revoked; and each courier's pass issued (one a
    minute at most), so that suspending or revoking a pass can list the ones still alive.

    Display codes are not recorded: showing one writes nothing (see services.revoke_codes).
    """

    CARD, RELEASE, NOTICE, PASS = "card", "release", "notice", "pass"
    KIND_CHOICES = [
        (CARD, _("卡片码")),
        (RELEASE, _("解除隔离证明")),
        (NOTICE, _("隔离告知书")),
        (PASS, _("保供通行证")),
    ]

    # The first 16 bytes of SHA-256 of the signature: what the revocation list publishes.
    revocation_hash = models.BinaryField(max_length=16, unique=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=8, choices=KIND_CHOICES, default=CARD)
    # base64url, as in the JWKS.
    kid = models.CharField(max_length=16)
    issued_at = models.DateTimeField(_("签发时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("卡片码")
        verbose_name_plural = _("卡片码")
        indexes = [models.Index(fields=["person", "expires_at"], name="cardcode_person_expiry")]

    def __str__(self) -> str:
        return bytes(self.revocation_hash).hex()


class RevokedCode(models.Model):
    """One entry of the revocation list, kept until the code it names would have expired."""

    DISPLAY, CARD, RELEASE, NOTICE, PASS = "display", "card", "release", "notice", "pass"
    KIND_CHOICES = [
        (DISPLAY, _("亮码")),
        (CARD, _("卡片码")),
        (RELEASE, _("解除隔离证明")),
        (NOTICE, _("隔离告知书")),
        (PASS, _("保供通行证")),
    ]

    revocation_hash = models.BinaryField(max_length=16, unique=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=8, choices=KIND_CHOICES)
    expires_at = models.DateTimeField(_("失效时间"))
    revoked_at = models.DateTimeField(_("撤销时间"))
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("已撤销的码")
        verbose_name_plural = _("已撤销的码")
        indexes = [models.Index(fields=["expires_at"], name="revokedcode_expiry")]

    def __str__(self) -> str:
        return bytes(self.revocation_hash).hex()
