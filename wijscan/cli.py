"""The ``wijscan`` command: a Flask CLI group bound to ``create_app``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from wijscan.config import PROJECT_ROOT


def _create_app():
    from wijscan import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """WIJscan: the inclusion scan of the WIJschool programme."""


@main.command("check-content", with_appcontext=False)
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--update-lock", is_flag=True, help="Record the fingerprints of new versions.")
def check_content(path: Path | None, update_lock: bool) -> None:
    """Check the pyramid, instruments and lesbrieven in PATH (default: this project)."""
    from wijscan.content.check import run_check

    sys.exit(run_check(path or PROJECT_ROOT, sys.stdout, update_lock=update_lock))


@main.command("score", with_appcontext=False)
@click.argument("instrument", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("answers", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--pyramid",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The pyramid file (default: surveys/piramide.yaml).",
)
@click.option("--group-by", default=None, help="A column of ANSWERS to group respondents by.")
@click.option(
    "--min-group-size", type=int, default=None, help="Override the pyramid's minimum group size."
)
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def score(instrument, answers, pyramid, group_by, min_group_size, fmt, output) -> None:
    """Score an export of ANSWERS (CSV) with an INSTRUMENT file, without the web app."""
    from wijscan.scoring.command import run_score

    sys.exit(
        run_score(
            instrument,
            answers,
            pyramid_path=pyramid,
            group_by=group_by,
            min_group_size=min_group_size,
            fmt=fmt,
            output=output,
            stdout=sys.stdout,
            stderr=sys.stderr,
        )
    )


@main.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no school yet.")
@with_appcontext
def demo(if_empty: bool) -> None:
    """Create the demo school with classes, accounts and a past round of answers."""
    from wijscan.extensions import db
    from wijscan.services import demo as demo_service

    if if_empty and not demo_service.database_is_empty():
        click.echo("The database already has data; the demo school is not loaded again.")
    else:
        demo_service.create_demo(current_app.extensions["wijscan_content"])
        db.session.commit()
        click.echo("Demo school created.")
    click.echo(demo_service.logins_text())


@main.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option()
@with_appcontext
def create_admin(email: str, name: str, password: str) -> None:
    """Create a programme administrator (beheerder) account."""
    from wijscan.extensions import db
    from wijscan.services import accounts

    user = accounts.ensure_staff(email=email, name=name, school_id=None, role=None, is_admin=True)
    try:
        accounts.set_password(user, password)
    except accounts.AccountError as error:
        raise click.BadParameter(str(error), param_hint="password") from None
    db.session.commit()
    click.echo(f"Beheerder {user.email} is ready.")


@main.command("reset-two-factor")
@click.option("--email", required=True, help="The account whose second step is reset.")
@with_appcontext
def reset_two_factor(email: str) -> None:
    """Switch off an account's two-step login and end its sessions, for whoever runs the server
    (a beheerder who lost both phone and recovery codes; a coordinator resets their own staff on
    the staff page). The account sets it up again at its next login where it is required."""
    from wijscan.extensions import db
    from wijscan.services import accounts, two_factor

    user = accounts.find_user(email)
    if user is None:
        raise click.BadParameter(f"no account with the address {email!r}", param_hint="--email")
    two_factor.switch_off(user)
    accounts.end_sessions(user)
    db.session.commit()
    click.echo(f"Two-step login of {user.email} is off and its sessions have ended.")


@main.command("close-due")
@with_appcontext
def close_due() -> None:
    """Close and score every open scan whose round has ended (run daily, e.g. from cron)."""
    from datetime import date

    from wijscan.extensions import db
    from wijscan.services import scans

    closed = scans.close_due_scans(current_app.extensions["wijscan_content"], date.today())
    db.session.commit()
    click.echo(f"{closed} scan(s) closed.")


@main.command("refresh-totals")
@with_appcontext
def refresh_totals() -> None:
    """Compute and store the school, leerjaar and stream totals of every round (run once after
    the upgrade that added them; closing a scan keeps them up to date after that)."""
    from wijscan.extensions import db
    from wijscan.services import round_totals

    rounds, rows = round_totals.refresh_all(current_app.extensions["wijscan_content"])
    db.session.commit()
    click.echo(f"{rounds} round(s), {rows} total(s) stored.")


@main.command("purge")
@click.option("--dry-run", is_flag=True, help="Show what would be deleted; delete nothing.")
@with_appcontext
def purge(dry_run: bool) -> None:
    """Delete what is past each school's retention term: individual answers, respondent links,
    individual results and signals of rounds closed long enough ago, and old audit entries
    (run daily, e.g. from cron). Group results, scans, rounds and classes stay."""
    from wijscan.extensions import db
    from wijscan.services import retention

    counts = retention.purge()
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    if not any(counts.values()):
        click.echo("nothing to delete")
        return
    if dry_run:
        click.echo("dry run: would delete (nothing was deleted)")
    for kind, count in counts.items():
        click.echo(f"{kind.replace('_', ' ')}: {count}")


if __name__ == "__main__":
    main()
