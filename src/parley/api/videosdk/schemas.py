"""VideoSDK's request bodies (seed 004 and its rooms API), validated; unknown fields are refused."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, HttpUrl

from parley.jobs.options import WireModel
from parley.rooms.layout import RecordingConfig
from parley.rooms.recordings import RecordingRequest


class CreateRoomRequest(WireModel):
    customRoomId: str | None = Field(default=None, min_length=1, max_length=200)


class RoomIdBody(WireModel):
    roomId: str = Field(min_length=1, max_length=100, description="The ID of the Room")


class SummaryRequest(WireModel):
    enabled: bool = False
    prompt: str | None = Field(default=None, max_length=4000, description="Your customised summary prompt")


class TranscriptionRequest(WireModel):
    enabled: bool = False
    summary: SummaryRequest | None = None


class LayoutRequest(WireModel):
    type: Literal["GRID", "SPOTLIGHT", "SIDEBAR"] = "GRID"
    priority: Literal["SPEAKER", "PIN"] = "SPEAKER"
    gridSize: int = Field(default=4, ge=1, le=4)


class ConfigRequest(WireModel):
    layout: LayoutRequest = Field(default_factory=LayoutRequest)
    theme: Literal["DARK", "LIGHT", "DEFAULT"] = "DEFAULT"
    mode: Literal["video-and-audio", "audio"] = "video-and-audio"
    quality: Literal["low", "med", "high"] = "med"
    orientation: Literal["portrait", "landscape"] = "landscape"


class StartRecordingRequest(RoomIdBody):
    templateUrl: HttpUrl | None = Field(
        default=None,
        description="Accepted and ignored: stored and shown back, but Parley composes the video itself "
        "from config and renders no page",
    )
    transcription: TranscriptionRequest = Field(default_factory=TranscriptionRequest)
    config: ConfigRequest = Field(default_factory=ConfigRequest)
    webhookUrl: HttpUrl | None = None
    awsDirPath: str | None = Field(default=None, min_length=1, max_length=500)
    preSignedUrl: HttpUrl | None = None

    def to_core(self) -> RecordingRequest:
        config, summary = self.config, self.transcription.summary
        return RecordingRequest(
            room_id=self.roomId,
            config=RecordingConfig(
                layout=config.layout.type,
                priority=config.layout.priority,
                grid_size=config.layout.gridSize,
                theme=config.theme,
                mode=config.mode,
                quality=config.quality,
                orientation=config.orientation,
            ),
            transcription=self.transcription.enabled,
            summary=self.transcription.enabled and summary is not None and summary.enabled,
            summary_prompt=summary.prompt if summary else None,
            webhook_url=str(self.webhookUrl) if self.webhookUrl else None,
            aws_dir_path=self.awsDirPath,
            presigned_url=str(self.preSignedUrl) if self.preSignedUrl else None,
            template_url=str(self.templateUrl) if self.templateUrl else None,
        )
