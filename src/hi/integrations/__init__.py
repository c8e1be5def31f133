"""The integration framework: how external systems plug into the hub."""
