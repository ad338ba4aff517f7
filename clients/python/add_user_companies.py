"""Give users access to companies through the Company Access REST API.

The functions of the original ``add_user_companies.py``, now calling the running service instead
of the database. They live in the ``company_access_client`` package; this top-level module keeps
the old import and the command line working::

    from add_user_companies import add_company_to_user
    add_company_to_user(user_id=5, company_id="3ae13ac4-23e5-45ad-9747-e699cced23b5")

Standard library only. Configuration comes from the environment, read at
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

from __future__ import annotations

import sys

from company_access_client import (
    AccessNotFound,
    AlreadyHasAccess,
    CompanyAccessError,
    CompanyNotFound,
    ServerUnavailable,
    Unauthorized,
    UserNotFound,
    add_companies_to_user,
    add_company_to_user,
    list_user_companies,
    remove_company_from_user,
)

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

# ---------------------------------------------------------------- command line

_USAGE = """usage:
  python add_user_companies.py add USER_ID COMPANY_ID [COMPANY_ID ...]
  python add_user_companies.py list USER_ID
  python add_user_companies.py remove USER_ID COMPANY_ID"""


def main(argv: list[str]) -> int:
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
