"""Responders: what happens when a detection fires (registry ``RESPONDERS``)."""

from mamori.events.responders import aws, notify  # noqa: F401 - registers the built-in responders
from mamori.events.responders.base import (
    RESPONDERS,
    ApiCall,
    AwsClients,
    Plan,
    Responder,
    ResponseEnv,
    ResponseResult,
)

__all__ = ["RESPONDERS", "ApiCall", "AwsClients", "Plan", "Responder", "ResponseEnv", "ResponseResult"]
