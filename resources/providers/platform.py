"""Kept so states written before resources/objects/ existed still unpickle their provider."""

from resources.objects.platform import (
    CustomFieldDefinitionProvider,
    SupportMailboxProvider,
    TicketAutomationProvider,
    TicketPreferencesProvider,
)

__all__ = [
    "CustomFieldDefinitionProvider",
    "SupportMailboxProvider",
    "TicketAutomationProvider",
    "TicketPreferencesProvider",
]
