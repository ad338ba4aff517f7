"""The seed's examples, run through add_user_companies against a real server.

Uses the server named by COMPANY_ACCESS_TEST_URL and COMPANY_ACCESS_TEST_TOKEN (it must hold the
demo data, fresh), or else starts one (see realserver.py).

    python3 -m unittest -v test_add_user_companies      # or: pytest test_add_user_companies.py
"""

import os
import socket
import subprocess
import sys
import tempfile
import unittest
import urllib.request
import uuid

from add_user_companies import (
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
from company_access_client import Client
from realserver import HERE, Server


def _get(path):
    """A read through the same configuration the module uses."""
    return Client.from_env().request("GET", path)


def _user(username):
    return _get("/users?username=" + username)["items"][0]["id"]


def _company(name):
    return _get("/companies?name=" + urllib.request.quote(name))["items"][0]["id"]


class SeedExamples(unittest.TestCase):
    server = None
    saved_env = None

    @classmethod
    def setUpClass(cls):
        cls.saved_env = {
            k: os.environ.get(k)
            for k in ("COMPANY_ACCESS_URL", "COMPANY_ACCESS_TOKEN", "COMPANY_ACCESS_DATA_DIR")
        }
        url = os.environ.get("COMPANY_ACCESS_TEST_URL")
        if url:
            os.environ["COMPANY_ACCESS_URL"] = url
            os.environ["COMPANY_ACCESS_TOKEN"] = os.environ.get("COMPANY_ACCESS_TEST_TOKEN", "")
        else:
            cls.server = Server()
            os.environ["COMPANY_ACCESS_URL"] = cls.server.url
            os.environ["COMPANY_ACCESS_TOKEN"] = cls.server.key
        cls.sarah = _user("sarah")
        cls.john = _user("john_smith")
        cls.nyc = _company("NYC")
        cls.la = _company("LA")
        cls.main_office = _company("Main Office")
        cls.branch_a = _company("Branch_A")

    @classmethod
    def tearDownClass(cls):
        if cls.server is not None:
            cls.server.stop()
        for key, value in cls.saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def names(self, user_id):
        return sorted(grant["company_name"] for grant in list_user_companies(user_id))

    def test_1_seed_examples_in_order(self):
        # Add single company to user
        grant = add_company_to_user(user_id=self.sarah, company_id=self.nyc)
        self.assertEqual(grant["company_name"], "NYC")
        self.assertEqual(grant["source"], "grant")

        # Add multiple companies (one she already has is reported, not an error)
        result = add_companies_to_user(
            user_id=self.sarah, company_ids=[self.la, self.main_office, self.nyc]
        )
        self.assertEqual(
            sorted(g["company_name"] for g in result["added"]), ["LA", "Main Office"]
        )
        self.assertEqual(result["already_present"], [self.nyc])

        # List user's companies
        self.assertEqual(self.names(self.sarah), ["LA", "Main Office", "NYC"])

        # Remove company
        self.assertIsNone(remove_company_from_user(user_id=self.sarah, company_id=self.main_office))
        self.assertEqual(self.names(self.sarah), ["LA", "NYC"])

    def test_2_adding_a_company_twice_raises_already_has_access(self):
        add_company_to_user(self.john, self.branch_a)
        with self.assertRaises(AlreadyHasAccess) as caught:
            add_company_to_user(self.john, self.branch_a)
        error = caught.exception
        self.assertIsInstance(error, CompanyAccessError)
        self.assertEqual(error.status, 409)
        self.assertEqual(error.code, "already_has_access")
        self.assertIn("already has access", error.detail)

    def test_3_unknown_user_and_company_raise_not_found(self):
        with self.assertRaises(UserNotFound) as caught:
            add_company_to_user(999999, self.nyc)
        self.assertEqual((caught.exception.status, caught.exception.code), (404, "user_not_found"))
        with self.assertRaises(UserNotFound):
            list_user_companies(999999)
        with self.assertRaises(CompanyNotFound) as caught:
            add_company_to_user(self.sarah, str(uuid.uuid4()))
        self.assertEqual(caught.exception.status, 404)
        with self.assertRaises(CompanyNotFound):
            add_companies_to_user(self.sarah, [self.la, str(uuid.uuid4())])
        # The seed's placeholder is not a company id at all.
        with self.assertRaises(CompanyNotFound) as caught:
            add_company_to_user(self.sarah, "uuid-xxx")
        self.assertIsNone(caught.exception.status)
        with self.assertRaises(UserNotFound):
            add_company_to_user("sarah", self.nyc)

    def test_4_removing_a_company_the_user_lacks_raises_access_not_found(self):
        with self.assertRaises(AccessNotFound) as caught:
            remove_company_from_user(self.john, self.nyc)
        self.assertEqual(caught.exception.status, 404)
        self.assertEqual(caught.exception.code, "access_not_found")

    def test_5_wrong_key_and_unreachable_server(self):
        saved = os.environ["COMPANY_ACCESS_TOKEN"]
        os.environ["COMPANY_ACCESS_TOKEN"] = "not-a-key"
        try:
            with self.assertRaises(Unauthorized) as caught:
                list_user_companies(self.sarah)
            self.assertEqual(caught.exception.status, 401)
        finally:
            os.environ["COMPANY_ACCESS_TOKEN"] = saved

        saved_url = os.environ["COMPANY_ACCESS_URL"]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        os.environ["COMPANY_ACCESS_URL"] = "http://127.0.0.1:%d" % port
        try:
            with self.assertRaises(ServerUnavailable) as caught:
                list_user_companies(self.sarah)
            self.assertIsNone(caught.exception.status)
            self.assertIn("Cannot reach", str(caught.exception))
        finally:
            os.environ["COMPANY_ACCESS_URL"] = saved_url

    def test_6_master_key_file_is_used_for_a_local_server_without_a_token(self):
        saved = os.environ.pop("COMPANY_ACCESS_TOKEN")
        with tempfile.TemporaryDirectory() as data_dir:
            with open(os.path.join(data_dir, "master-key"), "w", encoding="utf-8") as key_file:
                key_file.write(saved + "\n")
            os.environ["COMPANY_ACCESS_DATA_DIR"] = data_dir
            try:
                self.assertIsInstance(list_user_companies(self.sarah), list)
            finally:
                os.environ["COMPANY_ACCESS_TOKEN"] = saved
                os.environ.pop("COMPANY_ACCESS_DATA_DIR", None)

    def test_7_command_line(self):
        env = dict(os.environ)
        script = os.path.join(HERE, "add_user_companies.py")
        run = subprocess.run(
            [sys.executable, script, "list", str(self.sarah)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        self.assertEqual(run.returncode, 0, run.stderr)
        run = subprocess.run(
            [sys.executable, script, "remove", str(self.john), self.la],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        self.assertEqual(run.returncode, 3, run.stderr)
        self.assertIn("does not have access", run.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
