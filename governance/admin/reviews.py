"""Staff console: reviews. "Add" is a spec upload; a review's page is the review itself: the
changelog grouped by level, each finding's place in both documents side by side, the tenants whose
traffic each breaking change would hit, and the decisions (approve, reject, waive, merge)."""

import json
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from governance import permissions
from governance.models import Api, ApiVersion, Finding, Review, SpecRevision, Waiver
from governance.openapi import SpecError
from governance.services import reviews as review_services
from tenants.admin.staff import staff_principal
from tenants.services.errors import NotAllowed, ServiceError

LEVELS = ("ERR", "WARN", "INFO")
FINDINGS_PER_LEVEL_ON_PAGE = 300
EXCERPT_CHARS = 1500


class SubmitSpecForm(forms.Form):
    version = forms.ModelChoiceField(queryset=ApiVersion.objects.none())
    spec = forms.FileField(label="OpenAPI document", help_text="YAML or JSON.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        owned = permissions.owned_apis(user, Api.objects.all())
        self.fields["version"].queryset = ApiVersion.objects.of_apis(owned).accepting_specs().select_related("api")


class DecisionForm(forms.Form):
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class WaiverForm(forms.Form):
    finding = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 50}))
    expires_at = forms.DateTimeField(help_text="YYYY-MM-DD HH:MM (UTC)")


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "version",
        "status",
        "err_count",
        "warn_count",
        "info_count",
        "submitted_by",
        "created_at",
    )
    list_filter = ("status", "version__state")
    list_select_related = ("version__api", "submitted_by")
    search_fields = ("version__api__slug", "version__version", "submitted_by__email", "=revision__content_hash")
    date_hierarchy = "created_at"

    @admin.display(description="ERR")
    def err_count(self, obj):
        return obj.summary.get("ERR", "—") if obj.summary else "—"

    @admin.display(description="WARN")
    def warn_count(self, obj):
        return obj.summary.get("WARN", "—") if obj.summary else "—"

    @admin.display(description="INFO")
    def info_count(self, obj):
        return obj.summary.get("INFO", "—") if obj.summary else "—"

    def has_delete_permission(self, request, obj=None):
        return False

    # --- add: upload a spec ----------------------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SubmitSpecForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["spec"]
            limit = review_services.max_spec_bytes()
            try:
                if upload.size > limit:
                    raise ValidationError(f"The document is {upload.size} bytes; the limit is {limit} bytes.")
                review = review_services.submit_spec(
                    actor=staff_principal(request),
                    version=form.cleaned_data["version"],
                    document=upload.read(),
                    source=SpecRevision.Source.UPLOAD,
                )
            except ValidationError as exc:
                form.add_error("spec", exc)
            except (NotAllowed, ServiceError, review_services.SpecNotText) as exc:
                form.add_error(None, str(exc.detail))
            else:
                self.message_user(
                    request, f"Review #{review.pk} opened; the engine is analysing the document.", messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:governance_review_change", args=[review.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Submit a spec for review",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/governance/review/submit.html", context)

    # --- change: the review page -----------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        review = get_object_or_404(Review.objects.for_review_page(), pk=object_id)
        if not self.has_view_or_change_permission(request, review):
            raise PermissionDenied
        if request.method == "POST":
            self._handle_decision(request, review)
            return HttpResponseRedirect(request.path)
        return TemplateResponse(request, "admin/governance/review/review.html", self.review_context(request, review))

    def _handle_decision(self, request, review):
        actor = staff_principal(request)
        post = request.POST
        try:
            if "_approve" in post or "_reject" in post:
                form = DecisionForm(post)
                form.is_valid()
                comment = form.cleaned_data.get("comment", "")
                if "_approve" in post:
                    review_services.approve_review(actor=actor, review=review, comment=comment)
                    self.message_user(request, f"Review #{review.pk} approved.", messages.SUCCESS)
                else:
                    review_services.reject_review(actor=actor, review=review, comment=comment)
                    self.message_user(request, f"Review #{review.pk} rejected.", messages.SUCCESS)
            elif "_merge" in post:
                review_services.merge_review(actor=actor, review=review)
                self.message_user(request, f"Review #{review.pk} merged: the revision is published.", messages.SUCCESS)
            elif "_waive" in post:
                form = WaiverForm(post)
                if not form.is_valid():
                    errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
                    self.message_user(request, f"Waiver refused — {errors}", messages.ERROR)
                    return
                finding = get_object_or_404(Finding.objects.of_review(review), pk=form.cleaned_data["finding"])
                review_services.waive_finding(
                    actor=actor,
                    finding=finding,
                    reason=form.cleaned_data["reason"],
                    expires_at=form.cleaned_data["expires_at"],
                )
                self.message_user(request, f"Finding {finding.rule_id} waived.", messages.SUCCESS)
            elif "_revoke_waiver" in post:
                waiver = get_object_or_404(Waiver.objects.of_review(review), pk=post.get("waiver"))
                review_services.revoke_waiver(actor=actor, waiver=waiver)
                self.message_user(request, "Waiver revoked.", messages.SUCCESS)
        except ValidationError as exc:
            self.message_user(request, "Refused — " + " ".join(exc.messages), messages.ERROR)
        except (NotAllowed, ServiceError) as exc:
            self.message_user(request, f"Refused — {exc.detail}", messages.ERROR)

    def review_context(self, request, review):
        now = timezone.now()
        findings = list(review.findings.with_waivers())
        affected = review_services.affected_tenants(review, findings, now=now)
        documents = _Documents(review)
        groups = []
        for level in LEVELS:
            of_level = [f for f in findings if f.level == level]
            rows = []
            for finding in of_level[:FINDINGS_PER_LEVEL_ON_PAGE]:
                waivers = list(finding.waivers.all())
                rows.append(
                    {
                        "finding": finding,
                        "base_excerpt": documents.excerpt("base", finding.base_pointer),
                        "revision_excerpt": documents.excerpt("revision", finding.revision_pointer),
                        "tenants": affected.get(finding.pk, []),
                        "waivers": waivers,
                        "waived": any(w.revoked_at is None and w.expires_at > now for w in waivers),
                    }
                )
            groups.append(
                {
                    "level": level,
                    "rows": rows,
                    "count": len(of_level),
                    "hidden": max(0, len(of_level) - FINDINGS_PER_LEVEL_ON_PAGE),
                }
            )
        user = request.user
        api = review.version.api
        return {
            **self.admin_site.each_context(request),
            "title": f"Review #{review.pk} of {review.version}",
            "review": review,
            "groups": groups,
            "opts": self.model._meta,
            "original": review,
            "can_decide": permissions.reviews_api(user, api),
            "can_merge": permissions.owns_api(user, api),
            "merge_problems": review_services.merge_problems(review, now),
            "decision_form": DecisionForm(),
            "default_waiver_expiry": (now + timedelta(days=30)).strftime("%Y-%m-%d %H:%M"),
            "affected_window_days": review_services.AFFECTED_TRAFFIC_WINDOW.days,
            "documents_error": documents.errors,
        }


class _Documents:
    """Both documents of a review, loaded once with the engine's loader, for excerpts at pointers."""

    def __init__(self, review):
        self.errors = {}
        self.specs = {}
        for role, revision in (("base", review.base_revision), ("revision", review.revision)):
            if revision is None:
                continue
            try:
                self.specs[role] = review_services.load_revision(revision, role)
            except SpecError as exc:
                self.errors[role] = str(exc)

    def excerpt(self, role, pointer):
        """A short, pretty JSON excerpt of the node at `pointer` (None when absent on that side).
        Escaped by the template."""
        spec = self.specs.get(role)
        if spec is None or not pointer:
            return None
        try:
            node = spec.node_at(pointer)
        except (SpecError, RecursionError):
            return None
        try:
            text = json.dumps(node, indent=2, sort_keys=False, default=str, ensure_ascii=False)
        except (TypeError, ValueError, RecursionError):
            text = repr(node)
        if len(text) > EXCERPT_CHARS:
            text = text[:EXCERPT_CHARS] + "\n…"
        return text


@admin.register(Waiver)
class WaiverAdmin(admin.ModelAdmin):
    """Waivers are created on a review's page and revoked here or there; never edited."""

    list_display = ("__str__", "review_link", "reason", "expires_at", "revoked_at", "created_by", "created_at")
    list_filter = ("finding__level",)
    list_select_related = ("finding__review__version__api", "created_by")
    search_fields = ("reason", "finding__rule_id", "finding__review__version__api__slug", "created_by__email")
    fields = ("finding", "reason", "expires_at", "revoked_at", "created_by", "created_at")
    readonly_fields = fields
    actions = ["revoke_waivers"]

    @admin.display(description="review")
    def review_link(self, obj):
        from django.utils.html import format_html

        review = obj.finding.review
        return format_html(
            '<a href="{}">#{}</a>', reverse("admin:governance_review_change", args=[review.pk]), review.pk
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke selected waivers", permissions=["change"])
    def revoke_waivers(self, request, queryset):
        actor = staff_principal(request)
        done = 0
        for waiver in queryset:
            try:
                review_services.revoke_waiver(actor=actor, waiver=waiver)
                done += 1
            except NotAllowed as exc:
                self.message_user(request, f"{waiver}: refused — {exc.detail}", messages.ERROR)
        if done:
            self.message_user(request, f"Revoked {done} waiver(s).", messages.SUCCESS)
