"""Run the rendered project's worker over many jobs and sample its resources as it goes."""

from rq.job import Job
from rq.serializers import JSONSerializer

from .measure import check_finished, run_worker
from .project import user_id_for


def queue_long_run(app, total, sample_every, of_parent):
    """Queue `total` read jobs with a resource sample job before the first and after every
    `sample_every` of them. Returns all job ids and the (jobs done, sample job id) pairs.

    One more read job goes first, so that the first sample already counts the database
    connection that the pool keeps open.
    """
    from app.services.queue import queue_job

    job_ids, samples = [], []
    with app.app_context():
        job_ids.append(queue_job("bench_read_user_job", user_id=user_id_for(0)).id)
        for number in range(total + 1):
            if number % sample_every == 0 or number == total:
                sample = queue_job("bench_worker_resources_job", of_parent=of_parent)
                samples.append((number, sample.id))
                job_ids.append(sample.id)
            if number < total:
                job_ids.append(queue_job("bench_read_user_job", user_id=user_id_for(number)).id)

    return job_ids, samples


def long_run(connection, app, variant, worker_class, total, project, env, log_path):
    """Run `total` jobs through the template's worker and return its resource samples.

    Under the forking Worker the samples are of the parent process, read by each horse.
    """
    sample_every = max(1, total // 10)
    connection.flushdb()
    job_ids, samples = queue_long_run(app, total, sample_every, worker_class == "Worker")
    run_worker(variant.command(worker_class), project, env, log_path, len(job_ids))
    check_finished(connection, job_ids, log_path)

    process = "parent" if worker_class == "Worker" else "worker"
    results = []
    for jobs_done, job_id in samples:
        job = Job.fetch(job_id, connection=connection, serializer=JSONSerializer)
        results.append({"jobs": jobs_done, "process": process, **job.return_value()})

    return results
