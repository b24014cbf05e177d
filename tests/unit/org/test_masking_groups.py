"""Sensitive values inside the entries of a repeating group are masked like the others."""

from __future__ import annotations

from liucheng.loaders.yaml_dsl import load_yaml
from liucheng.org.masking import mask_values, sensitive_fields

PROCESS = """
process: phones
roles: {staff: 员工}
steps:
  - id: intake
    role: staff
    form:
      - id: contacts
        type: group
        fields:
          - {id: cell, type: mobile}
          - {id: whose, type: text}
"""


def test_group_entries_are_masked_field_by_field() -> None:
    kinds = sensitive_fields(load_yaml(PROCESS, "phones.yaml"))
    assert kinds["cell"] == "mobile"
    masked = mask_values({"contacts": [{"cell": "13800000001", "whose": "本人"}, "x"],
                          "tags": ["a", "b"]}, kinds)
    assert masked == {"contacts": [{"cell": "138****0001", "whose": "本人"}, "x"],
                      "tags": ["a", "b"]}
