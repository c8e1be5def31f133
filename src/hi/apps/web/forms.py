"""Forms of the web UI; the integration form is built at run time from a gateway's attribute specs."""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping, Sequence

from django import forms
from django.core.files.uploadedfile import UploadedFile

from hi.apps.entity.attribute_values import clean_attribute_value
from hi.apps.entity.enums import AttributeValueType
from hi.apps.entity.models import EntityAttribute
from hi.integrations.attributes import AttributeSpec
from hi.integrations.enums import AttributeType

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class RenameForm(forms.Form):
    name = forms.CharField(max_length=200, strip=True)


class AttributeForm(forms.ModelForm):
    """A user attribute: a name and either a value or an uploaded file."""

    class Meta:
        model = EntityAttribute
        fields = ["name", "value_type", "value", "file"]
        widgets = {"value": forms.TextInput()}

    def clean_file(self) -> object:
        upload = self.cleaned_data.get("file")
        if upload and getattr(upload, "size", 0) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("files up to 5 MB")
        return upload

    def clean(self) -> dict:
        data = super().clean()
        # a new upload makes it a file; the file it already has must not (retyping to text drops that file)
        if isinstance(data.get("file"), UploadedFile) and data.get("value_type") != AttributeValueType.FILE:
            data["value_type"] = AttributeValueType.FILE
        if data.get("value_type") == AttributeValueType.FILE and not (data.get("file") or self.instance.file):
            self.add_error("file", "choose a file to upload")
        elif data.get("value_type") != AttributeValueType.FILE and not (data.get("value") or "").strip():
            self.add_error("value", "enter a value")
        elif data.get("value_type") != AttributeValueType.FILE:
            try:
                data["value"] = clean_attribute_value(data["value_type"], data["value"])
            except ValueError as exc:
                self.add_error("value", str(exc))
        return data


def _field_for(spec: AttributeSpec, is_set: bool) -> forms.Field:
    """One typed form field; the gateway's own cleaning still decides what is valid."""
    common = {"label": spec.label, "required": False, "help_text": spec.help_text}
    kind = spec.value_type
    if kind == AttributeType.SECRET:
        placeholder = "set — leave empty to keep it" if is_set else "not set"
        return forms.CharField(widget=forms.PasswordInput(render_value=False, attrs={
            "placeholder": placeholder, "autocomplete": "new-password"}), **common)
    if kind == AttributeType.URL:
        return forms.CharField(widget=forms.URLInput(attrs={"placeholder": "http://…"}), **common)
    if kind in (AttributeType.INTEGER, AttributeType.FLOAT):
        attrs = {"step": "1" if kind == AttributeType.INTEGER else "any"}
        if spec.min_value is not None:
            attrs["min"] = f"{spec.min_value:g}"
        if spec.max_value is not None:
            attrs["max"] = f"{spec.max_value:g}"
        return forms.CharField(widget=forms.NumberInput(attrs=attrs), **common)
    if kind == AttributeType.BOOLEAN:
        return forms.ChoiceField(choices=[("true", "Yes"), ("false", "No")], **common)
    if kind == AttributeType.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *((c, c) for c in spec.choices)], **common)
    if kind == AttributeType.TIMEZONE:
        zones = sorted(zoneinfo.available_timezones())
        return forms.ChoiceField(choices=[("", "—"), *((z, z.replace("_", " ")) for z in zones)], **common)
    if kind == AttributeType.LINES:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), strip=False, **common)
    return forms.CharField(**common)


class IntegrationConfigForm(forms.Form):
    """Fields from ``specs``; secrets are write-only and never rendered back."""

    def __init__(self, specs: Sequence[AttributeSpec], stored: Mapping[str, str], *args: object,
                 **kwargs: object) -> None:
        self.specs = list(specs)
        initial = {s.key: (stored.get(s.key) or s.default) for s in self.specs if not s.is_secret}
        super().__init__(*args, initial=initial, **kwargs)
        self.secret_status: dict[str, bool] = {}
        for spec in self.specs:
            is_set = bool(stored.get(spec.key))
            field = _field_for(spec, is_set)
            if spec.required:
                field.label_suffix = " *"
            self.fields[spec.key] = field
            if spec.is_secret:
                self.secret_status[spec.key] = is_set

    def submitted_values(self) -> dict[str, str]:
        """Raw values for the gateway's validation (empty secrets mean: keep the stored one)."""
        return {spec.key: self.data.get(spec.key, "") for spec in self.specs}

    def add_field_errors(self, errors: Mapping[str, str]) -> None:
        for key, message in errors.items():
            self.add_error(key if key in self.fields else None, message)
