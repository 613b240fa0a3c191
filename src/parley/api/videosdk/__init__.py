"""The VideoSDK face: rooms (/v2/rooms), room recordings (/v2/recordings) and the join page (/rooms/...)."""
