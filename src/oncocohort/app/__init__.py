"""oncocohort.app: the local web app (``oncocohort app``), the second door to a study spec.

``config`` holds the settings; ``security`` the token, Host and header rules; ``sessions``
the per-session private folders and their cleanup; ``upload`` streams a workbook into its
session's folder within the size limit; ``mapping`` builds the mapping screen's rows from a
proposal; ``i18n`` holds the pages' words in English and Chinese; ``web`` the routes and
pages; ``server`` runs it on 127.0.0.1 and prints the address with its token.
"""

from oncocohort.app.config import AppConfig
from oncocohort.app.web import create_app

__all__ = ["AppConfig", "create_app"]
