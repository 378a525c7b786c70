"""Benchmark: the staff review page and the review API for the real-world six-month pairs.

Per pair (../shared/corpus/realworld, Stripe 2023-03-01 -> 2023-09-06 first): the engine task
(analyse_review: load, diff, store groups and findings), then the review page (first page of 100
changes), one change alone (`?group=`, the largest) and the review API resource, each requested
`--repeat` times through Django's test client (no socket; DEBUG off): the median and best time, the
response size and the number of queries. The goal is under 1 s and under 300 KB for the page.

    .venv/bin/python benchmarks/review_page.py [--repeat 5] [--pair stripe|openai|github]

Needs PostgreSQL (DATABASE_URL, default the local one); uses its own database (<name>_reviewbench,
e.g. console_reviewbench), migrated on first use; each run removes the API it created. Prints the
figures and writes benchmarks/results/review_page.json. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus" / "realworld"
RESULTS = ROOT / "benchmarks" / "results" / "review_page.json"
PAIRS = {
    "stripe": ("stripe/2023-03-01.yaml", "stripe/2023-09-06.yaml"),
    "github": ("github/2021-03-29.json", "github/2021-09-29.json"),
    "openai": ("openai/2026-05-13.yaml", "openai/2026-08-13.yaml"),
}
PAGE_GOAL_SECONDS, PAGE_GOAL_BYTES = 1.0, 300_000

BASE_DB = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/console")
_DB_NAME = re.search(r"/([^/?]*)(?:\?.*)?$", BASE_DB)
BENCH_DB_NAME = (_DB_NAME.group(1) if _DB_NAME else "console") + "_reviewbench"
os.environ.update(
    {
        "DATABASE_URL": re.sub(r"/[^/?]*(\?.*)?$", "/" + BENCH_DB_NAME, BASE_DB),
        "CELERY_BROKER_URL": "memory://",
        "DEBUG": "false",
        "SECRET_KEY": "bench-secret-key-not-for-production-0123456789abcdefghijklmnop",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "ERROR",
    }
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def ensure_database() -> None:
    import psycopg

    admin_url = re.sub(r"/[^/?]*(\?.*)?$", "/postgres", BASE_DB)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB_NAME]).fetchone():
            conn.execute(f'CREATE DATABASE "{BENCH_DB_NAME}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True, env={**os.environ}
    )


SAVE_DIR: Path | None = None  # --save: where the responses go, to see what weighs


def timed_requests(client, url: str, repeat: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, size, queries = [], 0, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"review_page: {url} answered {response.status_code}")
        size, queries = len(response.content), len(captured)
    if SAVE_DIR is not None:
        SAVE_DIR.mkdir(parents=True, exist_ok=True)
        (SAVE_DIR / (re.sub(r"[^A-Za-z0-9]+", "_", url).strip("_") + ".html")).write_bytes(response.content)
    return {
        "url": url,
        "median_s": round(statistics.median(times), 4),
        "best_s": round(min(times), 4),
        "bytes": size,
        "queries": queries,
    }


def remove_api(slug: str) -> None:
    """The benchmark's API and everything under it (versions protect their API)."""
    from governance.models import Api, ApiVersion, Review, SpecRevision, Waiver

    Waiver.objects.filter(version__api__slug=slug).delete()
    Review.objects.filter(version__api__slug=slug).delete()  # its groups and findings cascade
    ApiVersion.objects.filter(api__slug=slug).update(published_revision=None)
    SpecRevision.objects.filter(version__api__slug=slug).delete()
    ApiVersion.objects.filter(api__slug=slug).delete()
    Api.objects.filter(slug=slug).delete()


def run_pair(name: str, repeat: int) -> dict[str, Any]:
    from django.db import transaction
    from django.test import Client
    from rest_framework.test import APIClient

    from governance.models import Api, ApiVersion, LifecycleState, Review, SpecRevision
    from governance.services import reviews as review_services
    from tenants.models import User
    from tenants.principal import Principal

    base_name, revision_name = PAIRS[name]
    base, revision = (CORPUS / base_name).read_bytes(), (CORPUS / revision_name).read_bytes()
    slug = f"bench-{name}"
    remove_api(slug)
    api = Api.objects.create(slug=slug, name=f"Bench {name}")
    version = ApiVersion.objects.create(api=api, version="v1", base_path=f"/{slug}/v1", state=LifecycleState.ACTIVE)
    version.published_revision = SpecRevision.objects.create(
        version=version,
        document=base.decode(),
        content_hash="bench",
        size=len(base),
        source=SpecRevision.Source.CLI,
    )
    version.save(update_fields=["published_revision"])
    with transaction.atomic():
        review = review_services.submit_spec(
            actor=Principal.system(), version=version, document=revision, source=SpecRevision.Source.CLI
        )
    start = time.perf_counter()
    review_services.analyse_review(review_id=review.pk)
    analyse_s = time.perf_counter() - start
    review = Review.objects.get(pk=review.pk)

    user = User.objects.create(email=f"bench-{name}-{review.pk}@platform.test", is_staff=True, is_superuser=True)
    client, api_client = Client(), APIClient()
    client.force_login(user)
    api_client.force_login(user)
    page_url = f"/admin/governance/review/{review.pk}/change/"
    largest = review.groups.order_by("-occurrences").first()
    try:
        result = {
            "pair": f"{base_name} -> {revision_name}",
            "findings": review.findings.count(),
            "groups": review.groups.count(),
            "group_levels": review.summary.get("groups", {}),
            "analyse_s": round(analyse_s, 2),
            "page": timed_requests(client, page_url, repeat),
            "page_2": timed_requests(client, page_url + "?page=2", repeat),
            "one_group": timed_requests(client, f"{page_url}?group={largest.group_key}", repeat) if largest else None,
            "api": timed_requests(api_client, f"/api/v1/apis/{slug}/versions/v1/reviews/{review.pk}/", repeat),
        }
    finally:
        remove_api(slug)
        user.delete()
    result["page_within_goal"] = (
        result["page"]["median_s"] < PAGE_GOAL_SECONDS and result["page"]["bytes"] < PAGE_GOAL_BYTES
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pair", choices=sorted(PAIRS), action="append")
    parser.add_argument("--save", type=Path, help="write each response into this directory")
    args = parser.parse_args()
    global SAVE_DIR
    SAVE_DIR = args.save
    ensure_database()
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    # Static URLs without collectstatic's manifest: the page's weight, not the deployment's state.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        results = [run_pair(name, args.repeat) for name in args.pair or ["stripe", "openai"]]
    for r in results:
        print(f"{r['pair']}: {r['findings']:,} findings in {r['groups']:,} changes; analysed in {r['analyse_s']} s")
        for part in ("page", "page_2", "one_group", "api"):
            figures = r[part]
            if figures:
                print(
                    f"  {part:<9} median {figures['median_s'] * 1000:7.1f} ms (best {figures['best_s'] * 1000:.1f})"
                    f"  {figures['bytes'] / 1000:8.1f} KB  {figures['queries']} queries"
                )
        print(f"  page under 1 s and 300 KB: {r['page_within_goal']}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"repeat": args.repeat, "results": results}, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
