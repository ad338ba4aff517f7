"""Give users access to companies through the Company Access REST API.

The functions of the original ``add_user_companies.py``, now calling the running service instead
of the database::

    from add_user_companies import add_company_to_user
    add_company_to_user(user_id=5, company_id="3ae13ac4-23e5-45ad-9747-e699cced23b5")

Standard library only (``urllib``, ``json``). Configuration comes from the environment, read at
every call:

``COMPANY_ACCESS_URL``
    The service, default ``http://127.0.0.1:8080``.
``COMPANY_ACCESS_TOKEN``
    An API key (scope ``write`` to change access, ``read`` to list). When unset and the URL is on
    this machine (127.0.0.1, localhost, ::1), the master key the server wrote to
    ``$COMPANY_ACCESS_DATA_DIR/master-key`` (default ``data/master-key``) is used.

Failures raise :class:`CompanyAccessError` or one of its subclasses, each carrying ``status``
(the HTTP status, ``None`` when the server was not reached), ``code`` (the API's stable problem
code such as ``already_has_access``) and ``detail`` (a sentence for people).
"""

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid

__all__ = [
    "add_company_to_user",
    "add_companies_to_user",
    "list_user_companies",
    "remove_company_from_user",
    "CompanyAccessError",
    "UserNotFound",
    "CompanyNotFound",
    "AlreadyHasAccess",
    "AccessNotFound",
    "Unauthorized",
    "ServerUnavailable",
]

DEFAULT_URL = "http://127.0.0.1:8080"
TIMEOUT_SECONDS = 60


class CompanyAccessError(Exception):
    """A request to the Company Access service failed."""

    def __init__(self, status, code, detail, problem=None):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.problem = problem or {}

    def __str__(self):
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


class Unauthorized(CompanyAccessError):
    """The API key is missing, wrong, revoked, or its scope is too small."""


class ServerUnavailable(CompanyAccessError):
    """The service could not be reached, or it is not ready."""


_ERRORS_BY_CODE = {
    "user_not_found": UserNotFound,
    "company_not_found": CompanyNotFound,
    "already_has_access": AlreadyHasAccess,
    "access_not_found": AccessNotFound,
    "unauthorized": Unauthorized,
    "forbidden": Unauthorized,
    "unavailable": ServerUnavailable,
}


# ---------------------------------------------------------------- configuration


def _base_url():
    url = os.environ.get("COMPANY_ACCESS_URL", "").strip() or DEFAULT_URL
    return url.rstrip("/")


def _is_local(url):
    host = urllib.parse.urlsplit(url).hostname or ""
    return host.lower() == "localhost" or host == "::1" or host.startswith("127.")


def _token(url):
    token = os.environ.get("COMPANY_ACCESS_TOKEN", "").strip()
    if token:
        return token
    if not _is_local(url):
        return None
    data_dir = os.environ.get("COMPANY_ACCESS_DATA_DIR", "").strip() or "data"
    try:
        with open(os.path.join(data_dir, "master-key"), encoding="utf-8") as key_file:
            return key_file.read().strip() or None
    except OSError:
        return None


# ---------------------------------------------------------------- HTTP


def _request(method, path, body=None):
    """Sends one request; returns the decoded JSON answer (None for 204)."""
    url = _base_url()
    headers = {"Accept": "application/json", "User-Agent": "add_user_companies.py"}
    token = _token(url)
    if token:
        headers["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url + path, data=data, headers=headers, method=method)
    # A proxy from the environment must not carry loopback traffic (or the key) elsewhere.
    handlers = [urllib.request.ProxyHandler({})] if _is_local(url) else []
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            text = response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        raise _error_from(error, url, token) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ServerUnavailable(
            None,
            "unreachable",
            "Cannot reach the Company Access server at %s (%s): is it running?" % (url, reason),
        ) from None
    return json.loads(text) if text.strip() else None


def _error_from(error, url, token):
    raw = error.read().decode("utf-8", errors="replace")
    try:
        problem = json.loads(raw)
    except ValueError:
        problem = {}
    if not isinstance(problem, dict):
        problem = {}
    code = problem.get("code") or "http_%d" % error.code
    detail = problem.get("detail") or raw.strip() or error.reason
    for field in problem.get("errors") or []:
        detail += "; %s: %s" % (field.get("field"), field.get("message"))
    if error.code == 401:
        if token:
            detail = "The server at %s refused the API key: set COMPANY_ACCESS_TOKEN to a valid key." % url
        else:
            detail = "No API key: set COMPANY_ACCESS_TOKEN."
    exception = _ERRORS_BY_CODE.get(code)
    if exception is None:
        exception = ServerUnavailable if error.code >= 500 else CompanyAccessError
    return exception(error.code, code, detail, problem)


# ---------------------------------------------------------------- ids


def _user_id(user_id):
    try:
        value = int(str(user_id).strip())
    except (TypeError, ValueError):
        value = None
    if value is None or isinstance(user_id, bool):
        raise UserNotFound(
            None, "user_not_found", "User not found: %r is not a user id (an integer)." % (user_id,)
        )
    return value


def _company_id(company_id):
    try:
        return str(uuid.UUID(str(company_id).strip()))
    except (TypeError, ValueError, AttributeError):
        raise CompanyNotFound(
            None,
            "company_not_found",
            "Company not found: %r is not a company id (a UUID such as "
            "3ae13ac4-23e5-45ad-9747-e699cced23b5)." % (company_id,),
        ) from None


# ---------------------------------------------------------------- the seed's functions


def add_company_to_user(user_id, company_id):
    """Gives the user access to one company; returns the grant.

    Raises AlreadyHasAccess if the user already has it, UserNotFound or CompanyNotFound.
    The grant is a dict: company_id, company_name, is_default, source, granted_at, granted_by.
    """
    return _request(
        "POST",
        "/users/%d/companies" % _user_id(user_id),
        {"company_id": _company_id(company_id)},
    )


def add_companies_to_user(user_id, company_ids):
    """Gives the user access to several companies at once (all or nothing).

    Companies the user already has are not an error: they are listed in ``already_present``.
    Returns ``{"added": [grant, ...], "already_present": [company_id, ...]}``.
    Raises UserNotFound, or CompanyNotFound if any company is unknown (then nothing is added).
    """
    if isinstance(company_ids, (str, bytes)):
        raise TypeError("company_ids must be a list of company ids, not one string")
    ids = [_company_id(company_id) for company_id in company_ids]
    if not ids:
        return {"added": [], "already_present": []}
    return _request("POST", "/users/%d/companies" % _user_id(user_id), {"company_ids": ids})


def list_user_companies(user_id):
    """The companies the user may act in, explicit grants first; a list of grant dicts.

    For a super admin, who may act in every company, every company is listed with
    ``source == "super_admin"``. Raises UserNotFound.
    """
    answer = _request("GET", "/users/%d/companies" % _user_id(user_id))
    return answer["items"]


def remove_company_from_user(user_id, company_id):
    """Takes one company away from the user.

    Raises AccessNotFound if the user does not have it, UserNotFound or CompanyNotFound.
    """
    _request(
        "DELETE",
        "/users/%d/companies/%s" % (_user_id(user_id), _company_id(company_id)),
    )


# ---------------------------------------------------------------- command line

_USAGE = """usage:
  python add_user_companies.py add USER_ID COMPANY_ID [COMPANY_ID ...]
  python add_user_companies.py list USER_ID
  python add_user_companies.py remove USER_ID COMPANY_ID"""


def main(argv):
    if len(argv) < 2 or argv[0] not in ("add", "list", "remove"):
        print(_USAGE, file=sys.stderr)
        return 2
    command, user_id, rest = argv[0], argv[1], argv[2:]
    try:
        if command == "list" and not rest:
            for grant in list_user_companies(user_id):
                default = " (default)" if grant["is_default"] else ""
                print("%s  %s%s" % (grant["company_id"], grant["company_name"], default))
        elif command == "add" and len(rest) == 1:
            grant = add_company_to_user(user_id, rest[0])
            print("Added %s." % grant["company_name"])
        elif command == "add" and rest:
            result = add_companies_to_user(user_id, rest)
            for grant in result["added"]:
                print("Added %s." % grant["company_name"])
            for company_id in result["already_present"]:
                print("Already had %s." % company_id)
        elif command == "remove" and len(rest) == 1:
            remove_company_from_user(user_id, rest[0])
            print("Removed.")
        else:
            print(_USAGE, file=sys.stderr)
            return 2
    except CompanyAccessError as error:
        print("error: %s" % error, file=sys.stderr)
        if isinstance(error, (UserNotFound, CompanyNotFound, AccessNotFound)):
            return 3
        if isinstance(error, AlreadyHasAccess):
            return 4
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
