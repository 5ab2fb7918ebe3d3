"""Production settings must pass Django's deployment checks and refuse an insecure secret key."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

PRODUCTION = {"DJANGO_SETTINGS_MODULE": "cmetrack.settings.production"}


def _cmetrack(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console entry point, fixed arguments
        [sys.executable, "-m", "cmetrack.cli", *args],
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            **PRODUCTION,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy_with_no_warnings() -> None:
    result = _cmetrack(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        CMETRACK_SECRET_KEY=secrets.token_urlsafe(50),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_real_secret_key() -> None:
    result = _cmetrack("check", CMETRACK_SECRET_KEY="")
    assert result.returncode != 0
    assert "CMETRACK_SECRET_KEY" in result.stderr


def test_static_files_collect_under_production_settings_into_a_manifest(tmp_path: Path) -> None:
    # The minified GOV.UK and MOJ files name their source maps: the manifest storage refuses a
    # file that names one it cannot find, and every page would then answer 500.
    result = _cmetrack(
        "collectstatic",
        "--noinput",
        CMETRACK_SECRET_KEY=secrets.token_urlsafe(50),
        CMETRACK_STATIC_ROOT=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    paths = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in (
        "vendor/govuk/govuk-frontend.min.css",
        "vendor/moj/moj-frontend.min.css",
        "vendor/moj/moj-frontend.min.css.map",
        "cmetrack/init.mjs",
    ):
        assert name in paths, name
