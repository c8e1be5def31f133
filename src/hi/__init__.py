"""hi, the home information hub."""

__version__ = "0.1.0"
