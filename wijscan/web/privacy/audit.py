"""The audit log of the school, for its coordinator: who viewed which student's results, signals
or data, and who changed what, newest first."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l

from wijscan import access
from wijscan.models import AuditEntry, Role
from wijscan.services import audit_log as service
from wijscan.web.privacy import bp
from wijscan.web.util import local_time

#: What each action is called on the page; an action not named here shows its code.
ACTION_LABELS = {
    "view_student": _l("Leerlingbeeld bekeken (persoonlijke uitslagen)"),
    "view_signal": _l("Signaal bekeken"),
    "follow_up_signal": _l("Vervolgstap bij een signaal vastgelegd"),
    "export_student_data": _l("Alle gegevens van een leerling ingezien"),
    "erase_student_data": _l("Alle gegevens van een leerling gewist"),
    "import_students": _l("Leerlingen geïmporteerd"),
    "save_student": _l("Leerling opgeslagen"),
    "create_klas": _l("Klas aangemaakt"),
    "update_klas": _l("Klas gewijzigd"),
    "archive_klas": _l("Klas gearchiveerd"),
    "restore_klas": _l("Klas teruggezet uit het archief"),
    "save_round": _l("Meetmoment opgeslagen"),
    "open_scan": _l("Scan geopend"),
    "open_staff_scan": _l("Personeelsscan geopend"),
    "close_scan": _l("Scan gesloten"),
    "class_code_place": _l("Extra plek op de klascode gegeven"),
    "class_code_end": _l("Klascode beëindigd"),
    "invite_staff": _l("Medewerker uitgenodigd"),
    "create_school": _l("School aangemaakt"),
    "update_school_settings": _l("Instellingen van de school gewijzigd"),
    "reset_two_factor": _l("Tweestapsverificatie van een medewerker hersteld"),
}
#: The download of a student's data is the same action as reading it on the page.
DOWNLOAD_LABEL = _l("Alle gegevens van een leerling gedownload (JSON)")


def action_label(entry: AuditEntry) -> str:
    if entry.action == "export_student_data" and (entry.detail or {}).get("form") == "json":
        return str(DOWNLOAD_LABEL)
    label = ACTION_LABELS.get(entry.action)
    return str(label) if label is not None else entry.action


@bp.route("/audit")
@access.allow(Role.COORDINATOR)
def audit_log():
    school_id = access.require_school()
    filters = service.AuditFilters(
        user_id=request.args.get("medewerker", type=int),
        student=request.args.get("leerling", "").strip(),
        page=request.args.get("pagina", 1, type=int),
    )
    page = service.audit_page(school_id, filters)
    return render_template(
        "privacy/audit.html", log=page, action_label=action_label, when=local_time
    )
