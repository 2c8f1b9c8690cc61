"""location-detector's pipeline logic, shared by the trigger, success and failure Lambdas.

The Lambda handlers (`functions/<name>/app.py`) stay thin: they wire Powertools (batch
processing, idempotency, logging, tracing, metrics) around the plain functions here, which
take their AWS clients as arguments so they can be tested against moto.
"""

__version__ = "0.1.0"
