"""The Flask extensions, created unbound; ``create_app`` binds them."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from wijscan.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
babel = Babel()


@limiter.request_filter
def _not_limited_here() -> bool:
    """Rate limits off (RATE_LIMITS), or the questionnaire, whose code routes have their own
    lighter guard on the same strategy and storage (wijscan.web.survey.views.code_limit)."""
    return not current_app.config.get("RATE_LIMITS", True) or request.blueprint == "survey"
