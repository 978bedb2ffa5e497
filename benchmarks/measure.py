"""Run one variant's burst worker over queued jobs and time it from RQ's job timestamps.

Throughput is (jobs - 1) / (started_at of the last job - started_at of the first job).
Between those two timestamps lie jobs - 1 complete cycles, each with one job body and
all of the worker's work between two jobs (result write, dequeue, fork or spawn, job
preparation). Interpreter start, imports and app creation before the first job do not
count, for any variant. The job body is the median of ended_at - started_at: the job
function and its wrapper, without RQ's work before and after.
"""

import statistics
import subprocess
from dataclasses import dataclass

from rq.job import Job
from rq.utils import str_to_date

# Seconds a burst worker may take per queued job before the run is stopped, plus a
# fixed allowance for its start.
TIMEOUT_PER_JOB = 1.0
TIMEOUT_BASE = 120.0


@dataclass(frozen=True)
class Run:
    """One timed burst: how many jobs ran, the seconds from the first start to the last,
    and the median job body in milliseconds."""

    jobs: int
    seconds: float
    body_ms: float

    @property
    def jobs_per_second(self):
        return (self.jobs - 1) / self.seconds

    @property
    def ms_per_job(self):
        return self.seconds / (self.jobs - 1) * 1000


def run_worker(command, project, env, log_path, count):
    """Start `command` in `project` and wait for it to exit. Raises RuntimeError when the
    worker exits with an error, and subprocess.TimeoutExpired when it takes too long."""
    with open(log_path, "a") as log:
        log.write(f"\n$ {' '.join(command)}\n")
        log.flush()
        completed = subprocess.run(
            command,
            cwd=project,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=TIMEOUT_BASE + TIMEOUT_PER_JOB * count,
        )

    if completed.returncode != 0:
        raise RuntimeError(
            f"The worker {command!r} exited with code {completed.returncode}. "
            f"Its output is in {log_path}."
        )


def check_finished(connection, job_ids, log_path):
    """Raise RuntimeError unless every job in `job_ids` has the status 'finished'."""
    with connection.pipeline(transaction=False) as pipeline:
        for job_id in job_ids:
            pipeline.hget(Job.key_for(job_id), "status")
        statuses = pipeline.execute()

    unfinished = [
        (job_id, status)
        for job_id, status in zip(job_ids, statuses, strict=True)
        if status != b"finished"
    ]
    if unfinished:
        job_id, status = unfinished[0]
        raise RuntimeError(
            f"{len(unfinished)} of {len(job_ids)} jobs did not finish; job {job_id} has status "
            f"{status!r}. The worker's output is in {log_path}."
        )


def job_times(connection, job_ids):
    """Return the (started_at, ended_at) datetimes of each job, in the order of `job_ids`."""
    with connection.pipeline(transaction=False) as pipeline:
        for job_id in job_ids:
            pipeline.hmget(Job.key_for(job_id), ["started_at", "ended_at"])
        rows = pipeline.execute()

    return [(str_to_date(started), str_to_date(ended)) for started, ended in rows]


def measure(connection, variant, worker_class, count, project, env, log_path):
    """Empty the benchmark's Redis, queue `count` jobs of `variant`, run its worker, and
    return the Run. Raises ValueError for fewer than 2 jobs."""
    if count < 2:
        raise ValueError(f"count={count!r} is too small: timing needs at least 2 jobs.")

    connection.flushdb()
    job_ids = variant.enqueue(count)
    run_worker(variant.command(worker_class), project, env, log_path, count)
    check_finished(connection, job_ids, log_path)

    times = job_times(connection, job_ids)
    bodies = [(ended - started).total_seconds() * 1000 for started, ended in times]
    return Run(
        jobs=count,
        seconds=(times[-1][0] - times[0][0]).total_seconds(),
        body_ms=statistics.median(bodies),
    )
