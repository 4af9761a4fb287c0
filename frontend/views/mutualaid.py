"""Member pages of mutual aid: the schemes with eligibility and price, enrolling (self or a dependant) and paying,
my cover with printable certificates, the public certificate check, and claims from a phone with their timeline.

Every rule comes from mutualaid.selectors / mutualaid.services (the same ones the API calls); views only shape
pages. A claim, an enrolment or a document that is not the member's is a 404 (the selectors say NotFound).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from bookings.selectors import member_for
from mutualaid import selectors, services
from mutualaid.models import ClaimStatus, EnrolmentStatus
from portal.errors import Conflict, NotPermitted
from portal.members.selectors import dependant_list, member_require
from portal.qr import qr_svg
from portal.uploads import private_file_response

from ..forms import apply_service_errors
from ..mutualaid_forms import ClaimDocumentsForm, ClaimForm, EnrolForm, MemberSchemeFilter
from ..utils import page_filters

SECTION = "mutualaid"


def _payment(enrolment):
    try:
        return enrolment.payment
    except ObjectDoesNotExist:
        return None


def scheme_list(request):
    """Open schemes with the price per share and, for a signed-in member, who of the family may enrol (or why
    not)."""
    filters = MemberSchemeFilter(request.GET or None)
    values = page_filters(request, filters) if filters.is_bound else {}
    shares = values.get("shares")
    member = member_for(request.user)
    schemes = list(selectors.scheme_list_for_member(kind=values.get("kind") or None))
    verdicts = selectors.scheme_verdicts(member=member, schemes=schemes, shares=shares)
    return render(request, "frontend/mutualaid/schemes.html", {
        "section": SECTION, "member": member, "form": filters.form, "shares": shares,
        "rows": [{"scheme": s, "verdicts": verdicts.get(s.pk, []), "total_fen": s.price_fen(shares) if shares
                  else None, "can_enrol": any(v.verdict.eligible for v in verdicts.get(s.pk, []))} for s in schemes],
    })


@login_required
def scheme_enrol(request, pk: int):
    """Who is insured and how many shares, with the price; POST enrols through mutualaid.services and goes on to
    the payment page (or straight to the certificate when the union pays)."""
    scheme = selectors.scheme_get_for_member(scheme_id=pk)
    member = member_for(request.user)  # a staff account without a member profile may still read the page
    dependants = list(dependant_list(user=request.user)) if member is not None else []
    form = EnrolForm(request.POST or None, scheme=scheme, member=member, dependants=dependants)
    verdicts = selectors.scheme_verdicts(member=member, schemes=[scheme]).get(scheme.pk, [])
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            member = member_require(user=request.user)
            dependant = form.dependant
            try:
                enrolment = services.enrolment_create(
                    member=member, scheme_id=scheme.pk, shares=form.cleaned_data["shares"],
                    dependant_id=dependant.pk if dependant is not None else None)
            except ValidationError as exc:
                apply_service_errors(form, _on_form_fields(exc))
            except (Conflict, NotPermitted) as exc:
                form.add_error(None, exc.detail)
                status = exc.status_code
            else:
                return _after_enrolment(request, enrolment)
    return render(request, "frontend/mutualaid/enrol.html", {
        "section": SECTION, "scheme": scheme, "form": form, "verdicts": verdicts,
        "can_enrol": any(v.verdict.eligible for v in verdicts),
    }, status=status)


def _on_form_fields(exc: ValidationError) -> ValidationError:
    """The service names the insured person `insured` (API field); so does the form. Other names pass through."""
    if hasattr(exc, "error_dict"):
        renamed = {("insured" if k in ("dependant", "dependant_id", "insured_dependant") else k): v
                   for k, v in exc.error_dict.items()}
        return ValidationError(renamed)
    return exc


def _after_enrolment(request, enrolment):
    payment = _payment(enrolment)
    if enrolment.status == EnrolmentStatus.PENDING_PAYMENT and payment is not None:
        messages.success(request, _("Enrolment recorded. Pay the contribution to start the cover."))
        return redirect("frontend:payment_pay", pk=payment.pk)
    if enrolment.status == EnrolmentStatus.ACTIVE:
        messages.success(request, _("Enrolled. Cover starts on %(day)s.") % {
            "day": enrolment.cover_starts_on.isoformat()})
    else:
        messages.success(request, _("Enrolment recorded."))
    return redirect("frontend:aid_certificate", pk=enrolment.pk)


@login_required
def my_aid(request):
    """My cover (enrolments with certificates and payments) and my claims with their status."""
    member = member_for(request.user)
    enrolments, claims = [], []
    if member is not None:
        enrolments = list(selectors.enrolment_list(member=member))
        claims = list(selectors.claim_list(member=member))
    return render(request, "frontend/mutualaid/mine.html", {
        "section": SECTION, "member": member, "enrolments": enrolments, "claims": claims,
        "can_claim": any(e.status in (EnrolmentStatus.ACTIVE, EnrolmentStatus.EXPIRED) for e in enrolments),
    })


@login_required
def enrolment_certificate(request, pk: int):
    """The printable certificate: scheme, term, cover dates, insured person, and a QR code that opens the public
    verification page."""
    enrolment = selectors.enrolment_get(member=member_require(user=request.user), enrolment_id=pk)
    verify_url = request.build_absolute_uri(reverse("frontend:aid_verify", args=[enrolment.certificate_code]))
    covering = enrolment.status in (EnrolmentStatus.ACTIVE, EnrolmentStatus.EXPIRED)
    return render(request, "frontend/mutualaid/certificate.html", {
        "section": SECTION, "enrolment": enrolment, "scheme": enrolment.scheme, "payment": _payment(enrolment),
        "verify_url": verify_url, "qr": qr_svg(verify_url) if covering else None,
    })


def certificate_verify(request, code: str):
    """Public: is this certificate valid? Shows the scheme, the term, validity and a masked name; nothing else."""
    certificate = selectors.certificate_verify(code=code)
    response = render(request, "frontend/mutualaid/verify.html", {"section": SECTION, "certificate": certificate})
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _claimable(member):
    return [e for e in selectors.enrolment_list(member=member)
            if e.status in (EnrolmentStatus.ACTIVE, EnrolmentStatus.EXPIRED)]


@login_required
def claim_create(request):
    """A claim from a phone: the cover, what happened and when, the amounts, the payout account, and photos or
    files of the documents."""
    member = member_require(user=request.user)
    enrolments = _claimable(member)
    form = ClaimForm(request.POST or None, request.FILES or None, enrolments=enrolments,
                     initial={"enrolment": request.GET.get("enrolment", "")})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                claim = services.claim_submit(member=member, enrolment_id=form.cleaned_data["enrolment"],
                                              documents=form.all_files(), **form.service_data())
            except ValidationError as exc:
                apply_service_errors(form, _claim_fields(exc))
            except (Conflict, NotPermitted) as exc:
                form.add_error(None, exc.detail)
                status = exc.status_code
            else:
                messages.success(request, _("Claim submitted. We will tell you each step of the review."))
                return redirect("frontend:aid_claim_detail", pk=claim.pk)
    return render(request, "frontend/mutualaid/claim_form.html", {
        "section": SECTION, "form": form, "enrolments": enrolments}, status=status)


# Service and API field names -> the form's (amounts are typed in yuan; documents come from two inputs).
_CLAIM_FIELDS = {"amount_claimed_fen": "amount_claimed_yuan", "eligible_amount_fen": "eligible_amount_yuan",
                 "enrolment_id": "enrolment", "event_on": "event_type"}


def _claim_fields(exc: ValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    renamed: dict = {}
    for name, errors in exc.error_dict.items():
        key = _CLAIM_FIELDS.get(name, "documents" if name.startswith(("documents", "files", "file")) else name)
        renamed.setdefault(key, []).extend(errors)
    return ValidationError(renamed)


@login_required
def claim_detail(request, pk: int):
    """The claim's status as a timeline with every message; more documents can be sent while it is open."""
    member = member_require(user=request.user)
    claim = selectors.claim_get(member=member, claim_id=pk)
    form = ClaimDocumentsForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if claim.status not in (ClaimStatus.SUBMITTED, ClaimStatus.MORE_INFO):
            form.add_error(None, _("This claim has been decided; no more documents can be added."))
        elif form.is_valid():
            if not form.all_files():
                form.add_error("documents", _("Choose at least one file or take a photo."))
            else:
                try:
                    services.claim_documents_add(member=member, claim_id=claim.pk, documents=form.all_files(),
                                                 message=form.cleaned_data["message"])
                except ValidationError as exc:
                    apply_service_errors(form, _claim_fields(exc))
                except Conflict as exc:
                    form.add_error(None, exc.detail)
                    status = exc.status_code
                else:
                    messages.success(request, _("Documents sent. The reviewer has been told."))
                    return redirect("frontend:aid_claim_detail", pk=claim.pk)
    return render(request, "frontend/mutualaid/claim_detail.html", {
        "section": SECTION, "claim": claim, "enrolment": claim.enrolment, "form": form,
        "steps": list(claim.steps.all()), "documents": list(claim.documents.all()),
        "open": claim.status in (ClaimStatus.SUBMITTED, ClaimStatus.MORE_INFO),
    }, status=status)


@login_required
def claim_document(request, pk: int, doc: int):
    """One of the member's own claim documents, served privately (never under a public URL)."""
    document = selectors.claim_document_get(member=member_require(user=request.user), claim_id=pk,
                                            document_id=doc)
    return private_file_response(document.file.name, download_name=document.original_name or f"document-{doc}")
