"""A second authority's cmetrack in a process of its own, for the two-installation test
(test_two_installations.py): its own SQLite file, its own settings (from the environment), its
own HTTP server on 127.0.0.1, and a few commands on stdin (one JSON object a line, answered on
stdout the same way) for what its CME team would do on its pages.

    python -m cmetrack.exchange.tests.second_site PORT

Environment: DATABASE_URL, CMETRACK_AUTHORITY_LA_CODE, CMETRACK_AUTHORITY_NAME,
CMETRACK_EXCHANGE_KEY, CMETRACK_EXCHANGE_ALLOW_HTTP=true, DJANGO_SETTINGS_MODULE.
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any


def _say(**answer: Any) -> None:
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


def main(port: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    from cmetrack.accounts.models import Organisation, User
    from cmetrack.api.models import Scope
    from cmetrack.api.tokens import api_token_issue
    from cmetrack.exchange.models import OutboxMessage
    from cmetrack.exchange.services.peers import peer_add
    from cmetrack.referrals.models import Direction, OtherLaNotification
    from cmetrack.referrals.services import submission_open_case

    team = Organisation.objects.create(kind=Organisation.Kind.LA_TEAM, name="Knowsley CME team")
    admin = User.objects.create(
        username="k-admin", email="admin@knowsley.example", role=User.Role.ADMIN, organisation=team
    )
    officer = User.objects.create(
        username="k-officer",
        email="officer@knowsley.example",
        first_name="Kim",
        last_name="Officer",
        role=User.Role.CME_OFFICER,
        organisation=team,
    )

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", port), Quiet, allow_reuse_address=True)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _say(ready=True)

    for line in sys.stdin:
        command = json.loads(line)
        what = command.pop("cmd")
        if what == "peer":
            # The sending authority, as `cmetrack exchange-peer add --issue-token` records it.
            peer = peer_add(by=admin, **command)
            _, token = api_token_issue(
                user=peer.account, name="Sefton", scopes=[Scope.SUBMIT], days=30, by=admin
            )
            _say(token=token)
        elif what == "queue":
            inbound = OtherLaNotification.objects.filter(direction=Direction.INBOUND)
            _say(
                queue=[
                    {
                        "reference": n.reference,
                        "surname": n.surname,
                        "other_la_code": n.other_la_code,
                        "triage_state": n.triage_state,
                    }
                    for n in inbound
                ]
            )
        elif what == "accept":
            note = OtherLaNotification.objects.get(reference=command["reference"])
            case = submission_open_case(submission=note, by=officer)
            reply = OutboxMessage.objects.get(kind="reply", notification=note)
            _say(case=case.reference, case_status=case.status, reply=reply.status)
        elif what == "quit":
            break
    server.shutdown()


if __name__ == "__main__":
    main(int(sys.argv[1]))
