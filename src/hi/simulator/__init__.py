"""Protocol-faithful fake servers of the external systems, with run-time fault injection."""
