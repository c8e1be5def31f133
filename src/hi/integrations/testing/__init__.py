"""A test-only integration (``toy``): simulator, gateway and pytest fixtures for framework tests."""
