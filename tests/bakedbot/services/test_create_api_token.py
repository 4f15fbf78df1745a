import pytest

from bakedbot.api_tokens import MAX_ACTIVE_TOKENS, create_api_token
from bakedbot.errors import InvalidInput
from bakedbot.models import ApiToken


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Name the token after what will use it"),
        ("   ", "Name the token after what will use it"),
        ("x" * 81, "At most 80 characters"),
        (42, "Must be text."),
    ],
)
def test_it_refuses_a_bad_name_naming_the_field(org_a, owner_a, name, message):
    with pytest.raises(InvalidInput) as refused:
        create_api_token(tenant=org_a, name=name, created_by=owner_a)
    assert refused.value.field == "name" and message in refused.value.message
    assert not ApiToken.objects.exists()


def test_it_refuses_one_token_too_many_before_writing(org_a, owner_a):
    for n in range(MAX_ACTIVE_TOKENS):
        create_api_token(tenant=org_a, name=f"t{n}", created_by=owner_a)
    with pytest.raises(InvalidInput) as refused:
        create_api_token(tenant=org_a, name="one too many", created_by=owner_a)
    assert refused.value.errors == {"name": "At most 25 active tokens: revoke one first."}
    assert ApiToken.objects.count() == MAX_ACTIVE_TOKENS


def test_it_makes_a_token_and_its_secret(org_a, owner_a):
    made = create_api_token(tenant=org_a, name="  Looker export ", created_by=owner_a)
    assert made.token.name == "Looker export" and made.token.tenant == org_a
    assert made.secret.startswith(made.token.prefix)
