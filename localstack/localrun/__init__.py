"""The whole pipeline on one machine: the tool behind ``make pipeline-*``.

Modules by concern:

- ``stack``: the applied ``terraform/envs/local`` (its ``stack`` output is the one source of
  every name and prefix), the Terraform driver and the emulator launcher;
- ``processes``: pid files, health checks, start / stop / restart of background services;
- ``services``: the three services of the pipeline (model server, endpoint stand-in, Lambda
  runner) and the model deployment they need;
- ``client``: the boto3 calls a user makes (upload, wait for a result, look up a status);
- ``status``: the operator's view (health, plans by status, queues, stuck plans);
- ``demo``, ``bench``: the demo and the throughput benchmark;
- ``cli``: ``localstack/local_pipeline.py``'s commands.
"""
