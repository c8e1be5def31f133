"""The configure form follows each attribute's declared type, so every integration gets the right inputs."""

from hi.apps.web.forms import IntegrationConfigForm
from hi.integrations.attributes import AttributeSpec
from hi.integrations.enums import AttributeType as T

SPECS = (
    AttributeSpec("flag", "Enabled", T.BOOLEAN),
    AttributeSpec("zone", "Time zone", T.TIMEZONE),
    AttributeSpec("mode", "Mode", T.CHOICE, choices=("fast", "slow")),
    AttributeSpec("allow", "Allow", T.LINES, required=False),
    AttributeSpec("ratio", "Ratio", T.FLOAT, min_value=0, max_value=1),
    AttributeSpec("password", "Password", T.SECRET),
)


def test_each_type_gets_its_widget():
    html = IntegrationConfigForm(SPECS, {"password": "hunter22", "zone": "Europe/Paris"}).as_p()
    assert '<select name="flag"' in html and 'value="true"' in html
    assert '<option value="Europe/Paris" selected>' in html
    assert '<option value="fast">' in html and "<textarea" in html
    assert 'type="number"' in html and 'min="0"' in html and 'max="1"' in html
    assert 'type="password"' in html and "hunter22" not in html


def test_secret_status_is_reported_without_the_value():
    form = IntegrationConfigForm(SPECS, {"password": "hunter22"})
    assert form.secret_status == {"password": True}
    assert IntegrationConfigForm(SPECS, {}).secret_status == {"password": False}
