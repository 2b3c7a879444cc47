"""Kept so states written before resources/objects/ existed still unpickle their provider."""

from resources.objects.organization import Organization, OrganizationExists, OrganizationProvider

__all__ = ["Organization", "OrganizationExists", "OrganizationProvider"]
