"""The practice center: a center on the agent's own machine, the default when none is configured."""
