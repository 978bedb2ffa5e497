"""Flask extensions, created unbound here and bound to an app in `create_app`."""

import smtplib

from flask import current_app
from flask_mail import Connection, Mail
{%- if cookiecutter.use_migrations %}
from flask_migrate import Migrate
{%- endif %}
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class TimeoutConnection(Connection):
    """SMTP connection whose connect and every reply wait at most `MAIL_TIMEOUT` seconds.

    Flask-Mail 0.10 opens `smtplib.SMTP` without a timeout, so a server that accepts the
    connection and never responds would block a job until the job timeout kills it.
    """

    def configure_host(self):
        timeout = self.mail.timeout
        smtp_class = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp_class(self.mail.server, self.mail.port, timeout=timeout)
        host.set_debuglevel(int(self.mail.debug))

        if self.mail.use_tls:
            host.starttls()

        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)

        return host


class TimeoutMail(Mail):
    """Flask-Mail with a bounded SMTP timeout, read from `MAIL_TIMEOUT` (seconds, default 10)."""

    def init_app(self, app):
        state = super().init_app(app)
        state.timeout = app.config.setdefault("MAIL_TIMEOUT", 10.0)
        return state

    def connect(self):
        return TimeoutConnection(current_app.extensions["mail"])


db = SQLAlchemy(model_class=Base)
mail = TimeoutMail()
{%- if cookiecutter.use_migrations %}
# Alembic migrations in migrations/, run with `flask --app app db upgrade`.
migrate = Migrate()
{%- endif %}
