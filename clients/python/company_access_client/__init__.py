"""Which users may act in which companies: a typed, standard-library client for Company Access.

The module-level functions build a :class:`Client` from the environment at every call
(``COMPANY_ACCESS_URL``, ``COMPANY_ACCESS_TOKEN``; see :meth:`Client.from_env`)::

    from company_access_client import has_access, allowed_companies
    if has_access(user_id=5, company_id="3ae13ac4-23e5-45ad-9747-e699cced23b5"):
        ...

Failures raise :class:`CompanyAccessError` or one of its subclasses.
"""

from __future__ import annotations

from typing import Any, Optional, Union

from .client import (
    DEFAULT_URL,
    AccessDecision,
    AddManyResult,
    Client,
    Company,
    CompanyMember,
    CompanyMembers,
    CompanyPage,
    Grant,
    RemovedGrant,
    RemoveManyResult,
    Roles,
)
from .errors import (
    AccessNotFound,
    AlreadyHasAccess,
    CompanyAccessError,
    CompanyNameTaken,
    CompanyNotFound,
    HierarchyCycle,
    HierarchyRefused,
    HierarchyTooDeep,
    OutOfReach,
    ServerUnavailable,
    Unauthorized,
    UserNotFound,
)

__version__ = "0.1.0"

__all__ = [
    "Client",
    "DEFAULT_URL",
    "Grant",
    "AddManyResult",
    "RemovedGrant",
    "RemoveManyResult",
    "AccessDecision",
    "Company",
    "CompanyPage",
    "CompanyMember",
    "CompanyMembers",
    "add_company_to_user",
    "add_companies_to_user",
    "list_user_companies",
    "remove_company_from_user",
    "remove_companies_from_users",
    "has_access",
    "allowed_companies",
    "CompanyAccessError",
    "UserNotFound",
    "OutOfReach",
    "CompanyNotFound",
    "AlreadyHasAccess",
    "AccessNotFound",
    "CompanyNameTaken",
    "HierarchyRefused",
    "HierarchyCycle",
    "HierarchyTooDeep",
    "Unauthorized",
    "ServerUnavailable",
]


def add_company_to_user(
    user_id: Union[int, str], company_id: str, role: Optional[str] = None, **window: Any
) -> Grant:
    """Gives the user access to one company; returns the grant (see Client.add_company_to_user)."""
    return Client.from_env().add_company_to_user(user_id, company_id, role, **window)


def add_companies_to_user(
    user_id: Union[int, str], company_ids: list[str], role: Optional[str] = None, **window: Any
) -> AddManyResult:
    """Gives the user several companies, all or nothing (see Client.add_companies_to_user)."""
    return Client.from_env().add_companies_to_user(user_id, company_ids, role, **window)


def list_user_companies(user_id: Union[int, str]) -> list[Grant]:
    """The user's companies, explicit grants first (see Client.list_user_companies)."""
    return Client.from_env().list_user_companies(user_id)


def remove_company_from_user(user_id: Union[int, str], company_id: str) -> None:
    """Takes one company away from the user (see Client.remove_company_from_user)."""
    Client.from_env().remove_company_from_user(user_id, company_id)


def remove_companies_from_users(
    user_ids: list[Union[int, str]], company_ids: list[str], dry_run: bool = False
) -> RemoveManyResult:
    """Takes every listed company from every listed user, all or nothing; with ``dry_run`` only
    names the grants that would go (see Client.remove_companies_from_users)."""
    return Client.from_env().remove_companies_from_users(user_ids, company_ids, dry_run)


def has_access(user_id: Union[int, str], company_id: str, role: Roles = None) -> bool:
    """Whether the user may act in the company (see Client.has_access)."""
    return Client.from_env().has_access(user_id, company_id, role)


def allowed_companies(user_id: Union[int, str]) -> list[Grant]:
    """The companies the user may act in now (see Client.allowed_companies)."""
    return Client.from_env().allowed_companies(user_id)
