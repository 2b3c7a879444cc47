"""Kept so states written before resources/objects/ existed still unpickle their provider."""

from resources.objects.email_rule import EmailRule, EmailRuleProvider

__all__ = ["EmailRule", "EmailRuleProvider"]
