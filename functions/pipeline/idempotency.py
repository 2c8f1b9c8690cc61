"""Powertools idempotency on the shared status table: its layout is defined here once.

Status items and idempotency records share one DynamoDB table (hash key `id`, TTL attribute
`expiration`, as Terraform's table module creates it); each function keys its records by
what makes a message a duplicate, under its own prefix.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
)

from .settings import CommonSettings

TABLE_KEY_ATTR = "id"
TABLE_EXPIRY_ATTR = "expiration"


def idempotency_for(
    settings: CommonSettings, event_key_jmespath: str
) -> tuple[DynamoDBPersistenceLayer, IdempotencyConfig]:
    """The persistence layer and config for records keyed by `event_key_jmespath`."""
    persistence = DynamoDBPersistenceLayer(
        table_name=settings.table_name, key_attr=TABLE_KEY_ATTR, expiry_attr=TABLE_EXPIRY_ATTR
    )
    config = IdempotencyConfig(
        event_key_jmespath=event_key_jmespath,
        raise_on_no_idempotency_key=True,
        expires_after_seconds=settings.idempotency_ttl_seconds,
    )
    return persistence, config
