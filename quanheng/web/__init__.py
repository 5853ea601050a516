"""The workbench: a study in a browser (``quanheng serve STUDY``).

:func:`create_app` builds the FastAPI application for one study; :func:`serve` runs it under
uvicorn on 127.0.0.1 (any other address needs a token). See ``docs/workbench.md``.
"""

from quanheng.web.app import close_app, create_app
from quanheng.web.serve import serve

__all__ = ["close_app", "create_app", "serve"]
