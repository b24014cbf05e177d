"""liucheng (流程): a business-process system for small and medium enterprises."""

__version__ = "0.1.0"
