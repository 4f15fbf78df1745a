"""Imagen :predict adapter: wire format, filtered images, retirement."""

import base64

import pytest

from media.providers import BadResponse, ModelRetired, SafetyBlocked, image_provider
from tests.media.providers.fakes import Reply

PREDICT = "/v1beta/models/imagen-4.0-generate-001:predict"


@pytest.fixture
def imagen(make_config, retry):
    return image_provider("imagen", config=make_config("imagen"), retry=retry)


def generate(adapter, **overrides):
    values = {"prompt": "calico cat by a window", "aspect_ratio": "3:4", "idempotency_key": "i-1"}
    values.update(overrides)
    return adapter.generate_image(**values)


def test_it_sends_the_predict_wire_format(fake, imagen, png_bytes):
    encoded = base64.b64encode(png_bytes).decode()
    fake.on(
        "POST",
        PREDICT,
        Reply(json={"predictions": [{"mimeType": "image/png", "bytesBase64Encoded": encoded}]}),
    )

    result = generate(imagen)

    (request,) = fake.seen("POST", PREDICT)
    assert request.headers["x-goog-api-key"] == "test-key"
    assert request.json == {
        "instances": [{"prompt": "calico cat by a window"}],
        "parameters": {"sampleCount": 1, "aspectRatio": "3:4", "personGeneration": "allow_adult"},
    }
    assert (result.data, result.mime_type, result.aspect_ratio) == (png_bytes, "image/png", "3:4")


@pytest.mark.parametrize(
    "body",
    [{}, {"predictions": []}, {"predictions": [{"raiFilteredReason": "Sensitive words"}]}],
    ids=["no-predictions", "empty", "rai-filtered"],
)
def test_a_filtered_image_is_a_safety_block(fake, imagen, body):
    fake.on("POST", PREDICT, Reply(json=body))

    with pytest.raises(SafetyBlocked, match="filtered") as blocked:
        generate(imagen)
    assert blocked.value.retryable is False
    assert len(fake.seen("POST", PREDICT)) == 1


def test_predictions_without_image_data_are_a_bad_response(fake, imagen):
    fake.on("POST", PREDICT, Reply(json={"predictions": [{"mimeType": "image/png"}]}))

    with pytest.raises(BadResponse, match="no image"):
        generate(imagen)


def test_imagen_4_is_retired_at_google(fake, make_config, retry):
    adapter = image_provider(
        "imagen", config=make_config("imagen", allowed_retired=()), retry=retry
    )

    with pytest.raises(ModelRetired, match="retired on 2026-08-17; use gemini-3-pro-image"):
        generate(adapter)
    assert fake.requests == []
