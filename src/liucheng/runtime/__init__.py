"""The runtime: one transaction per command over the pure core, plus service handlers."""

from liucheng.runtime.service import BpmnError, Engine, ServiceCall

__all__ = ["BpmnError", "Engine", "ServiceCall"]
