"""The package as users get it: pip-installed into a fresh venv, typed, and clean."""

import glob
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from realserver import HERE

SOURCES = ["company_access_client", "add_user_companies.py"]


def run(command, **options):
    done = subprocess.run(command, capture_output=True, text=True, check=False, **options)
    assert done.returncode == 0, "%s\n%s%s" % (command, done.stdout, done.stderr)
    return done.stdout


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A fresh venv with `pip install ./clients/python` in it (from a copy of the directory, so
    that the build's leftovers stay out of the work tree)."""
    root = tmp_path_factory.mktemp("install")
    project = root / "python"
    shutil.copytree(
        HERE,
        project,
        ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".*cache"),
    )
    run([sys.executable, "-m", "venv", str(root / "venv")])
    python = str(root / "venv" / "bin" / "python")
    run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", str(project)])
    return python, root


def test_the_old_import_works_after_pip_install(venv, server, ids):
    python, root = venv
    env = dict(os.environ, COMPANY_ACCESS_URL=server.url, COMPANY_ACCESS_TOKEN=server.key)
    # Outside the source tree, so that only the installed copy can be imported.
    one_liner = (
        "from add_user_companies import add_company_to_user; "
        "from company_access_client import Client"
    )
    run([python, "-c", one_liner], cwd=str(root), env=env)

    script = textwrap.dedent(
        """
        import importlib.metadata, os, sys
        import add_user_companies, company_access_client
        from add_user_companies import AlreadyHasAccess, add_company_to_user, list_user_companies
        assert "site-packages" in company_access_client.__file__, company_access_client.__file__
        package = os.path.dirname(company_access_client.__file__)
        assert os.path.exists(os.path.join(package, "py.typed"))
        assert add_user_companies.AlreadyHasAccess is company_access_client.AlreadyHasAccess
        print(add_company_to_user(5, sys.argv[1])["company_name"])
        try:
            add_company_to_user(5, sys.argv[1])
        except AlreadyHasAccess as error:
            print(error.status)
        print([grant["company_name"] for grant in list_user_companies(5)])
        print(importlib.metadata.requires("company-access-client"))
        """
    )
    lines = run([python, "-c", script, ids["NYC"]], cwd=str(root), env=env).splitlines()
    assert lines[:3] == ["NYC", "409", "['NYC']"]
    assert "extra == \"flask\"" in lines[3] and "flask" in lines[3]


def test_flask_is_needed_only_by_the_decorator(venv):
    python, root = venv
    script = textwrap.dedent(
        """
        import company_access_client.flask as guard
        try:
            import flask
        except ImportError:
            pass
        else:
            raise SystemExit("flask came with the package")
        try:
            guard.requires_company_access()
        except ImportError as error:
            print(error)
        """
    )
    out = run([python, "-c", script], cwd=str(root))
    assert 'pip install "company-access-client[flask]"' in out


def test_the_command_line_runs_from_the_install(venv, server):
    python, root = venv
    env = dict(os.environ, COMPANY_ACCESS_URL=server.url, COMPANY_ACCESS_TOKEN=server.key)
    out = run([python, "-m", "add_user_companies", "list", "2"], cwd=str(root), env=env)
    assert "Main Office (default)" in out


def run_ok(command):
    return subprocess.run(command, capture_output=True, check=False).returncode == 0


def oldest_python():
    """Python 3.9, the oldest the package supports, where this machine has it."""
    # A pyenv shim on PATH may exist yet refuse to run, hence the trial run.
    found = [shutil.which("python3.9")]
    found += glob.glob(os.path.expanduser("~/.pyenv/versions/3.9*/bin/python3.9"))
    for candidate in found:
        if candidate and run_ok([candidate, "--version"]):
            return candidate
    return None


def test_the_oldest_supported_python_imports_and_resolves_every_hint():
    python = oldest_python()
    if python is None:
        pytest.skip("no Python 3.9 here")
    script = textwrap.dedent(
        """
        import inspect, typing
        import add_user_companies, company_access_client, company_access_client.flask
        for module in (company_access_client, company_access_client.flask):
            for name in module.__all__:
                thing = getattr(module, name)
                if callable(thing):
                    typing.get_type_hints(thing)
                if inspect.isclass(thing):
                    for _, method in inspect.getmembers(thing, inspect.isfunction):
                        typing.get_type_hints(method)
        """
    )
    run([python, "-c", script], cwd=HERE)


def test_mypy_strict(tmp_path):
    cache = ["--cache-dir", str(tmp_path)]
    run([sys.executable, "-m", "mypy", "--strict", *cache, *SOURCES], cwd=HERE)


def test_pyflakes():
    files = [name for name in os.listdir(HERE) if name.endswith(".py")]
    run([sys.executable, "-m", "pyflakes", "company_access_client", *files], cwd=HERE)
