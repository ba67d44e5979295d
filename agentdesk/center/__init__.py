"""The center connection: the AgentDesk Center API client, the durable outbox, the practice center. No Qt."""
