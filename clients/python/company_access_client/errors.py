"""The exceptions every call raises, and how an HTTP error answer maps onto them."""

from __future__ import annotations

import json
from typing import Any, Optional

__all__ = [
    "CompanyAccessError",
    "UserNotFound",
    "CompanyNotFound",
    "AlreadyHasAccess",
    "AccessNotFound",
    "CompanyNameTaken",
    "HierarchyRefused",
    "HierarchyCycle",
    "HierarchyTooDeep",
    "Unauthorized",
    "OutOfReach",
    "ServerUnavailable",
]


class CompanyAccessError(Exception):
    """A request to the Company Access service failed.

    ``status`` is the HTTP status (``None`` when the server was not reached or an id was refused
    before sending), ``code`` the API's stable problem code, ``detail`` a sentence for people,
    ``errors`` the problem's list of ``{"field", "message"}`` (each field or CSV line and column that
    was refused; empty when there is none), ``report`` what a refused CSV import's other lines would
    do (``None`` otherwise) and ``problem`` the whole problem body.
    """

    def __init__(
        self,
        status: Optional[int],
        code: str,
        detail: str,
        problem: Optional[dict[str, Any]] = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.problem: dict[str, Any] = problem or {}

    @property
    def errors(self) -> list[dict[str, Any]]:
        errors = self.problem.get("errors")
        return errors if isinstance(errors, list) else []

    @property
    def report(self) -> Optional[dict[str, Any]]:
        report = self.problem.get("report")
        return report if isinstance(report, dict) else None

    def __str__(self) -> str:
        if self.status is None:
            return self.detail
        return "%s (%s, HTTP %s)" % (self.detail, self.code, self.status)


class UserNotFound(CompanyAccessError):
    """No user with that id: see ``company-access users list`` (menu option 1)."""


class CompanyNotFound(CompanyAccessError):
    """No company with that id: see ``company-access companies list`` (menu option 2)."""


class AlreadyHasAccess(CompanyAccessError):
    """The user already has access to the company (the old "UNIQUE constraint failed")."""


class AccessNotFound(CompanyAccessError):
    """The user does not have access to the company, so there is nothing to remove."""


class CompanyNameTaken(CompanyAccessError):
    """Another company already has that name, in any letter case (``company_name_taken``, 409)."""


class HierarchyRefused(CompanyAccessError):
    """The company tree would stop being a tree of at most 16 levels (409): a HierarchyCycle or a
    HierarchyTooDeep."""


class HierarchyCycle(HierarchyRefused):
    """A company cannot be placed under itself or one of its own branches (``hierarchy_cycle``)."""


class HierarchyTooDeep(HierarchyRefused):
    """The tree would be deeper than 16 levels (``hierarchy_too_deep``)."""


class Unauthorized(CompanyAccessError):
    """The API key is missing, wrong, revoked, or its scope is too small."""


class OutOfReach(Unauthorized):
    """The key acts for a user who does not administer the company (or may not give the role) asked
    for: a key bound to a user reaches only the companies where that user holds the admin role."""


class ServerUnavailable(CompanyAccessError):
    """The service could not be reached, or it is not ready."""


_ERRORS_BY_CODE: dict[str, type[CompanyAccessError]] = {
    "user_not_found": UserNotFound,
    "company_not_found": CompanyNotFound,
    "already_has_access": AlreadyHasAccess,
    "access_not_found": AccessNotFound,
    "company_name_taken": CompanyNameTaken,
    "hierarchy_cycle": HierarchyCycle,
    "hierarchy_too_deep": HierarchyTooDeep,
    "unauthorized": Unauthorized,
    "forbidden": Unauthorized,
    "out_of_reach": OutOfReach,
    "unavailable": ServerUnavailable,
}


def error_from_answer(
    status: int, reason: str, raw: str, url: str, token: Optional[str]
) -> CompanyAccessError:
    """The exception for an HTTP error answer, from its problem body when it has one."""
    try:
        problem = json.loads(raw)
    except ValueError:
        problem = {}
    if not isinstance(problem, dict):
        problem = {}
    code = problem.get("code") or "http_%d" % status
    detail = problem.get("detail") or raw.strip() or reason
    for field in problem.get("errors") or []:
        # The detail of a one-field refusal already names the field and says what to fix.
        said = "%s: %s" % (field.get("field"), field.get("message"))
        if said not in detail:
            detail += "; " + said
    if status == 401:
        if token:
            detail = (
                "The server at %s refused the API key: set COMPANY_ACCESS_TOKEN to a valid key."
                % url
            )
        else:
            detail = "No API key: set COMPANY_ACCESS_TOKEN."
    exception = _ERRORS_BY_CODE.get(code)
    if exception is None:
        exception = ServerUnavailable if status >= 500 else CompanyAccessError
    return exception(status, code, detail, problem)


def unreachable(url: str, reason: object) -> ServerUnavailable:
    return ServerUnavailable(
        None,
        "unreachable",
        "Cannot reach the Company Access server at %s (%s): is it running?" % (url, reason),
    )
