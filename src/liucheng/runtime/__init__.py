"""The runtime: one transaction per command over the pure core, plus service handlers."""

from liucheng.runtime.service import Engine, ServiceCall

__all__ = ["Engine", "ServiceCall"]
