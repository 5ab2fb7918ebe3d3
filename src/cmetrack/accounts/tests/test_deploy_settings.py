"""Production settings must pass Django's deployment checks and refuse an insecure secret key."""

import os
import secrets
import subprocess
import sys

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
