"""The Claap-compatible face: the Recordings API (`/v1/recordings`, `X-Claap-Key`), seed 003."""
