"""Sending mail: to the console (log) by default, through SMTP when configured."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import Flask, current_app

log = logging.getLogger("wijscan.mail")


def send(to: str, subject: str, body: str) -> None:
    """Send one plain-text message with the configured sender."""
    config = current_app.config
    if config["MAIL_SENDER"] == "smtp" or config.get("SMTP_HOST"):
        message = EmailMessage()
        message["From"] = config["MAIL_FROM"]
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=20) as smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls()
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            smtp.send_message(message)
        return
    log.warning("Mail to %s\nSubject: %s\n\n%s", to, subject, body)
    current_app.extensions.setdefault("wijscan_outbox", []).append((to, subject, body))


def init_app(app: Flask) -> None:
    if not logging.getLogger("wijscan").handlers and not app.testing:
        logging.basicConfig(level=logging.INFO)
    app.extensions["wijscan_outbox"] = []
