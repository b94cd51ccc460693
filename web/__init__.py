"""The web worklist and REST API (issue 5; H-R2.2 worklist, H-V1 registration, H-R1.1 Work Info,
H-R5/H-R3.2 coordinator decisions): FastAPI + Jinja2, server-rendered with light enhancement."""
