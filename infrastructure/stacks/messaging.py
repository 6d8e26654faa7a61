"""The SQS queues feeding the functions, each with its dead-letter queue.

A queue's visibility timeout is six times the longest timeout of the functions
it feeds (AWS's advice for SQS event sources); a message received
``max_receive_count`` times without success moves to the dead-letter queue,
the number the functions read to know their last attempt.

``TextractChannel`` is Textract's notification channel: the SNS topic it
announces finished asynchronous jobs on (encrypted with the stage's key), the
role it assumes to publish there, and the subscription of the
``textract-completions`` queue, which feeds the completion function.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infrastructure.stacks.options import StageOptions

VISIBILITY_FACTOR = 6
DLQ_RETENTION = cdk.Duration.days(14)
QUEUE_RETENTION = cdk.Duration.days(4)


def max_receive_count() -> int:
    """The redrive count: ``JUSTICIA_MAX_RECEIVE_COUNT``'s default in the code."""
    from chalicelib.config import get_settings

    return get_settings().max_receive_count


def queue_timeouts() -> dict[str, int]:
    """Each queue name with the longest timeout (s) of the functions it feeds."""
    from chalicelib.deployment import QUEUE_FUNCTIONS

    timeouts: dict[str, int] = {}
    for function in QUEUE_FUNCTIONS:
        timeouts[function.queue] = max(
            timeouts.get(function.queue, 0), function.timeout_seconds
        )
    return timeouts


@dataclass(frozen=True)
class QueuePair:
    """A work queue and the dead-letter queue behind it."""

    queue: sqs.Queue
    dead_letters: sqs.Queue


class Queues(Construct):
    """The stage's queues by name (``document-events``, ``signing``)."""

    def __init__(self, scope: Construct, id: str, *, options: StageOptions) -> None:
        super().__init__(scope, id)
        receives = max_receive_count()
        self.by_name: dict[str, QueuePair] = {
            name: self._pair(name, timeout, receives, options)
            for name, timeout in queue_timeouts().items()
        }

    def _pair(
        self, name: str, timeout: int, receives: int, options: StageOptions
    ) -> QueuePair:
        construct_id = "".join(part.title() for part in name.split("-"))
        dead_letters = sqs.Queue(
            self,
            f"{construct_id}Dlq",
            queue_name=f"{options.prefix}{name}-dlq",
            retention_period=DLQ_RETENTION,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        queue = sqs.Queue(
            self,
            construct_id,
            queue_name=f"{options.prefix}{name}",
            visibility_timeout=cdk.Duration.seconds(VISIBILITY_FACTOR * timeout),
            retention_period=QUEUE_RETENTION,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=dead_letters, max_receive_count=receives
            ),
        )
        return QueuePair(queue=queue, dead_letters=dead_letters)


TEXTRACT_COMPLETIONS_QUEUE = "textract-completions"


class TextractChannel(Construct):
    """Where Textract announces finished jobs, and the queue that hears it.

    Textract publishes as ``role`` (trusting textract.amazonaws.com for this
    account only), which may publish on ``topic`` and use the key encrypting
    it; the topic delivers to the completions queue (the SQS subscription
    adds the queue policy letting this topic, and only it, send).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        options: StageOptions,
        key: kms.IKey,
        queues: Queues,
    ) -> None:
        super().__init__(scope, id)
        account = cdk.Stack.of(self).account
        self.topic = sns.Topic(
            self,
            "Completions",
            topic_name=f"{options.prefix}textract-completions",
            master_key=key,
            enforce_ssl=True,
        )
        self.role = iam.Role(
            self,
            "PublishRole",
            assumed_by=iam.ServicePrincipal(
                "textract.amazonaws.com",
                conditions={
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {"aws:SourceArn": f"arn:*:textract:*:{account}:*"},
                },
            ),
            description="Textract publishes job completions on the stage's topic",
        )
        self.topic.grant_publish(self.role)
        key.grant(self.role, "kms:GenerateDataKey*", "kms:Decrypt")
        queue = queues.by_name[TEXTRACT_COMPLETIONS_QUEUE].queue
        self.topic.add_subscription(subscriptions.SqsSubscription(queue))
