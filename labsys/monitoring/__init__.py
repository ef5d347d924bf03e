"""Monitoring and early warning: dashboard queries, alert rules and alerts, anonymised export.

Only confirmed (reviewed) results of samples with monitoring consent are ever counted, alerted on
or exported.
"""
