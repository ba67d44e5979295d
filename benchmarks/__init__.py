"""AgentDesk's benchmarks: ``python -m benchmarks`` (or ``./run bench``) prints every figure as one table."""
