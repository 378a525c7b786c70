#!/bin/sh
# One entrypoint, one role per process: web | worker | beat | migrate (platform/README.md).
# The container image runs it (platform/docker/Dockerfile: ENTRYPOINT, the role as CMD), and so do
# platform/Procfile (`make prod`) and platform/compose.yaml. Each role waits for the database where
# it needs it, then execs its process, so the process is PID 1's direct child (or PID 1) and
# receives SIGTERM itself: gunicorn finishes in-flight requests, a Celery worker finishes (or hands
# back) its current task, beat releases its lock.
#
# Environment: PYTHON (default: python on PATH), DATABASE_WAIT_SECONDS (60), WORKER_QUEUES
# (default,notices,usage), WORKER_CONCURRENCY (2), LOG_LEVEL (INFO); gunicorn reads its own
# (platform/gunicorn.conf.py). Exit status 64 (EX_USAGE) for an unknown role.
set -eu

role="${1:-}"
python="${PYTHON:-python}"

# Relative paths below (manage.py, platform/gunicorn.conf.py) are the project's: run from its root
# whatever the caller's working directory.
cd "$(dirname "$0")/../.."

wait_for_database() {
  "$python" manage.py wait_for_database --timeout "${DATABASE_WAIT_SECONDS:-60}"
}

case "$role" in
  web)
    wait_for_database
    exec gunicorn --config platform/gunicorn.conf.py config.wsgi:application
    ;;
  worker)
    # Named queues (config/settings.py CELERY_TASK_ROUTES): run the slow "reviews" queue in a worker
    # of its own so a long analysis never holds up notices, webhooks and usage flushes.
    queues="${WORKER_QUEUES:-default,notices,usage}"
    wait_for_database
    exec celery --app config worker --queues "$queues" --concurrency "${WORKER_CONCURRENCY:-2}" \
      --hostname "worker-$(echo "$queues" | tr ',' '-')@%h" --loglevel "${LOG_LEVEL:-INFO}" \
      --without-gossip --without-mingle
    ;;
  beat)
    # Exactly one beat fires schedules: config/beat.py holds a Redis lock; a second beat waits.
    wait_for_database
    exec celery --app config beat --loglevel "${LOG_LEVEL:-INFO}" --pidfile=
    ;;
  migrate)
    wait_for_database
    exec "$python" manage.py migrate --noinput
    ;;
  *)
    echo "usage: entrypoint.sh web|worker|beat|migrate (got '${role}')" >&2
    exit 64
    ;;
esac
