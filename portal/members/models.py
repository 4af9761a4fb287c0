"""The union tree, user accounts, members, dependants and staff role grants."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from .identity import age_band as identity_age_band
from .validators import validate_person_name

region_code_validator = RegexValidator(r"^\d{6}$", _("Enter a 6-digit administrative region code (GB/T 2260)."))
EARLIEST_BIRTH_DATE = date(1900, 1, 1)

class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)

class User(AbstractUser):
    """An account; logs in by email or phone. Phone is E.164 (+86...), unique when present."""

    username = None
    email = models.EmailField(_("email"), unique=True)
    phone = models.CharField(_("phone"), max_length=20, unique=True, null=True, blank=True)
    phone_verified = models.BooleanField(_("phone verified"), default=False)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    def __str__(self) -> str:
        return self.email

class OrganisationLevel(models.TextChoices):
    NATIONAL = "national", _("National federation")
    PROVINCE = "province", _("Provincial federation")
    CITY = "city", _("City federation")
    COUNTY = "county", _("County federation")
    GRASSROOTS = "grassroots", _("Grassroots union")

class Organisation(MP_Node):
    """A union in the tree. Subtrees are one indexed `path LIKE 'prefix%'` query (materialised path)."""

    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=12, choices=OrganisationLevel.choices)
    region_code = models.CharField(_("region code"), max_length=6, validators=[region_code_validator])
    node_order_by = ["name"]

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["region_code"])]

    def __str__(self) -> str:
        return self.name

    @property
    def owning_organisation(self) -> Organisation:
        return self

class ModelWorkerLevel(models.TextChoices):
    NONE = "none", _("None")
    CITY = "city", _("City-level model worker")
    PROVINCIAL = "provincial", _("Provincial model worker")
    NATIONAL = "national", _("National model worker")

class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")

class Member(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user account"), on_delete=models.CASCADE,
                                related_name="member")
    member_number = models.CharField(_("member number"), max_length=20, unique=True)
    real_name = models.CharField(_("real name"), max_length=50, validators=[validate_person_name])
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="members",
                                     verbose_name=_("grassroots union"))
    # Resident ID: only a keyed HMAC (for uniqueness and lookup) and the last four characters.
    id_number_hash = models.CharField(_("resident ID number hash"), max_length=64, unique=True, null=True,
                                      blank=True, editable=False)
    id_number_last4 = models.CharField(_("ID number (last 4)"), max_length=4, blank=True, editable=False)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    # Set when the ID number given is already another account's: the sign-up goes ahead exactly like any other
    # (the answer must not tell whether a number is registered), without the hash, and staff sort it out.
    id_number_conflict = models.BooleanField(_("ID number registered to another account"), default=False,
                                             editable=False)
    model_worker_level = models.CharField(_("model worker"), max_length=12, choices=ModelWorkerLevel.choices,
                                          default=ModelWorkerLevel.NONE)
    skilled_worker = models.BooleanField(_("skilled worker"), default=False)
    frontline = models.BooleanField(_("frontline worker"), default=False)
    retiree = models.BooleanField(_("retiree"), default=False)
    gig_worker = models.BooleanField(_("gig worker"), default=False)
    verification_status = models.CharField(_("verification"), max_length=10, choices=VerificationStatus.choices,
                                           default=VerificationStatus.PENDING)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("verified by"), null=True, blank=True,
                                    on_delete=models.SET_NULL,
                                    related_name="+")
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    rejection_reason = models.CharField(_("rejection reason"), max_length=300, blank=True)
    # When the person joined the union (before this portal existed); empty: counted from the account's creation.
    joined_union_on = models.DateField(_("union member since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        indexes = [models.Index(fields=["organisation", "verification_status"])]

    def __str__(self) -> str:
        return f"{self.real_name} ({self.member_number})"

    @property
    def owning_organisation(self) -> Organisation:
        return self.organisation

    @property
    def is_verified(self) -> bool:
        return self.verification_status == VerificationStatus.VERIFIED

    @property
    def is_model_worker(self) -> bool:
        return self.model_worker_level != ModelWorkerLevel.NONE

    @property
    def age_band(self) -> str:
        """The age staff see ("30–39 years"); the birth date itself stays out of staff pages and APIs."""
        return identity_age_band(self.birth_date)

class DependantRelation(models.TextChoices):
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")

class Dependant(models.Model):
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="dependants")
    name = models.CharField(_("name"), max_length=50, validators=[validate_person_name])
    relation = models.CharField(_("relation"), max_length=10, choices=DependantRelation.choices)
    birth_date = models.DateField(_("birth date"), validators=[MinValueValidator(
        EARLIEST_BIRTH_DATE, message=_("Enter a birth date in 1900 or later."))])

    class Meta:
        verbose_name = _("dependant")
        verbose_name_plural = _("dependants")
        constraints = [models.CheckConstraint(condition=models.Q(birth_date__gte=EARLIEST_BIRTH_DATE),
                                              name="dependant_birth_date_sane", violation_error_code="birth_date",
                                              violation_error_message=_("Enter a birth date in 1900 or later."))]

    @property
    def owning_organisation(self) -> Organisation:
        return self.member.organisation

class Role(models.TextChoices):
    FACILITY_MANAGER = "facility_manager", _("Facility manager")
    UNION_OFFICER = "union_officer", _("Union officer (approvals)")
    MUTUALAID_OFFICER = "mutualaid_officer", _("Mutual-aid officer")
    STATISTICIAN = "statistician", _("Statistician")

class RoleGrant(models.Model):
    """A staff role at an organisation; it covers that organisation's whole subtree."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user account"), on_delete=models.CASCADE,
                             related_name="role_grants")
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
                                     related_name="role_grants")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [models.UniqueConstraint(fields=["user", "organisation", "role"], name="uniq_role_grant",
                                               violation_error_code="duplicate_grant",
                                               violation_error_message=_("This user already has this role here."))]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.organisation}"
