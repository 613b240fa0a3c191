"""Rooms people join from a browser (WebRTC), their recordings, and the VideoSDK-style keys that open them."""
