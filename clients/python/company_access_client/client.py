"""The HTTP client: one :class:`Client` per service and key, nothing cached between calls."""

from __future__ import annotations

import datetime
import http.client
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Iterator, Optional, TypedDict, Union

from .errors import (
    CompanyNotFound,
    ServerUnavailable,
    UserNotFound,
    error_from_answer,
    unreachable,
)

__all__ = [
    "Client",
    "Grant",
    "AddManyResult",
    "RemovedGrant",
    "RemoveManyResult",
    "AccessDecision",
    "Company",
    "CompanyPage",
    "CompanyMember",
    "CompanyMembers",
    "DEFAULT_URL",
]

DEFAULT_URL = "http://127.0.0.1:8080"

Instant = Union[None, str, "datetime.datetime"]
"""An instant of a grant's window: an aware ``datetime`` or RFC 3339 text."""
Roles = Union[None, str, list[str], tuple[str, ...]]
"""Roles a check asks for: one name, or several."""


class Grant(TypedDict):
    """A company a user may act in: an explicit grant, or every company for a super admin."""

    company_id: str
    company_name: str
    is_default: bool
    source: str
    """``"grant"``, ``"branch"`` (through a parent's grant that includes its branches) or
    ``"super_admin"``."""
    granted_at: Optional[str]
    """When the grant was made (``None`` for access through the super admin role)."""
    granted_by: Optional[str]
    role: str
    """The role the user holds in this company: the grant's own, else the user's role."""
    granted_role: Optional[str]
    """The role the grant itself names; ``None`` when it follows the user's role."""
    valid_from: Optional[str]
    """From when the grant gives access (RFC 3339, inclusive); ``None``: from the start."""
    valid_until: Optional[str]
    """Until when the grant gives access (RFC 3339, exclusive); ``None``: no end."""
    state: str
    """``"active"``, ``"scheduled"`` or ``"expired"``, at the instant of the answer."""
    include_branches: bool
    """Whether the grant reaches every branch of its company too, now and later."""
    via_company_id: Optional[str]
    """The company whose grant gives the access: this one, or (``source`` ``"branch"``) a parent;
    ``None`` for access through the super admin role."""


class AddManyResult(TypedDict):
    added: list[Grant]
    already_present: list[str]


class RemovedGrant(TypedDict):
    """One grant a bulk removal took away (or would, on a dry run)."""

    user_id: int
    company_id: str


class RemoveManyResult(TypedDict):
    """What :meth:`Client.remove_companies_from_users` removed, or would remove on a dry run."""

    users: int
    """How many distinct users were named."""
    companies: int
    """How many distinct companies were named."""
    pairs: int
    """``users`` × ``companies``."""
    removed: int
    """Grants removed (or that would be, on a dry run)."""
    not_granted: int
    """Pairs that held no grant: nothing to remove there, and not an error."""
    dry_run: bool
    items: list[RemovedGrant]
    """Every grant removed (or that would be), by user in the order named, then by company."""


class AccessDecision(TypedDict):
    user_id: int
    company_id: str
    allowed: bool
    reason: str
    """``grant``, ``super_admin``, ``no_grant``, ``user_inactive``, ``unknown_user``,
    ``unknown_company``, ``not_yet_valid``, ``expired`` or ``role_not_held``."""
    role: Optional[str]
    """The role the user holds in the company (``super_admin`` for super admins)."""
    via_company_id: Optional[str]
    """The company whose grant the decision rests on: the company itself, or a parent whose grant
    includes its branches; ``None`` when no grant does (super admins included)."""


class Company(TypedDict):
    """A company; ``parent_id`` places it in the hierarchy."""

    id: str
    name: str
    """The display name as stored, unique regardless of letter case."""
    user_count: int
    """How many users have been granted this company explicitly."""
    parent_id: Optional[str]
    """The company this one is a branch of; ``None`` for a top-level company."""
    created_at: str
    modified_at: str


class CompanyPage(TypedDict):
    """One page of companies, with how many match over all pages."""

    items: list[Company]
    total: int
    limit: int
    offset: int


class CompanyMember(TypedDict):
    """One user who may act in a company: a line of its access review."""

    user_id: int
    username: str
    full_name: str
    role: str
    """The user's own role."""
    is_active: bool
    source: str
    """``"grant"``, ``"branch"`` (through a parent's grant that includes its branches) or
    ``"super_admin"``."""
    is_default: bool
    granted_at: Optional[str]
    granted_by: Optional[str]
    role_here: str
    """The role the user holds in this company: the grant's own, else the user's role."""
    granted_role: Optional[str]
    valid_from: Optional[str]
    valid_until: Optional[str]
    state: str
    """``"active"`` or ``"scheduled"``; expired grants are not listed."""
    via_company_id: Optional[str]
    """The company whose grant gives the access: this one, or (``source`` ``"branch"``) the
    nearest parent whose grant includes its branches; ``None`` for super admins."""


class CompanyMembers(TypedDict):
    """Who may act in a company, one page of them."""

    company: Company
    items: list[CompanyMember]
    total: int
    limit: int
    offset: int


class Client:
    """Talks to one Company Access service with one API key.

    ``timeout`` bounds each attempt, in seconds. Reads (GET) that meet a 503 or a connection
    error are tried again up to ``retries`` more times, waiting ``backoff``, then twice that, and
    so on. Changes (POST, PATCH, DELETE) are sent once: a change whose answer was lost may have
    applied.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        token: Optional[str] = None,
        *,
        timeout: float = 60.0,
        retries: int = 2,
        backoff: float = 0.5,
    ) -> None:
        if retries < 0:
            raise ValueError("retries must be 0 or more, not %r" % (retries,))
        self.base_url = base_url.rstrip("/")
        self.token = token or None
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        #: The latest revision this client wrote or was answered at (``Company-Access-Revision``);
        #: later reads and checks ask for at least it, so a caller always sees its own changes,
        #: whichever instance of the service answers.
        self.last_revision: Optional[int] = None

    @classmethod
    def from_env(
        cls, *, timeout: float = 60.0, retries: int = 2, backoff: float = 0.5
    ) -> Client:
        """The service in ``COMPANY_ACCESS_URL`` with the key in ``COMPANY_ACCESS_TOKEN``.

        Without a token, for a service on this machine, the master key the server wrote to
        ``$COMPANY_ACCESS_DATA_DIR/master-key`` (default ``data/master-key``).
        """
        url = (os.environ.get("COMPANY_ACCESS_URL", "").strip() or DEFAULT_URL).rstrip("/")
        token = os.environ.get("COMPANY_ACCESS_TOKEN", "").strip() or _local_master_key(url)
        return cls(url, token, timeout=timeout, retries=retries, backoff=backoff)

    def __repr__(self) -> str:
        # Never the token: a repr ends up in logs.
        return "Client(%r, timeout=%r, retries=%r)" % (self.base_url, self.timeout, self.retries)

    # ------------------------------------------------------------ access

    def add_company_to_user(
        self,
        user_id: Union[int, str],
        company_id: str,
        role: Optional[str] = None,
        valid_from: Instant = None,
        valid_until: Instant = None,
        include_branches: bool = False,
    ) -> Grant:
        """Gives the user access to one company; returns the grant.

        ``role`` is the role the grant gives there (``None``: the user's own role); ``valid_from``
        and ``valid_until`` (``datetime`` or RFC 3339 text) bound when it gives access. With
        ``include_branches`` the grant reaches every branch of the company too, now and later,
        wherever they are moved. Raises AlreadyHasAccess if the user already has it, UserNotFound
        or CompanyNotFound.
        """
        body: dict[str, object] = {"company_id": _company_id(company_id)}
        body.update(_terms(role, valid_from, valid_until, include_branches))
        grant: Grant = self.request("POST", "/users/%d/companies" % _user_id(user_id), body)
        return grant

    def add_companies_to_user(
        self,
        user_id: Union[int, str],
        company_ids: list[str],
        role: Optional[str] = None,
        valid_from: Instant = None,
        valid_until: Instant = None,
        include_branches: bool = False,
    ) -> AddManyResult:
        """Gives the user access to several companies at once (all or nothing), each with the same
        role, window and ``include_branches`` (see :meth:`add_company_to_user`).

        Companies the user already has are not an error: they are listed in ``already_present``.
        Raises UserNotFound, or CompanyNotFound if any company is unknown (then nothing is added).
        """
        if isinstance(company_ids, (str, bytes)):
            raise TypeError("company_ids must be a list of company ids, not one string")
        ids = [_company_id(company_id) for company_id in company_ids]
        if not ids:
            return {"added": [], "already_present": []}
        body: dict[str, object] = {"company_ids": ids}
        body.update(_terms(role, valid_from, valid_until, include_branches))
        result: AddManyResult = self.request(
            "POST", "/users/%d/companies" % _user_id(user_id), body
        )
        return result

    def update_grant(
        self, user_id: Union[int, str], company_id: str, **changes: object
    ) -> Grant:
        """Changes one grant: any of ``is_default``, ``role`` (``None``: the user's own role),
        ``valid_from`` and ``valid_until`` (``None`` opens that end) and ``include_branches``
        (whether it reaches the company's branches too). Only what is named changes.

        Raises AccessNotFound if the user does not have the company.
        """
        allowed = {"is_default", "role", "valid_from", "valid_until", "include_branches"}
        unknown = sorted(set(changes) - allowed)
        if unknown or not changes:
            raise TypeError(
                "update_grant takes one or more of %s (got %s)"
                % (", ".join(sorted(allowed)), ", ".join(unknown) or "none")
            )
        body = {
            name: _instant(value) if name.startswith("valid_") else value
            for name, value in changes.items()
        }
        grant: Grant = self.request(
            "PATCH",
            "/users/%d/companies/%s" % (_user_id(user_id), _company_id(company_id)),
            body,
        )
        return grant

    def list_user_companies(self, user_id: Union[int, str]) -> list[Grant]:
        """The user's companies: explicit grants first, and the branches that grants including
        branches reach (``source`` ``"branch"``); every company for a super admin.

        Lists the grants of an inactive user too (see :meth:`allowed_companies`). Raises
        UserNotFound.
        """
        items: list[Grant] = self.request("GET", "/users/%d/companies" % _user_id(user_id))[
            "items"
        ]
        return items

    def remove_company_from_user(self, user_id: Union[int, str], company_id: str) -> None:
        """Takes one company away from the user.

        Raises AccessNotFound if the user does not have it, UserNotFound or CompanyNotFound.
        """
        self.request(
            "DELETE", "/users/%d/companies/%s" % (_user_id(user_id), _company_id(company_id))
        )

    def remove_companies_from_users(
        self,
        user_ids: list[Union[int, str]],
        company_ids: list[str],
        dry_run: bool = False,
    ) -> RemoveManyResult:
        """Takes every listed company from every listed user in one request, all or nothing
        (``POST /access/revoke``); returns what was removed, each grant named in ``items``.

        With ``dry_run`` nothing changes and ``items`` names the grants that would go: the list
        to confirm before the change. Pairs without a grant are counted in ``not_granted``, not
        refused; access through the super admin role, or through a parent's grant that includes
        branches, is not a grant of the company and stays. A repeated id counts once. An empty
        list names nobody (or nothing), so nothing is sent and nothing is removed.

        Raises UserNotFound or CompanyNotFound if any id is unknown or malformed (then nothing
        is removed), OutOfReach for a key bound to a user who does not administer every listed
        company, and CompanyAccessError (status 422) for more than 10,000 ids in a list.
        """
        for name, value in (("user_ids", user_ids), ("company_ids", company_ids)):
            if isinstance(value, (str, bytes)):
                raise TypeError("%s must be a list of ids, not one string" % name)
        if not isinstance(dry_run, bool):
            raise TypeError("dry_run is True or False, not %r" % (dry_run,))
        users = _distinct([_user_id(user_id) for user_id in user_ids])
        companies = _distinct([_company_id(company_id) for company_id in company_ids])
        if not users or not companies:
            # The service refuses an empty list rather than read it as "everyone"; here it
            # plainly names no pair, so there is nothing to ask.
            return {
                "users": len(users),
                "companies": len(companies),
                "pairs": 0,
                "removed": 0,
                "not_granted": 0,
                "dry_run": dry_run,
                "items": [],
            }
        body = {"user_ids": users, "company_ids": companies, "dry_run": dry_run}
        result: RemoveManyResult = self.request("POST", "/access/revoke", body)
        return result

    def import_csv(self, text: str, dry_run: bool = False) -> dict[str, Any]:
        """Imports grants from CSV text (a header, then one grant per line: ``username`` or
        ``user_id``, ``company`` or ``company_id``, and optionally ``role``, ``valid_from``,
        ``valid_until``, ``include_branches``). All or nothing; with ``dry_run`` nothing is written.

        Returns ``{"lines", "added", "changed", "unchanged", "refused", "dry_run", "items"}``; each
        item names its line, user, company, ``action`` (``add`` or ``change``) and the grant's terms
        ``after`` (and ``before``, for a change). A bad line raises CompanyAccessError (status 422)
        whose ``errors`` name every problem by line and column and whose ``report`` says, in the same
        shape, what the other lines would do.
        """
        path = "/access/import" + ("?dry_run=true" if dry_run else "")
        result: dict[str, Any] = self._send("POST", path, None, csv=text)
        return result

    def export_csv(self) -> str:
        """Every grant as CSV, in the columns :meth:`import_csv` reads."""
        text: str = self.request("GET", "/access/export") or ""
        return text

    # ------------------------------------------------------------ companies

    def list_companies(
        self,
        parent_id: Optional[str] = None,
        *,
        q: Optional[str] = None,
        name: Optional[str] = None,
        sort: Optional[str] = None,
        order: Optional[str] = None,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
    ) -> CompanyPage:
        """One page of companies, in creation order (``sort="name"``: by name; ``order="desc"``:
        newest or Z first, ``"asc"`` the default).

        ``parent_id`` keeps only the direct branches of that company; ``q`` matches part of the
        name and ``name`` the whole name, in any letter case; an unknown ``sort`` or ``order``
        raises CompanyAccessError (status 400). ``limit`` is the page size (1 to 500,
        default 50) and ``offset`` the companies skipped; ``total`` says how many match.
        """
        parent = None if parent_id is None else _company_id(parent_id)
        path = _query(
            "/companies",
            parent_id=parent,
            q=q,
            name=name,
            sort=sort,
            order=order,
            limit=limit,
            offset=offset,
        )
        page: CompanyPage = self.request("GET", path)
        return page

    def get_company(self, company_id: str) -> Company:
        """One company, with its ``parent_id``. Raises CompanyNotFound."""
        company: Company = self.request("GET", "/companies/%s" % _company_id(company_id))
        return company

    def create_company(self, name: str, parent_id: Optional[str] = None) -> Company:
        """Makes a company; with ``parent_id`` it is a branch of that company, and grants of its
        ancestors that include branches reach it at once.

        Raises CompanyNameTaken if the name is in use (in any letter case), CompanyNotFound for an
        unknown parent, or HierarchyTooDeep beyond 16 levels.
        """
        body: dict[str, object] = {"name": name}
        if parent_id is not None:
            body["parent_id"] = _company_id(parent_id)
        company: Company = self.request("POST", "/companies", body)
        return company

    def rename_company(self, company_id: str, name: str) -> Company:
        """Gives the company a new name; returns it. Raises CompanyNameTaken or CompanyNotFound."""
        company: Company = self.request(
            "PATCH", "/companies/%s" % _company_id(company_id), {"name": name}
        )
        return company

    def move_company(self, company_id: str, parent_id: Optional[str]) -> Company:
        """Moves the company, with its branches, under ``parent_id`` (``None``: to the top level);
        returns it. The access that grants including branches give follows the move at once.

        Raises HierarchyCycle if the parent is the company or one of its branches,
        HierarchyTooDeep beyond 16 levels, or CompanyNotFound.
        """
        parent = None if parent_id is None else _company_id(parent_id)
        company: Company = self.request(
            "PATCH", "/companies/%s" % _company_id(company_id), {"parent_id": parent}
        )
        return company

    def delete_company(self, company_id: str) -> None:
        """Deletes the company: every user's access to it goes too, and its branches become
        top-level companies. Raises CompanyNotFound."""
        self.request("DELETE", "/companies/%s" % _company_id(company_id))

    def company_users(
        self,
        company_id: str,
        *,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
    ) -> CompanyMembers:
        """Who may act in the company, one page of them: users granted it, users whose grant of a
        parent includes its branches (``source`` ``"branch"``, ``via_company_id`` the nearest such
        parent), and super admins. Expired grants are left out.

        ``limit`` (1 to 500, default 50) and ``offset`` page through them. Raises CompanyNotFound.
        """
        path = _query("/companies/%s/users" % _company_id(company_id), limit=limit, offset=offset)
        members: CompanyMembers = self.request("GET", path)
        return members

    # ------------------------------------------------------------ keys

    def whoami(self) -> dict[str, Any]:
        """The key in use: ``name``, ``scope`` and, for a key bound to a user, ``user_id`` and
        ``username``."""
        who: dict[str, Any] = self.request("GET", "/whoami")
        return who

    def create_key(
        self, name: str, scope: str, user_id: Optional[Union[int, str]] = None
    ) -> dict[str, Any]:
        """Makes an API key (needs the ``admin`` scope); the answer's ``secret`` is shown only once.

        With ``user_id`` the key acts for that user and reaches only the companies they administer;
        anything beyond them raises Unauthorized with status 403 and code ``out_of_reach``.
        """
        body: dict[str, object] = {"name": name, "scope": scope}
        if user_id is not None:
            body["user_id"] = _user_id(user_id)
        created: dict[str, Any] = self.request("POST", "/keys", body)
        return created

    # ------------------------------------------------------------ checks

    def check_access(
        self, user_id: Union[int, str], company_id: str, role: Roles = None
    ) -> AccessDecision:
        """May the user act in the company (in one of ``role``, when given)? The service's
        decision with its reason, at the instant it is asked.

        ``role`` is a role name or a list of them. An unknown user or company is a refusal, not an
        error; an id that is not one at all raises UserNotFound or CompanyNotFound before anything
        is sent.
        """
        query = {"user_id": _user_id(user_id), "company_id": _company_id(company_id)}
        if role is not None:
            query["role"] = _roles(role)
        decision: AccessDecision = self.request(
            "GET", "/access-check?" + urllib.parse.urlencode(query)
        )
        return decision

    def has_access(self, user_id: Union[int, str], company_id: str, role: Roles = None) -> bool:
        """Whether the user may act in the company now: its grants (in one of ``role``, a name or a
        list of names, when given), or the super admin role."""
        return self.check_access(user_id, company_id, role)["allowed"]

    def allowed_companies(self, user_id: Union[int, str]) -> list[Grant]:
        """The companies the user may act in now: none for an inactive or unknown user.

        This agrees with :meth:`has_access`, which refuses inactive and unknown users.
        """
        path = "/users/%d/companies" % _user_id(user_id)
        try:
            answer = self.request("GET", path)
        except UserNotFound:
            return []
        if not answer["user"]["is_active"]:
            return []
        # Scheduled grants give no access yet (expired ones are not listed).
        items: list[Grant] = [item for item in answer["items"] if item["state"] == "active"]
        return items

    # ------------------------------------------------------------ HTTP

    def request(self, method: str, path: str, body: Optional[object] = None) -> Any:
        """Sends ``method path`` (retrying reads as the class says); returns the decoded JSON.

        ``None`` for an empty answer (204). Raises CompanyAccessError or a subclass.
        """
        for delay in self._retry_delays(method):
            try:
                return self._send(method, path, body)
            except ServerUnavailable as error:
                if error.status not in (None, 503):
                    raise
            time.sleep(delay)
        return self._send(method, path, body)

    def _retry_delays(self, method: str) -> Iterator[float]:
        # A DELETE is idempotent for the data but not for its answer: a repeat of one that
        # applied would report access_not_found for a removal that happened.
        if method != "GET":
            return
        for attempt in range(self.retries):
            yield self.backoff * 2**attempt

    def _send(
        self, method: str, path: str, body: Optional[object], csv: Optional[str] = None
    ) -> Any:
        headers = {"Accept": "application/json", "User-Agent": "company-access-client"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        if method == "GET" and self.last_revision is not None:
            headers["Company-Access-Consistency"] = "at-least %d" % self.last_revision
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if csv is not None:
            data = csv.encode("utf-8")
            headers["Content-Type"] = "text/csv"
        request = urllib.request.Request(
            self.base_url + path, data=data, headers=headers, method=method
        )
        # A proxy from the environment must not carry loopback traffic (or the key) elsewhere.
        handlers = [urllib.request.ProxyHandler({})] if _is_local(self.base_url) else []
        opener = urllib.request.build_opener(*handlers)
        try:
            with opener.open(request, timeout=self.timeout) as response:
                text = response.read().decode("utf-8")
                self._saw_revision(response.headers.get("Company-Access-Revision"))
        except urllib.error.HTTPError as error:
            raw = error.read().decode("utf-8", errors="replace")
            raise error_from_answer(
                error.code, str(error.reason), raw, self.base_url, self.token
            ) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            raise unreachable(self.base_url, getattr(error, "reason", error)) from None
        if not text.strip():
            return None
        return text if path.startswith("/access/export") else json.loads(text)

    def _saw_revision(self, header: Optional[str]) -> None:
        if header and header.isdigit():
            seen = int(header)
            if self.last_revision is None or seen > self.last_revision:
                self.last_revision = seen


def _instant(value: object) -> Optional[str]:
    """An instant as the service reads one: RFC 3339 text; a naive ``datetime`` is refused, since
    which zone it meant cannot be known."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise TypeError("a datetime for a grant's window needs a time zone (tzinfo)")
        return value.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")
    raise TypeError("an instant is a datetime or RFC 3339 text, not %r" % (value,))


def _terms(
    role: Optional[str], valid_from: Instant, valid_until: Instant, include_branches: bool
) -> dict[str, object]:
    terms: dict[str, object] = {}
    if role is not None:
        terms["role"] = role
    if valid_from is not None:
        terms["valid_from"] = _instant(valid_from)
    if valid_until is not None:
        terms["valid_until"] = _instant(valid_until)
    if not isinstance(include_branches, bool):
        raise TypeError("include_branches is True or False, not %r" % (include_branches,))
    # Sent only when asked for: false is the service's default.
    if include_branches:
        terms["include_branches"] = True
    return terms


def _query(path: str, **values: object) -> str:
    """``path`` with the values that are not ``None`` as its query string."""
    present = {key: value for key, value in values.items() if value is not None}
    return path + ("?" + urllib.parse.urlencode(present) if present else "")


def _distinct(ids: list[Any]) -> list[Any]:
    """``ids`` in order, each once."""
    return list(dict.fromkeys(ids))


def _roles(role: Roles) -> str:
    if isinstance(role, str):
        return role
    if isinstance(role, (list, tuple, set, frozenset)) and role:
        return ",".join(role)
    raise TypeError("role is a role name or a non-empty list of them, not %r" % (role,))


def _is_local(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    return host.lower() == "localhost" or host == "::1" or host.startswith("127.")


def _local_master_key(url: str) -> Optional[str]:
    if not _is_local(url):
        return None
    data_dir = os.environ.get("COMPANY_ACCESS_DATA_DIR", "").strip() or "data"
    try:
        with open(os.path.join(data_dir, "master-key"), encoding="utf-8") as key_file:
            return key_file.read().strip() or None
    except OSError:
        return None


def _user_id(user_id: object) -> int:
    try:
        value: Optional[int] = int(str(user_id).strip())
    except (TypeError, ValueError):
        value = None
    if value is None or isinstance(user_id, bool):
        raise UserNotFound(
            None, "user_not_found", "User not found: %r is not a user id (an integer)." % (user_id,)
        )
    return value


def _company_id(company_id: object) -> str:
    try:
        return str(uuid.UUID(str(company_id).strip()))
    except (TypeError, ValueError, AttributeError):
        raise CompanyNotFound(
            None,
            "company_not_found",
            "Company not found: %r is not a company id (a UUID such as "
            "3ae13ac4-23e5-45ad-9747-e699cced23b5)." % (company_id,),
        ) from None
