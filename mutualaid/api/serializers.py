"""Serializers of the mutual-aid API (shape only; the rules live in services, eligibility and benefits)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.inputs import BoundedDateField
from portal.payments.serializers import PayableSerializerMixin
from portal.serializers import ModelSerializer, Serializer

from .. import benefits
from ..models import Claim, ClaimDocument, ClaimStep, Enrolment, EventType, Scheme
from ..models.schemes import MAX_SHARES_LIMIT

MAX_FEN = 1_000_000_000  # ten million yuan: beyond any claim or scheme amount
MAX_ID = 2**31 - 1
BENEFIT_FIELDS = ["per_day_allowance_fen", "ratio_percent", "deductible_fen", "lump_sum_fen", "illnesses",
                  "injury_schedule", "cap_per_claim_fen", "cap_per_term_fen"]


class OrganisationBriefSerializer(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SchemeReasonSerializer(Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class InsuredVerdictSerializer(Serializer):
    insured = serializers.SerializerMethodField(help_text='"self" or the dependant id')
    name = serializers.CharField()
    eligible = serializers.SerializerMethodField()
    reasons = serializers.SerializerMethodField()

    @extend_schema_field({"oneOf": [{"type": "string", "enum": ["self"]}, {"type": "integer"}]})
    def get_insured(self, obj):
        return "self" if obj.dependant_id is None else obj.dependant_id

    def get_eligible(self, obj) -> bool:
        return obj.verdict.eligible

    def get_reasons(self, obj) -> SchemeReasonSerializer(many=True):  # type: ignore[valid-type]
        return [{"code": r.code, "message": r.message} for r in obj.verdict.reasons]


class SchemeSerializer(ModelSerializer):
    organisation = OrganisationBriefSerializer(read_only=True)
    shares = serializers.SerializerMethodField(help_text="the shares the price and eligibility are for")
    price_fen = serializers.SerializerMethodField(help_text="what the member pays for these shares (0: the union "
                                                            "pays)")
    eligibility = serializers.SerializerMethodField(
        help_text="for the caller and each dependant: eligible, and every reason why not (empty when signed out)")

    class Meta:
        model = Scheme
        fields = ["id", "title", "description", "organisation", "kind", "status", "term_years", "term_start",
                  "term_end", "contribution_fen", "currency", "union_funded", "max_shares", "min_age", "max_age",
                  "member_categories", "dependants_allowed", "enrolment_opens_on", "enrolment_closes_on",
                  "waiting_period_days", *BENEFIT_FIELDS, "shares", "price_fen", "eligibility"]

    def get_shares(self, obj) -> int:
        return self.context.get("shares") or 1

    def get_price_fen(self, obj) -> int:
        return 0 if obj.union_funded else obj.price_fen(self.get_shares(obj))

    def get_eligibility(self, obj) -> InsuredVerdictSerializer(many=True):  # type: ignore[valid-type]
        return InsuredVerdictSerializer(self.context.get("verdicts", {}).get(obj.pk, []), many=True).data


class SchemeBriefSerializer(ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Scheme
        fields = ["id", "title", "kind", "organisation_name", "term_start", "term_end", "union_funded"]


@extend_schema_field({"oneOf": [{"type": "string", "enum": ["self"]}, {"type": "integer", "minimum": 1}]})
class InsuredField(serializers.Field):
    """"self" (the member) or the id of one of the member's dependants."""

    default_error_messages = {"invalid": 'Enter "self" or the id of one of your dependants.'}

    def to_internal_value(self, data):
        if data == "self":
            return None
        if isinstance(data, str) and data.isascii() and data.isdigit():
            data = int(data)
        if isinstance(data, int) and not isinstance(data, bool) and 1 <= data <= MAX_ID:
            return data
        self.fail("invalid")

    def to_representation(self, value):
        return "self" if value is None else value


class EnrolmentCreateSerializer(Serializer):
    scheme = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    shares = serializers.IntegerField(min_value=1, max_value=MAX_SHARES_LIMIT)
    insured = InsuredField()


class EnrolmentSerializer(PayableSerializerMixin, ModelSerializer):
    scheme = SchemeBriefSerializer(read_only=True)
    insured = serializers.SerializerMethodField()
    insured_name = serializers.CharField(read_only=True)
    cover_ends_on = serializers.DateField(read_only=True)
    verify_url = serializers.SerializerMethodField(help_text="the public verification page of the certificate "
                                                             "(null until cover is active)")

    class Meta:
        model = Enrolment
        fields = ["id", "scheme", "insured", "insured_name", "shares", "status", "cover_starts_on", "cover_ends_on",
                  "renewal", "amount_fen", "currency", "source", "verify_url", "payment", "created_at"]

    @extend_schema_field({"oneOf": [{"type": "string", "enum": ["self"]}, {"type": "integer"}]})
    def get_insured(self, obj):
        return "self" if obj.insured_dependant_id is None else obj.insured_dependant_id

    def get_verify_url(self, obj) -> str | None:
        if obj.status not in ("active", "expired"):
            return None
        path = reverse("frontend:aid_verify", args=[obj.certificate_code])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ClaimDocumentSerializer(ModelSerializer):
    url = serializers.SerializerMethodField(help_text="download through a permission check (never public)")

    class Meta:
        model = ClaimDocument
        fields = ["id", "kind", "content_type", "size", "original_name", "uploaded_at", "url"]

    def get_url(self, obj) -> str:
        prefix = self.context.get("document_prefix", "/api/v1/claims")
        return f"{prefix}/{obj.claim_id}/documents/{obj.pk}/"


class ClaimStepSerializer(ModelSerializer):
    by_member = serializers.SerializerMethodField()

    class Meta:
        model = ClaimStep
        fields = ["id", "action", "message", "at", "by_member"]

    def get_by_member(self, obj) -> bool:
        return obj.actor_id is not None and obj.actor_id == obj.claim.enrolment.member.user_id


class WorkingLineSerializer(Serializer):
    step = serializers.CharField()
    amount_fen = serializers.IntegerField()
    text = serializers.CharField()


class ClaimSerializer(ModelSerializer):
    enrolment = serializers.IntegerField(source="enrolment_id", read_only=True)
    scheme = SchemeBriefSerializer(source="enrolment.scheme", read_only=True)
    insured_name = serializers.CharField(source="enrolment.insured_name", read_only=True)
    bank_account = serializers.CharField(source="bank_account_masked", read_only=True)
    working = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    steps = ClaimStepSerializer(many=True, read_only=True)

    class Meta:
        model = Claim
        fields = ["id", "enrolment", "scheme", "insured_name", "event_type", "event_on", "admission_on",
                  "discharge_on", "diagnosis_on", "accident_on", "injury_class", "illness", "amount_claimed_fen",
                  "eligible_amount_fen", "currency", "bank_name", "bank_account", "status", "suggested_payout_fen",
                  "working", "approved_amount_fen", "decision_reason", "payout_reference", "paid_at", "documents",
                  "steps", "created_at", "updated_at"]

    def get_working(self, obj) -> WorkingLineSerializer(many=True):  # type: ignore[valid-type]
        return [{"step": line.get("step", ""), "amount_fen": int(line.get("amount_fen", 0)),
                 "text": benefits.describe(line)} for line in obj.working or []]

    def get_documents(self, obj) -> ClaimDocumentSerializer(many=True):  # type: ignore[valid-type]
        return ClaimDocumentSerializer(obj.documents.all(), many=True, context=self.context).data


class StaffClaimSerializer(ClaimSerializer):
    member_name = serializers.CharField(source="enrolment.member.real_name", read_only=True)
    member_number = serializers.CharField(source="enrolment.member.member_number", read_only=True)
    shares = serializers.IntegerField(source="enrolment.shares", read_only=True)
    cover_starts_on = serializers.DateField(source="enrolment.cover_starts_on", read_only=True)

    payout_account = serializers.SerializerMethodField(
        help_text="the full account number, only on one approved claim's detail (the payout step); else null")

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "member_name", "member_number", "shares", "cover_starts_on",
                  "payout_account"]

    def get_payout_account(self, obj) -> str | None:
        if self.context.get("payout_step") and obj.status == "approved":
            return obj.bank_account
        return None


class ClaimCreateSerializer(Serializer):
    enrolment = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    event_type = serializers.ChoiceField(choices=EventType.choices)
    admission_on = BoundedDateField(required=False, allow_null=True)
    discharge_on = BoundedDateField(required=False, allow_null=True)
    diagnosis_on = BoundedDateField(required=False, allow_null=True)
    accident_on = BoundedDateField(required=False, allow_null=True)
    injury_class = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    illness = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    amount_claimed_fen = serializers.IntegerField(min_value=1, max_value=MAX_FEN)
    eligible_amount_fen = serializers.IntegerField(min_value=0, max_value=MAX_FEN, required=False, default=0)
    bank_name = serializers.CharField(max_length=100)
    bank_account = serializers.CharField(max_length=40, help_text="digits; shown masked (last 4) afterwards")
    documents = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=10,
                                      help_text="PDF, JPEG or PNG, up to 10 MB each")


class ClaimDocumentsAddSerializer(Serializer):
    documents = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=10)
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CertificateSerializer(Serializer):
    scheme = serializers.CharField()
    organisation = serializers.CharField()
    kind = serializers.CharField()
    term_start = serializers.DateField()
    term_end = serializers.DateField()
    cover_starts_on = serializers.DateField()
    valid = serializers.BooleanField()
    status = serializers.CharField(help_text="valid | not_yet | ended")
    masked_name = serializers.CharField()


class StaffSchemeSerializer(ModelSerializer):
    class Meta:
        model = Scheme
        fields = ["id", "organisation", "title", "description", "kind", "status", "term_years", "term_start",
                  "term_end", "contribution_fen", "currency", "union_funded", "max_shares", "min_age", "max_age",
                  "member_categories", "dependants_allowed", "enrolment_opens_on", "enrolment_closes_on",
                  "waiting_period_days", *BENEFIT_FIELDS, "alert_loss_ratio_percent", "created_at"]
        read_only_fields = ["currency", "created_at"]
        extra_kwargs = {f: {"max_value": MAX_FEN} for f in ("contribution_fen", "per_day_allowance_fen",
                                                            "deductible_fen", "lump_sum_fen", "cap_per_claim_fen",
                                                            "cap_per_term_fen")}


class SchemeFiguresSerializer(Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    term_start = serializers.DateField()
    term_end = serializers.DateField()
    members_covered = serializers.IntegerField()
    contributions_fen = serializers.IntegerField()
    claims_paid_fen = serializers.IntegerField()
    claims_open = serializers.IntegerField()
    loss_ratio = serializers.FloatField(allow_null=True, help_text="claims paid / contributions, in percent")
    alert_loss_ratio_percent = serializers.IntegerField()
    alert = serializers.BooleanField()


class StaffEnrolmentSerializer(EnrolmentSerializer):
    member_name = serializers.CharField(source="member.real_name", read_only=True)
    member_number = serializers.CharField(source="member.member_number", read_only=True)
    union = serializers.CharField(source="member.organisation.name", read_only=True)

    class Meta(EnrolmentSerializer.Meta):
        fields = [*EnrolmentSerializer.Meta.fields, "member_name", "member_number", "union"]


class ApproveSerializer(Serializer):
    amount_fen = serializers.IntegerField(min_value=1, max_value=MAX_FEN, required=False, allow_null=True,
                                          help_text="default: the suggested payout")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReasonBodySerializer(Serializer):
    reason = serializers.CharField(max_length=500)


class MessageBodySerializer(Serializer):
    message = serializers.CharField(max_length=2000)


class PaidBodySerializer(Serializer):
    payout_reference = serializers.CharField(max_length=100)


class ExportQuerySerializer(Serializer):
    file = serializers.ChoiceField(choices=["csv", "xlsx"], default="csv")
