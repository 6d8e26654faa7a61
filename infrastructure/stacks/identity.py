"""Who may sign in (Cognito) and the signing secrets (HSM PIN, certificate chain).

The pool mirrors the local stack: case-insensitive usernames, the password
policy, an API client signing in with USER_PASSWORD_AUTH and refresh tokens,
one group per role of ``chalicelib.identity.ROLES``.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infrastructure.stacks.options import StageOptions

CHAIN_PLACEHOLDER = "PLACEHOLDER: the PEM chain (signing certificate, then its CA)"


def roles() -> tuple[str, ...]:
    """The roles of the application, one Cognito group each."""
    from chalicelib.identity import ROLES

    return tuple(ROLES)


def _password_policy() -> cognito.PasswordPolicy:
    return cognito.PasswordPolicy(
        min_length=12,
        require_uppercase=True,
        require_lowercase=True,
        require_digits=True,
        require_symbols=True,
        temp_password_validity=cdk.Duration.days(3),
    )


class Identity(Construct):
    """The user pool, its API client and a group per role."""

    def __init__(self, scope: Construct, id: str, *, options: StageOptions) -> None:
        super().__init__(scope, id)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=f"{options.prefix}users",
            sign_in_case_sensitive=False,
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(username=True),
            password_policy=_password_policy(),
            account_recovery=cognito.AccountRecovery.NONE,
            deletion_protection=options.is_prod,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.client = self.user_pool.add_client(
            "ApiClient",
            user_pool_client_name="justicia-api",
            auth_flows=cognito.AuthFlow(user_password=True),
            generate_secret=False,
            disable_o_auth=True,
            prevent_user_existence_errors=True,
            access_token_validity=cdk.Duration.hours(1),
            id_token_validity=cdk.Duration.hours(1),
            refresh_token_validity=cdk.Duration.hours(12),
        )
        for role in roles():
            cognito.CfnUserPoolGroup(
                self,
                f"Group{role.title()}",
                user_pool_id=self.user_pool.user_pool_id,
                group_name=role,
            )


class SigningSecrets(Construct):
    """The HSM PIN (Secrets Manager), the signing chain (SSM parameter), and the
    key of national ID digests (Secrets Manager, 64 hex digits).

    NOTE: both hold placeholders after deployment. The PIN is generated so no
    value lives in code, but CloudHSM's PKCS#11 PIN is the crypto user's
    ``<user>:<password>``: an operator must put the real one in after creating
    the crypto user, and the real chain in the parameter, before signing works.
    """

    def __init__(
        self, scope: Construct, id: str, *, options: StageOptions, key: kms.IKey
    ) -> None:
        super().__init__(scope, id)
        self.pin_secret_name = f"justicia/{options.stage}/hsm-pin"
        self.chain_parameter_name = f"/justicia/{options.stage}/signing-chain"
        self.pin = secretsmanager.Secret(
            self,
            "HsmPin",
            secret_name=self.pin_secret_name,
            description="PKCS#11 PIN of the signing HSM (CloudHSM: user:password)",
            encryption_key=key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=32, exclude_punctuation=True
            ),
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.national_id_key_name = f"justicia/{options.stage}/national-id-key"
        self.national_id_key = secretsmanager.Secret(
            self,
            "NationalIdKey",
            secret_name=self.national_id_key_name,
            description="HMAC key of national ID digests (hex); never rotate in place",
            encryption_key=key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64,
                exclude_punctuation=True,
                exclude_uppercase=True,
                exclude_characters="ghijklmnopqrstuvwxyz",
            ),
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        # A chain of two PEM certificates can pass the standard tier's 4 KB.
        self.chain = ssm.StringParameter(
            self,
            "SigningChain",
            parameter_name=self.chain_parameter_name,
            description="PEM chain of the court seal: signing certificate, then CA",
            string_value=CHAIN_PLACEHOLDER,
            tier=ssm.ParameterTier.ADVANCED,
        )
