"""The Symbl.ai-compatible face: authentication, the Async API, the Job API and the Conversation API."""
