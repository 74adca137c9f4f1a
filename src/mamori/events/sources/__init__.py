"""Where events come from: files (replay), an S3 archive and an SQS queue (watch)."""

from mamori.events.sources.base import Batch, Checkpoints, Source
from mamori.events.sources.s3 import S3Source, parse_s3_url
from mamori.events.sources.sqs import SqsSource

__all__ = ["Batch", "Checkpoints", "S3Source", "Source", "SqsSource", "parse_s3_url"]
