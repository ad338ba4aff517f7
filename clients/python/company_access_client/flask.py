"""``requires_company_access``: a Flask view runs only for a user who may act in the company.

Flask is imported when the decorator is applied, not with the package, so the package does not
depend on it: ``pip install "company-access-client[flask]"`` brings it.
"""

from __future__ import annotations

import functools
from types import ModuleType
from typing import Any, Callable, Optional, TypeVar, cast

from .client import Client
from .errors import CompanyAccessError, CompanyNotFound, UserNotFound

__all__ = ["requires_company_access", "user_id_from_g", "company_id_from_request"]

View = TypeVar("View", bound=Callable[..., Any])


def user_id_from_g() -> object:
    """``flask.g.user_id``, or ``None`` when the app set none (nobody signed in)."""
    from flask import g

    return getattr(g, "user_id", None)


def company_id_from_request() -> object:
    """The ``company_id`` view argument (``/companies/<company_id>/...``), else the
    ``company_id`` query parameter, else ``None``."""
    from flask import request

    value = (request.view_args or {}).get("company_id")
    if value is None:
        value = request.args.get("company_id")
    return value


def requires_company_access(
    *,
    user_id: Callable[[], object] = user_id_from_g,
    company_id: Callable[[], object] = company_id_from_request,
    client: Optional[Client] = None,
) -> Callable[[View], View]:
    """Decorates a view so that it runs only when the service allows the pair.

    ``user_id`` and ``company_id`` read the pair from the current request. ``client`` defaults
    to :meth:`Client.from_env`, built for each request. A refusal, a missing or malformed id,
    answers 403 with a JSON body ``{"code": "forbidden", "reason": ..., "detail": ...}``; a
    service that cannot answer (down, 503, a refused key) answers 503 ``{"code":
    "unavailable", ...}`` and logs why: never a silent allow.
    """
    flask = _import_flask()

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            user, company = user_id(), company_id()
            if user is None:
                return _answer(flask, 403, "no_user", "Sign in first.")
            if company is None:
                return _answer(flask, 403, "no_company", "Name the company to act in.")
            try:
                decision = (client or Client.from_env()).check_access(str(user), str(company))
            # Only ids that are not ids at all raise these (before anything is sent): the service
            # answers unknown ones as refusals.
            except UserNotFound:
                return _answer(flask, 403, "unknown_user", "That is not a user id.")
            except CompanyNotFound:
                return _answer(flask, 403, "unknown_company", "That is not a company id.")
            except CompanyAccessError as error:
                # The service refused the value itself (a user id past 32 bits, say): the
                # request names no user or company that could be allowed.
                if error.status == 400:
                    return _answer(flask, 403, "invalid_id", error.detail)
                flask.current_app.logger.error("Company access check failed: %s", error)
                return _answer(
                    flask, 503, None, "Company access cannot be checked right now; try again."
                )
            if not decision["allowed"]:
                return _answer(
                    flask,
                    403,
                    decision["reason"],
                    "User %s may not act in company %s." % (user, decision["company_id"]),
                )
            return view(*args, **kwargs)

        return cast(View, guarded)

    return decorate


def _import_flask() -> ModuleType:
    try:
        import flask
    except ImportError as error:
        raise ImportError(
            'requires_company_access needs Flask: pip install "company-access-client[flask]"'
        ) from error
    return flask


def _answer(flask: ModuleType, status: int, reason: Optional[str], detail: str) -> Any:
    body: dict[str, object] = {"code": "forbidden" if status == 403 else "unavailable"}
    if reason is not None:
        body["reason"] = reason
    body["detail"] = detail
    response = flask.jsonify(body)
    response.status_code = status
    return response
