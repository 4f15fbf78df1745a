"""CSV upload of metrics: every row checked first, each problem reported with its line, and
nothing written unless the whole file is right."""

import pytest

from abtests import services
from abtests.models import MediaABTestMetricSnapshot, MediaABTestResult
from abtests.selectors import ABTestNotFound
from abtests.services import MetricsImportResult, RowError
from bakedbot.errors import InvalidInput
from tests.abtests.conftest import record, variant_ids

pytestmark = pytest.mark.django_db


def _import(test, content):
    return services.import_ab_test_metrics_csv(
        tenant_id=test.tenant_id, test_id=test.pk, content=content
    )


def _counts(test):
    return [
        (r.impressions, r.clicks, r.conversions, r.engagement, r.cost_micros)
        for r in MediaABTestResult.objects.filter(test=test).order_by("variant__position")
    ]


def test_it_imports_a_row_per_variant_by_name_or_id(running_test):
    _, playful = variant_ids(running_test)
    content = (
        "\ufeffVariant,Impressions,Clicks,Conversions,Engagement,Cost\r\n"
        'control,10000,400,40,900,"$1,250.50"\r\n'
        f"{playful},10000,520,61,1000,1300\r\n"
        "\r\n"
    ).encode()
    result = _import(running_test, content)
    assert result == MetricsImportResult(rows=2, errors=())
    assert _counts(running_test) == [
        (10000, 400, 40, 900, 1_250_500_000),
        (10000, 520, 61, 1000, 1_300_000_000),
    ]
    assert MediaABTestMetricSnapshot.objects.filter(source="csv").count() == 2


def test_it_keeps_columns_left_out(running_test):
    record(running_test, variant_ids(running_test)[0], impressions=50, cost="2")
    assert _import(running_test, "variant,impressions,clicks\nControl,100,5\n") == (
        MetricsImportResult(rows=1)
    )
    assert _counts(running_test)[0] == (100, 5, 0, 0, 2_000_000)


def test_it_reports_every_bad_row_and_writes_nothing(running_test):
    content = (
        "variant,impressions,clicks,conversions\n"
        "Control,1000,50,5\n"
        "Nobody,10,1,0\n"
        "Playful,100,120,1\n"
        "Control,2000,60,6\n"
        "Playful,-4,,\n"
    )
    result = _import(running_test, content)
    assert result.rows == 0
    assert result.errors == (
        RowError(3, "variant", "No variant 'Nobody'."),
        RowError(4, "clicks", "Clicks cannot exceed impressions (100)."),
        RowError(5, "variant", "This variant has an earlier row."),
        RowError(6, "variant", "This variant has an earlier row."),
    )
    assert _counts(running_test) == [(0, 0, 0, 0, 0)] * 2
    assert not MediaABTestMetricSnapshot.objects.exists()


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("impressions,clicks\n100,5\n", RowError(1, "variant", "must name the columns")),
        ("variant,impressions,likes\nControl,1,1\n", RowError(1, "likes", "Unknown column")),
        ("variant,impressions\n", RowError(2, "file", "no rows")),
        (b"variant,impressions\n\xff\xfe,1\n", RowError(1, "file", "not UTF-8")),
        ("variant,cost\nControl,1.5.0\n", RowError(2, "cost", "amount in dollars")),
        ("variant,cost\nControl,$1,250\n", RowError(2, "file", "more cells than")),
        (
            "variant,impressions\nControl,9223372036854775808\n",
            RowError(2, "impressions", "at most"),
        ),
        ("variant,cost\nControl,1e309\n", RowError(2, "cost", "at most")),
    ],
)
def test_it_explains_a_malformed_file(running_test, content, error):
    result = _import(running_test, content)
    assert result.rows == 0
    assert (result.errors[0].line, result.errors[0].field) == (error.line, error.field)
    assert error.message in result.errors[0].message


def test_it_refuses_a_file_for_a_draft(draft_test):
    with pytest.raises(InvalidInput) as refused:
        _import(draft_test, "variant,impressions\nControl,10\n")
    assert refused.value.errors == {"status": "Metrics can be recorded once the test started."}
    assert not MediaABTestMetricSnapshot.objects.exists()


def test_it_answers_not_found_for_another_tenant(org_b, running_test):
    with pytest.raises(ABTestNotFound):
        services.import_ab_test_metrics_csv(
            tenant_id=org_b.pk, test_id=running_test.pk, content="variant\nControl\n"
        )
