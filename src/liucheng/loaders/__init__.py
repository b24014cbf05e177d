"""Loaders turn process sources (YAML, BPMN 2.0 XML) into the one process model."""
