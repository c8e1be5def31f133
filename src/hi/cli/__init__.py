"""The ``hi`` console script."""
