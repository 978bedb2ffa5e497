"""Jobs that tests run to look at the state one job leaves for the next."""

from flask import g

from app.extensions import db
from app.models import User
from app.services.registry import background_job


@background_job(retries=0)
def leave_state_behind_job(email: str, fail: bool) -> dict:
    """Set `g`, add a user without committing it, and raise if `fail`."""
    g.left_by_previous_job = email
    db.session.add(User(email=email, name="never committed"))
    db.session.flush()

    if fail:
        raise RuntimeError(f"fails on purpose after adding {email!r} to the session")

    return {"left": email}


@background_job(retries=0)
def inspect_state_job(email: str) -> dict:
    """Report what this job finds of the state a previous job left behind."""
    return {
        "g": g.get("left_by_previous_job"),
        "pending_in_session": len(db.session.new) + len(db.session.identity_map),
        "user_rows": db.session.scalar(
            db.select(db.func.count()).select_from(User).filter_by(email=email)
        ),
    }
