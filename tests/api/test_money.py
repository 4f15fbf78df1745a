from costs.money import dollars


def test_it_writes_dollars_with_two_to_six_decimals():
    assert dollars(0) == "0.00"
    assert dollars(625_000) == "0.625"
    assert dollars(12_500_000) == "12.50"
    assert dollars(1) == "0.000001"
    assert dollars(123_456_789_000) == "123456.789"
