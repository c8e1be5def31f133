from hi.simulator.testing import *  # noqa: F403
