"""Alarms (to an SNS topic) and the operations dashboard.

The application publishes its counts with Powertools metrics (EMF) in the
``Justicia`` namespace with the dimension ``service=justicia``.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infrastructure.stacks.messaging import Queues
from infrastructure.stacks.options import StageOptions

NAMESPACE = "Justicia"
DIMENSIONS = {"service": "justicia"}
APPLICATION_METRICS = (
    "CasesRegistered",
    "NumbersVoided",
    "AuditHoursSealed",
    "AuditHoursTampered",
    "DocumentsRead",
    "PagesRead",
    "DocumentsSigned",
    "DocumentsFailed",
    "DocumentsQuarantined",
    "UnsafeDocumentsRefused",
    "DocumentsFannedOut",
    "OverwritesRefused",
    "PublicVerificationsLimited",
    "OcrFallbacks",
    "TextractJobsStarted",
    "TextractCompletionsIgnored",
    "TextractCompletionsUnmatched",
    "TextLayersAdded",
    "TextLayersSkipped",
    "TextLayersFailed",
    "TextLayersLost",
    "EventMismatches",
    "Logins",
    "LoginFailures",
    "TokensRefused",
    "LoginsRateLimited",
    "AccountsLocked",
    "LockedLoginsRefused",
    "PasswordsExpired",
    "IdleUsersDeactivated",
    "UploadsExpired",
    "DocumentsStuck",
    "SearchChangesIndexed",
    "SearchHitsWithheld",
    "SearchDrift",
    "SearchRebuilt",
)
"""Every ``count("...")`` of chalicelib and functions (a test keeps them in step)."""

OLDEST_MESSAGE_ALARM = cdk.Duration.hours(1)
PERIOD = cdk.Duration.minutes(5)


def app_metric(name: str, period: cdk.Duration = PERIOD) -> cloudwatch.Metric:
    """One of the application's counts, summed per period."""
    if name not in APPLICATION_METRICS:
        raise KeyError(f"unknown application metric {name!r}")
    return cloudwatch.Metric(
        namespace=NAMESPACE,
        metric_name=name,
        dimensions_map=DIMENSIONS,
        statistic="Sum",
        period=period,
    )


class Monitoring(Construct):
    """The alarm topic, the queue and stuck-document alarms, the dashboard."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        options: StageOptions,
        queues: Queues,
        maintenance: lambda_.IFunction,
    ) -> None:
        super().__init__(scope, id)
        self.topic = sns.Topic(
            self, "Alarms", topic_name=f"{options.prefix}alarms", enforce_ssl=True
        )
        if options.alarm_email:
            self.topic.add_subscription(
                subscriptions.EmailSubscription(options.alarm_email)
            )
        self._action = actions.SnsAction(self.topic)
        self._queue_alarms(queues, options)
        self._alarm(
            "DocumentsStuck",
            app_metric("DocumentsStuck", cdk.Duration.minutes(15)),
            f"{options.prefix}documents-stuck",
            "Documents stuck between pipeline steps for over an hour",
        )
        self._alarm(
            "AuditTampered",
            app_metric("AuditHoursTampered", cdk.Duration.days(1)),
            f"{options.prefix}audit-tampered",
            "An audit record changed, vanished or appeared after its hour was sealed",
        )
        self._alarm(
            "MaintenanceErrors",
            maintenance.metric_errors(period=PERIOD),
            f"{options.prefix}maintenance-errors",
            "The scheduled maintenance function failed",
        )
        self.dashboard = self._dashboard(queues, options)

    def _alarm(
        self,
        construct_id: str,
        metric: cloudwatch.IMetric,
        name: str,
        description: str,
        threshold: float = 0,
    ) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_name=name,
            alarm_description=description,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self._action)
        return alarm

    def _queue_alarms(self, queues: Queues, options: StageOptions) -> None:
        """Any dead letter, or a message waiting too long, calls an operator."""
        for name, pair in queues.by_name.items():
            construct_id = "".join(part.title() for part in name.split("-"))
            self._alarm(
                f"{construct_id}DlqDepth",
                pair.dead_letters.metric_approximate_number_of_messages_visible(
                    period=PERIOD, statistic="Maximum"
                ),
                f"{options.prefix}{name}-dlq-not-empty",
                f"Messages dead-lettered from {name}: they need an operator",
            )
            self._alarm(
                f"{construct_id}OldestMessage",
                pair.queue.metric_approximate_age_of_oldest_message(
                    period=PERIOD, statistic="Maximum"
                ),
                f"{options.prefix}{name}-oldest-message",
                f"A message waited in {name} for over an hour",
                threshold=OLDEST_MESSAGE_ALARM.to_seconds(),
            )

    def _dashboard(self, queues: Queues, options: StageOptions) -> cloudwatch.Dashboard:
        dashboard = cloudwatch.Dashboard(
            self, "Dashboard", dashboard_name=f"{options.prefix}operations"
        )
        dashboard.add_widgets(
            _graph(
                "Documents",
                ["DocumentsRead", "DocumentsSigned", "DocumentsFailed"],
            ),
            _graph(
                "Exceptions",
                [
                    "DocumentsQuarantined",
                    "UnsafeDocumentsRefused",
                    "OverwritesRefused",
                    "EventMismatches",
                    "DocumentsStuck",
                    "PublicVerificationsLimited",
                ],
            ),
            _graph("OCR", ["PagesRead", "OcrFallbacks", "DocumentsFannedOut"]),
            _graph(
                "Searchable PDFs",
                [
                    "TextLayersAdded",
                    "TextLayersSkipped",
                    "TextLayersFailed",
                    "TextLayersLost",
                ],
            ),
            _graph(
                "Search",
                [
                    "SearchChangesIndexed",
                    "SearchHitsWithheld",
                    "SearchDrift",
                    "SearchRebuilt",
                ],
            ),
        )
        dashboard.add_widgets(
            _graph("Sign-in", ["Logins", "LoginFailures", "TokensRefused"]),
            _graph(
                "Sign-in safety",
                [
                    "LoginsRateLimited",
                    "AccountsLocked",
                    "LockedLoginsRefused",
                    "PasswordsExpired",
                    "IdleUsersDeactivated",
                ],
            ),
            _graph(
                "Cases and uploads",
                ["CasesRegistered", "NumbersVoided", "UploadsExpired"],
            ),
            _graph(
                "Audit trail seals",
                ["AuditHoursSealed", "AuditHoursTampered"],
            ),
            cloudwatch.GraphWidget(
                title="Dead-letter queues",
                left=[
                    pair.dead_letters.metric_approximate_number_of_messages_visible(
                        period=PERIOD, statistic="Maximum", label=f"{name} DLQ"
                    )
                    for name, pair in queues.by_name.items()
                ],
                width=8,
            ),
        )
        dashboard.add_widgets(
            _graph(
                "Textract jobs",
                [
                    "TextractJobsStarted",
                    "TextractCompletionsIgnored",
                    "TextractCompletionsUnmatched",
                ],
            ),
        )
        return dashboard


def _graph(title: str, names: list[str]) -> cloudwatch.GraphWidget:
    return cloudwatch.GraphWidget(
        title=title, left=[app_metric(name) for name in names], width=8
    )
