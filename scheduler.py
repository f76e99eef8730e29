"""``vahti run``: the scheduler daemon, unattended for years.

APScheduler 3.11 with its SQLAlchemy job store in vahti's own database (table
``apscheduler_jobs``): one job per site (interval or cron, with jitter) and one for
alert delivery. Jobs use ``coalesce=True``, ``max_instances=1`` and a misfire grace
of hours: a run missed while the daemon was down is made up once at start.

The order at start matters. The scheduler starts *paused* first, then a site's
job is added only when it is missing (or re-timed when its schedule changed in the
configuration, or removed when the site left it): adding jobs with
``replace_existing=True`` before ``start()`` would overwrite the saved next-run time
and lose the missed run. Then the scheduler resumes.

SIGTERM and SIGINT stop it gracefully and within seconds whatever a site does: the
stop ends every wait of a crawl (its turn at the host, a retry's backoff), pages in
hand are finished and committed, the crawl is recorded as interrupted, exit 0. A run
that comes due while the site's last crawl still runs is skipped with one clear log
line (APScheduler's own repeated warning is not passed on).
Two daemons on one database never crawl the same site at once (a lease per site in
the database); the second one is a hot standby.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from dataclasses import dataclass, field
from types import FrameType

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, JobSubmissionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from storage.store import Store
from vahti.clock import utcnow
from vahti.config import JOBS_TABLE, Config, SiteConfig
from vahti.errors import ConfigError

log = logging.getLogger("vahti.scheduler")

MISFIRE_GRACE = dt.timedelta(hours=6)
DELIVER_EVERY = dt.timedelta(minutes=1)
MAX_JITTER = dt.timedelta(minutes=5)


@dataclass
class Daemon:
    """The running daemon: its configuration, store, and stop signal (read by the jobs)."""

    config: Config
    store: Store
    stop: threading.Event = field(default_factory=threading.Event)
    deliver_every: dt.timedelta = DELIVER_EVERY

    def site(self, url: str) -> SiteConfig | None:
        return next((s for s in self.config.sites if s.url == url), None)


_DAEMON: Daemon | None = None  # the jobs find their daemon here (APScheduler stores jobs by reference)


def trigger_for(site: SiteConfig) -> BaseTrigger:
    if site.cron:
        try:
            return CronTrigger.from_crontab(site.cron, timezone=dt.timezone.utc)
        except ValueError as exc:
            raise ConfigError(f"{site.url}: not a cron line: {site.cron!r} ({exc})") from exc
    interval = site.interval or dt.timedelta(hours=6)
    jitter = min(interval * 0.1, MAX_JITTER).total_seconds()
    return IntervalTrigger(seconds=interval.total_seconds(), jitter=int(jitter) or None, timezone=dt.timezone.utc)


def crawl_job(site_url: str) -> None:
    """A site's scheduled crawl (then the alerts it produced)."""
    from vahti.app.runner import run_site

    daemon = _DAEMON
    if daemon is None or daemon.stop.is_set():
        return
    site = daemon.site(site_url)
    if site is None:
        log.warning("no site %s in the configuration any more; its job goes at the next restart", site_url)
        return
    run_site(site, daemon.store, stop=daemon.stop)
    if not daemon.stop.is_set():
        report_job()
        deliver_job()


_REPORT_BUILD = threading.Lock()


def report_job() -> None:
    """Rebuild the web report after a crawl, when ``[report] out`` is set (one build at a time: a crawl
    that ends while another's build runs leaves it to that one or to the next crawl)."""
    from vahti.app.report import build_configured

    daemon = _DAEMON
    if daemon is None or not daemon.config.report.out:
        return
    if not _REPORT_BUILD.acquire(blocking=False):
        log.info("report rebuild skipped: another is running")
        return
    try:
        result = build_configured(daemon.store, daemon.config.report)
        log.info("report rebuilt: %d pages, %d measures, in %s", result.stats.pages, result.measures,
                 daemon.config.report.out, extra={"pages": result.stats.pages, "measures": result.measures})
    except Exception:  # noqa: BLE001 - the crawl's data is stored; the next crawl tries again
        log.exception("rebuilding the report in %s failed", daemon.config.report.out)
    finally:
        _REPORT_BUILD.release()


def deliver_job() -> None:
    """Send the alerts that are due."""
    from vahti.app.delivery import delivery_round

    daemon = _DAEMON
    if daemon is None:
        return
    try:
        report = delivery_round(daemon.store, daemon.config)
    except Exception:  # noqa: BLE001 - the next round tries again
        log.exception("alert delivery round failed")
        return
    if report.sent or report.failed or report.retrying:
        log.info("alerts: %d sent, %d to retry, %d failed", len(report.sent), len(report.retrying),
                 len(report.failed), extra={"sent": len(report.sent), "retrying": len(report.retrying),
                                            "failed": len(report.failed)})


def sync_jobs(scheduler: BackgroundScheduler, daemon: Daemon) -> dict[str, str]:
    """Make the stored jobs match the configuration without touching due times that still hold."""
    done: dict[str, str] = {}
    wanted = {f"crawl:{s.url}": s for s in daemon.config.sites}
    for job in scheduler.get_jobs():
        if job.id.startswith("crawl:") and job.id not in wanted:
            scheduler.remove_job(job.id)
            done[job.id] = "removed"
    for job_id, site in wanted.items():
        trigger = trigger_for(site)
        job = scheduler.get_job(job_id)
        if job is None:
            scheduler.add_job(crawl_job, trigger, args=[site.url], id=job_id, name=f"crawl {site.url}",
                              next_run_time=utcnow())
            done[job_id] = "added"
        elif str(job.trigger) != str(trigger):
            scheduler.reschedule_job(job_id, trigger=trigger)
            done[job_id] = "re-timed"
        else:
            done[job_id] = "kept"
    if scheduler.get_job("deliver") is None:
        scheduler.add_job(deliver_job, IntervalTrigger(seconds=daemon.deliver_every.total_seconds(),
                                                       timezone=dt.timezone.utc), id="deliver", name="deliver alerts")
    return done


class _Quiet(logging.Filter):
    """APScheduler's lines that vahti says better (a skipped run) or that only tell of the stop itself."""

    def __init__(self, daemon: Daemon) -> None:
        super().__init__()
        self.daemon = daemon

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "maximum number of running instances reached" in message:
            return False
        return not (self.daemon.stop.is_set() and "Error submitting job" in message)


def _skipped(event: JobSubmissionEvent) -> None:
    log.info("run of %s skipped: its previous crawl is still running", event.job_id, extra={"job": event.job_id})


def make_scheduler(daemon: Daemon) -> BackgroundScheduler:
    quiet = _Quiet(daemon)
    for name in ("apscheduler.scheduler", "apscheduler.executors.default"):
        logging.getLogger(name).addFilter(quiet)
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=daemon.store.engine, tablename=JOBS_TABLE,
                                                 pickle_protocol=4)},
        executors={"default": ThreadPoolExecutor(max(2, len(daemon.config.sites) + 1))},
        job_defaults={"coalesce": True, "max_instances": 1,
                      "misfire_grace_time": int(MISFIRE_GRACE.total_seconds())},
        timezone=dt.timezone.utc,
    )
    scheduler.add_listener(_skipped, EVENT_JOB_MAX_INSTANCES)
    return scheduler


def run(config: Config, store: Store, *, install_signals: bool = True) -> int:
    """Run until SIGTERM or SIGINT; return the exit code."""
    global _DAEMON
    daemon = Daemon(config, store)
    _DAEMON = daemon
    if install_signals:
        def stop(signum: int, _frame: FrameType | None) -> None:
            log.info("stopping on %s: finishing the pages in flight", signal.Signals(signum).name)
            daemon.stop.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    scheduler = make_scheduler(daemon)
    scheduler.start(paused=True)
    try:
        changes = sync_jobs(scheduler, daemon)
        for job_id, what in changes.items():
            log.info("job %s: %s", job_id, what)
        for job in scheduler.get_jobs():
            log.info("next run of %s: %s", job.id, job.next_run_time.isoformat() if job.next_run_time else "-")
        scheduler.resume()
        daemon.stop.wait()
    finally:
        daemon.stop.set()
        scheduler.pause()  # nothing new starts while we wait
        scheduler.shutdown(wait=True)  # running crawls see the stop flag and finish their pages
        _DAEMON = None
    log.info("stopped")
    return 0
