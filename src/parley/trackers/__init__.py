"""Managed trackers: named vocabularies an app keeps and refers to from jobs (`trackers[{id}]`)."""
