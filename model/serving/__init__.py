"""The HTTP model server SageMaker runs (`serve`): gunicorn calling the handlers in inference.py."""
