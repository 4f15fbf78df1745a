"""The stack tier's figures: a test hands its measured figures to ``figures(title, {...})`` and
they are printed together at the end of the run (in the main process under pytest-xdist too:
they travel as the report's ``user_properties``), so CI logs and the closing note can quote them.
Loaded from tests/conftest.py as a plugin."""

import json

import pytest

FIGURE = "stack-figure"
_collected: list[tuple[str, str, dict]] = []


@pytest.fixture
def figures(request):
    def record(title: str, values: dict) -> None:
        request.node.user_properties.append((FIGURE, json.dumps([title, values])))

    return record


def pytest_runtest_logreport(report):
    if report.when != "call":
        return
    for name, value in report.user_properties:
        if name == FIGURE:
            title, values = json.loads(value)
            _collected.append((report.nodeid, title, values))


def pytest_terminal_summary(terminalreporter):
    if not _collected:
        return
    terminalreporter.section("stack tier figures")
    for nodeid, title, values in _collected:
        terminalreporter.write_line(f"{title}  ({nodeid})")
        terminalreporter.write_line("  " + json.dumps(values, sort_keys=True))


def pytest_configure(config):
    # The stack tier's modules carry xdist_group("stack"); known even when xdist is turned off
    # (-p no:xdist) so --strict-markers does not refuse them.
    config.addinivalue_line("markers", "xdist_group(name): run these tests in one xdist worker")
