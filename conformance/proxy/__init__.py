"""`monite-conformance proxy`: a validating reverse proxy for a dependent service's traffic.

The service talks to the proxy as it would to Monite; every exchange is forwarded to the
upstream (the sandbox or the emulator) unchanged and, once answered, checked against the
spec. Data flows one way:

    upstream.py      where to forward, and whether the upstream is our emulator
    forward.py       the ASGI app: forward, stream, capture what the checks need (traffic.py)
    inspector.py     per exchange: register secrets (credentials.py), run the request checks
                     (request_checks.py, paging.py) and response checks (response_checks.py)
                     against the compiled spec (contract.py), record the result (recorder.py)
    rules.py         every rule: a stable id, its side, what it requires, its source
    verdict.py       the exit code for --fail-on
    reports.py       summary.json/.md, junit.xml, report.html (report_*.py), secrets scrubbed
    server.py        uvicorn on a pre-bound loopback socket, signals, an in-thread runner
"""
