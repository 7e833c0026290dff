"""The delivery page («Levering av tall til ALIS-Nord»): a Starlette application served by uvicorn
(``uvicorn --factory portal.app:create_app``) behind the service's nginx, at ``/levering/``.

A municipality reaches its page for a report year by its personal link (``alis_nord.delivery_links``),
sees its status per table, the files received and the findings still open, and delivers files, which
are checked and stored by ``alis_nord.receiving``; every file is logged (``alis_nord.delivery_log``).
The layer of its own: it imports ``alis_nord`` only, and nothing but the tests imports it.

- ``app``: the routes, and ``create_app``
- ``pages``: what a page shows, gathered from the reference data, the landing area, the warehouse
  (read only) and the delivery log
- ``csrf``: the forms' double-submit pair, and the origin of a form sent
- ``middleware``: the security headers of every response, and the request body's limit
"""
