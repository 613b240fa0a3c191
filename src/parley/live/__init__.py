"""Live sessions: the Streaming API and telephony dial-in, transcribed as they happen and stored as
ordinary conversations when they end (hub.py is the entry point)."""
