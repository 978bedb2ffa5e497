"""Job status endpoint."""

from flask import Blueprint, abort, jsonify
from rq.exceptions import NoSuchJobError
from rq.job import Job

from app.services.queue import SERIALIZER, get_redis

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


@bp.get("/<job_id>")
def show_job(job_id):
    """Report a job's status, and its result or error once it has ended."""
    try:
        job = Job.fetch(job_id, connection=get_redis(), serializer=SERIALIZER)
    except (NoSuchJobError, ValueError):
        abort(404, description=f"No job with id {job_id!r}; it never existed or has expired.")

    body = {"id": job.id, "status": job.get_status().value, "func": job.func_name}

    result = job.latest_result()
    if result is not None and result.type == result.Type.SUCCESSFUL:
        body["result"] = result.return_value
    elif result is not None and result.type == result.Type.FAILED:
        body["error"] = result.exc_string.strip().splitlines()[-1]

    return jsonify(body)
