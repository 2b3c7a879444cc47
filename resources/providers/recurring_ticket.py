"""Kept so states written before resources/objects/ existed still unpickle their provider."""

from resources.objects.recurring_ticket import RecurringTicket, RecurringTicketProvider

__all__ = ["RecurringTicket", "RecurringTicketProvider"]
