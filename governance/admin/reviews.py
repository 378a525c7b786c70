"""Staff console: reviews. "Add" is a spec upload; a review's page is the review itself: counts per
level, then each change once (a ChangeGroup: ERR first), its occurrences behind a toggle, both
documents at its origin side by side, the tenants whose traffic a breaking change would hit, and the
decisions (approve, reject, waive a change, merge). 100 changes a page: Stripe's six months are ~700
changes in ~73,000 findings, and the page reads only the rows it shows."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from governance import permissions
from governance.models import Api, ApiVersion, ChangeGroup, Finding, Review, SpecRevision, Waiver
from governance.services import reviews as review_services
from tenants.admin.staff import staff_principal
from tenants.services.errors import NotAllowed, ServiceError

LEVELS = ("ERR", "WARN", "INFO")
GROUPS_PER_PAGE = 100
# What a page of 100 changes shows of each, so that Stripe's six months weigh under 300 KB: a few
# occurrences (Stripe: up to 8,460 a change, each naming a property path of up to ~1 KB), shortened,
# and shorter excerpts. `?group=<key>`, the page of one change, shows them in full.
OCCURRENCES_SHOWN = 3
OCCURRENCE_CHARS = 200
EXCERPT_CHARS = 700
OCCURRENCES_OF_ONE_GROUP = 2000


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
    group = forms.IntegerField(required=False, widget=forms.HiddenInput)
    finding = forms.IntegerField(required=False, widget=forms.HiddenInput)  # waives its group
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
                reason, expires_at = form.cleaned_data["reason"], form.cleaned_data["expires_at"]
                if form.cleaned_data["group"] is not None:
                    group = get_object_or_404(ChangeGroup.objects.of_review(review), pk=form.cleaned_data["group"])
                    review_services.waive_group(actor=actor, group=group, reason=reason, expires_at=expires_at)
                else:
                    finding = get_object_or_404(Finding.objects.of_review(review), pk=form.cleaned_data["finding"])
                    waiver = review_services.waive_finding(
                        actor=actor, finding=finding, reason=reason, expires_at=expires_at
                    )
                    group = waiver.group
                self.message_user(
                    request,
                    f"Change {group.rule} waived ({group.occurrences} occurrence{'s' if group.occurrences != 1 else ''}).",
                    messages.SUCCESS,
                )
            elif "_revoke_waiver" in post:
                waiver = get_object_or_404(Waiver.objects.covering(review), pk=post.get("waiver"))
                review_services.revoke_waiver(actor=actor, waiver=waiver)
                self.message_user(request, "Waiver revoked.", messages.SUCCESS)
        except ValidationError as exc:
            self.message_user(request, "Refused — " + " ".join(exc.messages), messages.ERROR)
        except (NotAllowed, ServiceError) as exc:
            self.message_user(request, f"Refused — {exc.detail}", messages.ERROR)

    def review_context(self, request, review):
        """A fixed number of queries whatever the number of groups and findings: the counts, one
        page of groups, their first occurrences, their waivers and the tenants they hit."""
        now = timezone.now()
        groups = review.groups.all()
        one_group = request.GET.get("group", "")
        shown_occurrences = OCCURRENCES_OF_ONE_GROUP if one_group else OCCURRENCES_SHOWN
        counts = groups.counts_by_level()
        listed = groups.with_waived(now).order_by("position")
        paginator = Paginator(listed.filter(group_key=one_group) if one_group else listed, GROUPS_PER_PAGE)
        if not one_group:
            paginator.count = sum(row["groups"] for row in counts.values())  # known: spares a COUNT
        page = paginator.get_page(request.GET.get("page"))
        shown = list(page.object_list)
        occurrences = _first_occurrences(shown, shown_occurrences)
        waivers = _covering_waivers(review, shown)
        affected = review_services.affected_tenants_of_groups(review, shown, now=now)
        sections = []
        for level in LEVELS:
            rows = [
                {
                    "group": group,
                    "occurrences": occurrences.get(group.pk, []),
                    "hidden": max(0, group.occurrences - shown_occurrences),
                    "tenants": affected.get(group.pk, []),
                    "waivers": waivers.get(group.group_key, []),
                }
                for group in shown
                if group.level == level
            ]
            count = counts.get(level, {})
            sections.append(
                {"level": level, "rows": rows, "groups": count.get("groups", 0), "findings": count.get("findings", 0)}
            )
        user = request.user
        api = review.version.api
        return {
            **self.admin_site.each_context(request),
            "title": f"Review #{review.pk} of {review.version}",
            "review": review,
            "sections": sections,
            "page": page,
            "one_group": one_group,
            "occurrence_chars": 100_000 if one_group else OCCURRENCE_CHARS,
            "excerpt_chars": 100_000 if one_group else EXCERPT_CHARS,
            "opts": self.model._meta,
            "original": review,
            "can_decide": permissions.reviews_api(user, api),
            "can_merge": permissions.owns_api(user, api),
            "merge_problems": review_services.merge_problems(review, now),
            "decision_form": DecisionForm(),
            "default_waiver_expiry": (now + timedelta(days=30)).strftime("%Y-%m-%d %H:%M"),
            "affected_window_days": review_services.AFFECTED_TRAFFIC_WINDOW.days,
        }


def _first_occurrences(groups, limit: int) -> dict[int, list[Finding]]:
    """The first `limit` findings of each group, in one query (a window per group)."""
    by_group: dict[int, list[Finding]] = {}
    for finding in Finding.objects.first_of_groups(groups, limit):
        if finding.group_id is not None:  # always: filtered on the groups
            by_group.setdefault(finding.group_id, []).append(finding)
    return by_group


def _covering_waivers(review, groups) -> dict[str, list[Waiver]]:
    """Every waiver (active or not) made on these changes in this review or an earlier one of the version."""
    by_key: dict[str, list[Waiver]] = {}
    for waiver in Waiver.objects.covering(review, groups).select_related("created_by", "group").order_by("-created_at"):
        by_key.setdefault(waiver.group_key, []).append(waiver)
    return by_key


@admin.register(Waiver)
class WaiverAdmin(admin.ModelAdmin):
    """Waivers are created on a review's page and revoked here or there; never edited."""

    list_display = ("__str__", "review_link", "reason", "expires_at", "revoked_at", "created_by", "created_at")
    list_filter = ("group__level",)
    list_select_related = ("group", "finding__review__version__api", "version__api", "created_by")
    search_fields = ("reason", "group_key", "group__rule", "version__api__slug", "created_by__email")
    fields = (
        "group",
        "group_key",
        "version",
        "finding",
        "reason",
        "expires_at",
        "revoked_at",
        "created_by",
        "created_at",
    )
    readonly_fields = fields
    actions = ["revoke_waivers"]

    @admin.display(description="review")
    def review_link(self, obj):
        from django.utils.html import format_html

        review_id = obj.group.review_id if obj.group is not None else obj.finding.review_id
        return format_html(
            '<a href="{}">#{}</a>', reverse("admin:governance_review_change", args=[review_id]), review_id
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
