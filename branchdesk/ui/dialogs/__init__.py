"""Dialogs and the flows around them."""
