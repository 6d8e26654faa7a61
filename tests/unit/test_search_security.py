"""The security plugin's grants as the search set-up reads them (no sockets)."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.search.security import SearchGrants, mapping_body

ROLE_A = "arn:aws:iam::123456789012:role/a"
ROLE_B = "arn:aws:iam::123456789012:role/b"


@pytest.mark.parametrize(
    ("properties", "readers", "writers"),
    [
        ({}, (), ()),
        ({"Readers": [ROLE_B, ROLE_A, ROLE_B]}, (ROLE_A, ROLE_B), ()),
        ({"Readers": [], "Writers": [ROLE_A]}, (), (ROLE_A,)),
    ],
)
def test_grants_from_custom_resource_properties(
    properties: dict[str, Any], readers: tuple[str, ...], writers: tuple[str, ...]
) -> None:
    grants = SearchGrants.from_properties(properties)
    assert (grants.readers, grants.writers) == (readers, writers)


@pytest.mark.parametrize("value", [ROLE_A, [ROLE_A, 3], {"role": ROLE_A}])
def test_role_arns_must_be_a_list_of_strings(value: Any) -> None:
    with pytest.raises(ValueError, match="list of strings"):
        SearchGrants.from_properties({"Writers": value})


def test_a_mapping_names_backend_roles_only() -> None:
    assert mapping_body([ROLE_B, ROLE_A]) == {
        "backend_roles": [ROLE_A, ROLE_B],
        "hosts": [],
        "users": [],
    }
