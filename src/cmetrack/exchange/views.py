"""The exchange's API endpoints, under /api/v1/exchange/: what another authority's cmetrack
delivers to us. Built on the API's own view (token, scope, audit of every call, one error
body); the token must be a peer's account's, and its request signed (api/authentication.py).
Thin: the form checks, the exchange services write (through the referrals services)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from cmetrack.api.bridge import (
    BadValue,
    form_data,
    form_problems,
    request_serializer,
    use_natural_keys,
)
from cmetrack.api.errors import Problem, error_response
from cmetrack.api.models import Scope
from cmetrack.api.representations import SubmissionStatusSerializer
from cmetrack.api.views import ERRORS, ApiView
from cmetrack.referrals.models import HandoverState
from cmetrack.referrals.sending import OTHER_LA_NOTIFICATION

from .models import Answer, Peer
from .services.errors import ExchangeError
from .services.inbound import (
    Receipt,
    already_received,
    handover_receive,
    reply_receive,
    withdrawal_receive,
)
from .services.peers import peer_for_account

NOT_A_PEER = "This token's account is not another authority's cmetrack."


class NotificationReceiptSerializer(SubmissionStatusSerializer):
    message_id = serializers.UUIDField()


class NotificationMessageSerializer(serializers.Serializer[Any]):
    message_id = serializers.UUIDField(
        help_text="The sender's id for this message: sent again, it is recorded once."
    )
    reference = serializers.CharField(
        max_length=20, help_text="The sender's reference for its hand-over (OLA-…)."
    )
    notification = request_serializer(
        OTHER_LA_NOTIFICATION.form, with_school=OTHER_LA_NOTIFICATION.names_school
    )(help_text="The other-LA notification form's fields (POST /api/v1/other-la-notifications/).")


class ReplyMessageSerializer(serializers.Serializer[Any]):
    message_id = serializers.UUIDField()
    reference = serializers.CharField(
        max_length=20, help_text="Our reference for the hand-over being answered (OLA-…)."
    )
    answer = serializers.ChoiceField(choices=Answer.choices)
    reason = serializers.CharField(
        allow_blank=True,
        required=False,
        help_text="Why it was declined (required then), or what more is needed.",
    )


class WithdrawalMessageSerializer(serializers.Serializer[Any]):
    message_id = serializers.UUIDField()
    reference = serializers.CharField(
        max_length=20, help_text="The sender's reference for the hand-over it withdraws."
    )
    reason = serializers.CharField(allow_blank=True, required=False)


class WithdrawalReceiptSerializer(serializers.Serializer[Any]):
    message_id = serializers.UUIDField()
    reference = serializers.CharField(help_text="Our reference for the notification.")
    withdrawn = serializers.BooleanField()


class ReplyReceiptSerializer(serializers.Serializer[Any]):
    message_id = serializers.UUIDField()
    reference = serializers.CharField()
    handover_state = serializers.ChoiceField(choices=HandoverState.choices)


def _problem(field: str | None, message: str) -> list[Problem]:
    return [{"field": field, "message": message}]


def _answer(receipt: Receipt) -> Response:
    # The first delivery is 201; the same message again is 200 with the same body.
    return Response(
        receipt.answer, status=status.HTTP_201_CREATED if receipt.first else status.HTTP_200_OK
    )


def _about_our_handover(receive: Callable[[], Receipt]) -> Response:
    """A message about a hand-over already between us (a reply, a withdrawal): the answer, 404
    when that peer has no such hand-over, or the service's refusal as a 400."""
    try:
        return _answer(receive())
    except LookupError:
        raise NotFound("No such hand-over.") from None
    except ExchangeError as error:
        return error_response(_problem(error.field or None, str(error)), 400)


class ExchangeView(ApiView):
    required_scope = Scope.SUBMIT

    def peer(self) -> Peer:
        peer = peer_for_account(self.user)
        if peer is None:
            raise PermissionDenied(NOT_A_PEER)
        return peer

    def envelope(self, request: Request) -> tuple[dict[str, Any], uuid.UUID] | Response:
        data = request.data
        if not isinstance(data, dict):
            return error_response(_problem(None, "Send a JSON object."), 400)
        try:
            message_id = uuid.UUID(str(data.get("message_id", "")))
        except ValueError:
            return error_response(_problem("message_id", "Give the message's id (a UUID)."), 400)
        reference = data.get("reference")
        if not isinstance(reference, str) or not reference.strip() or len(reference) > 20:
            return error_response(_problem("reference", "Give the hand-over's reference."), 400)
        return data, message_id

    def opened(
        self, request: Request, fields: set[str]
    ) -> tuple[Peer, dict[str, Any], uuid.UUID] | Response:
        """The peer, the message and its id; or the answer already: the first answer to a
        repeated id (before any check, whatever was sent), or the envelope's or an unknown
        field's error."""
        peer = self.peer()
        checked = self.envelope(request)
        if isinstance(checked, Response):
            return checked
        data, message_id = checked
        repeat = already_received(peer=peer, message_id=message_id)
        if repeat is not None:
            return _answer(repeat)
        unknown = sorted(set(data) - {"message_id", "reference", *fields})
        if unknown:
            return error_response(_problem(unknown[0], f"Unknown field {unknown[0]!r}."), 400)
        return peer, data, message_id


class NotificationReceiveView(ExchangeView):
    """A hand-over from another authority's cmetrack: it lands in the incoming queue."""

    @extend_schema(
        operation_id="exchange_notification_receive",
        summary="Receive a hand-over from another authority's cmetrack",
        description=(
            "Signed (X-Cmetrack-Timestamp, X-Cmetrack-Signature: docs/exchange.md) by a peer "
            "authority's token. Recorded once per message_id: the same id again answers 200 "
            "with the first answer and records nothing."
        ),
        request=NotificationMessageSerializer,
        responses={
            201: NotificationReceiptSerializer,
            200: NotificationReceiptSerializer,
            400: ERRORS,
            401: ERRORS,
            403: ERRORS,
        },
        tags=["exchange"],
    )
    def post(self, request: Request) -> Response:
        opened = self.opened(request, {"notification"})
        if isinstance(opened, Response):
            return opened
        peer, data, message_id = opened
        kind = OTHER_LA_NOTIFICATION
        try:
            fields = form_data(kind.form, data.get("notification"))
        except BadValue as bad:
            where = bad.problem["field"]
            return error_response(
                [{**bad.problem, "field": f"notification.{where}" if where else "notification"}],
                400,
            )
        form = kind.form(fields, user=self.user)  # type: ignore[call-arg]
        use_natural_keys(form)
        if not form.is_valid():
            return error_response(
                [
                    {**p, "field": f"notification.{p['field']}" if p["field"] else "notification"}
                    for p in form_problems(form)
                ],
                400,
            )
        try:
            receipt = handover_receive(
                peer=peer,
                message_id=message_id,
                reference=str(data["reference"]),
                form=form,
                by=self.user,
            )
        except ExchangeError as error:
            return error_response(_problem(error.field or None, str(error)), 400)
        return _answer(receipt)


class ReplyReceiveView(ExchangeView):
    """Another authority's answer to a hand-over we sent it."""

    @extend_schema(
        operation_id="exchange_reply_receive",
        summary="Receive another authority's answer to a hand-over sent to it",
        description=(
            "Signed by a peer authority's token. `accepted` closes the sending case (handed to "
            "another LA), `declined` returns it to enquiries, `more_information` sets the "
            "sending officer a task. A hand-over addressed to another authority is 404. "
            "Recorded once per message_id."
        ),
        request=ReplyMessageSerializer,
        responses={
            201: ReplyReceiptSerializer,
            200: ReplyReceiptSerializer,
            400: ERRORS,
            401: ERRORS,
            403: ERRORS,
            404: ERRORS,
        },
        tags=["exchange"],
    )
    def post(self, request: Request) -> Response:
        opened = self.opened(request, {"answer", "reason"})
        if isinstance(opened, Response):
            return opened
        peer, data, message_id = opened
        answer, reason = data.get("answer"), data.get("reason", "")
        if not isinstance(answer, str) or answer not in Answer.values:
            return error_response(
                _problem("answer", f"Answer one of: {', '.join(Answer.values)}."), 400
            )
        if not isinstance(reason, str):
            return error_response(_problem("reason", "Give a string."), 400)
        return _about_our_handover(
            lambda: reply_receive(
                peer=peer,
                message_id=message_id,
                reference=str(data["reference"]),
                answer=answer,
                reason=reason,
                by=self.user,
            )
        )


class WithdrawalReceiveView(ExchangeView):
    """Another authority's cmetrack withdraws a hand-over it delivered here."""

    @extend_schema(
        operation_id="exchange_withdrawal_receive",
        summary="Receive the withdrawal of a hand-over another authority sent",
        description=(
            "Signed by a peer authority's token. Recorded on the notification (and on a case "
            "opened from it, with a task to check the child is still here); nothing is closed. "
            "A hand-over that peer did not deliver is 404. Recorded once per message_id."
        ),
        request=WithdrawalMessageSerializer,
        responses={
            201: WithdrawalReceiptSerializer,
            200: WithdrawalReceiptSerializer,
            400: ERRORS,
            401: ERRORS,
            403: ERRORS,
            404: ERRORS,
        },
        tags=["exchange"],
    )
    def post(self, request: Request) -> Response:
        opened = self.opened(request, {"reason"})
        if isinstance(opened, Response):
            return opened
        peer, data, message_id = opened
        reason = data.get("reason", "")
        if not isinstance(reason, str):
            return error_response(_problem("reason", "Give a string."), 400)
        return _about_our_handover(
            lambda: withdrawal_receive(
                peer=peer,
                message_id=message_id,
                reference=str(data["reference"]),
                reason=reason,
                by=self.user,
            )
        )
