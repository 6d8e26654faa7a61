"""Justicia's infrastructure as code (AWS CDK v2, Python)."""
