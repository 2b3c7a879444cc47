"""Thin dynamic providers: Pulumi's resource lifecycle mapped onto the Syncro client."""
