"""The live-update plumbing: the in-process bus, the cross-process feed and bridge, and SSE."""
