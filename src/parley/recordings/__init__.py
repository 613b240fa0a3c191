"""Recordings (the Claap face's core): workspaces with users, channels and keys; recordings with a lifecycle.

A recording is a conversation of the workspace's internal app plus the payloads it waits for; once they
have all arrived, one ordinary core job processes it.
"""
