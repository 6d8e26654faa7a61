"""The court web app's hosting: a private S3 bucket behind CloudFront.

A stack of its own beside the stage's: it holds only the static build of
``web/`` (no court data), and CloudFront reaches the bucket through an origin
access control, so the bucket stays private. The app calls the API directly
at the address ``config.json`` names; court data never passes CloudFront.

NOTE: the files are not uploaded by the stack: an operator copies
``web/dist`` into the bucket and writes ``config.json`` with the stage's API
address (``{"apiBase": "https://..."}``), then invalidates ``/index.html``
and ``/config.json``. A deployment step doing this comes with the release
tooling.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infrastructure.stacks.options import StageOptions

# The app's own scripts and styles only; the API and the documents bucket are
# reached over HTTPS on AWS hosts of the stage's region.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' blob: data:; connect-src 'self' https://*.amazonaws.com; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


class WebAppStack(cdk.Stack):
    """The bucket and the CloudFront distribution that serve the web app."""

    def __init__(
        self, scope: Construct, id: str, *, options: StageOptions, **kwargs: Any
    ) -> None:
        super().__init__(scope, id, **kwargs)
        cdk.Tags.of(self).add("project", "justicia")
        cdk.Tags.of(self).add("stage", options.stage)
        self.bucket = s3.Bucket(
            self,
            "WebAppBucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            versioned=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.distribution = cloudfront.Distribution(
            self,
            "WebAppDistribution",
            comment=f"Justicia web app ({options.stage})",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                response_headers_policy=self._security_headers(options),
            ),
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
        )
        cdk.CfnOutput(self, "WebAppBucketName", value=self.bucket.bucket_name)
        cdk.CfnOutput(
            self,
            "WebAppUrl",
            value=f"https://{self.distribution.distribution_domain_name}",
        )

    def _security_headers(
        self, options: StageOptions
    ) -> cloudfront.ResponseHeadersPolicy:
        """HSTS, no sniffing, no framing, no referrer, and the app's CSP."""
        return cloudfront.ResponseHeadersPolicy(
            self,
            "WebAppHeaders",
            response_headers_policy_name=f"{options.prefix}web-app-headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=CONTENT_SECURITY_POLICY, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(
                    override=True
                ),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER,
                    override=True,
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=cdk.Duration.days(365),
                    include_subdomains=True,
                    override=True,
                ),
            ),
        )
