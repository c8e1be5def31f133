from hi.integrations.testing.fixtures import *  # noqa: F403
