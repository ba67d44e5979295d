"""The phone engine: a Qt-free process in which one thread owns the pjsua2 Endpoint (docs/engine-protocol.md)."""
